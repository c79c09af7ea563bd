package dev.tcptoany.transport.ws;

import dev.tcptoany.api.TlsIdentity;
import dev.tcptoany.api.TlsMaterials;
import dev.tcptoany.api.TlsSettings;
import io.netty.handler.ssl.util.FingerprintTrustManagerFactory;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A stand-in for the host's {@link TlsMaterials} in the transport's own tests: one self-signed
 * certificate for localhost / 127.0.0.1, trusted as if it were in the system store.
 */
final class TestTls implements TlsMaterials {
    static final TestTls INSTANCE = new TestTls();

    final TlsIdentity identity = selfSigned();
    /** Server certificates the default trust checked: a resumed session skips the check. */
    final java.util.concurrent.atomic.AtomicInteger serverCertificateChecks = new java.util.concurrent.atomic.AtomicInteger();

    /** As the host's proxy.tls.provider = auto. */
    @Override
    public dev.tcptoany.api.TlsEngine engine() {
        return io.netty.handler.ssl.OpenSsl.isAvailable() ? dev.tcptoany.api.TlsEngine.OPENSSL : dev.tcptoany.api.TlsEngine.JDK;
    }

    @Override
    public TlsIdentity serverIdentity(TlsSettings settings, String name) {
        return identity;
    }

    @Override
    public Optional<TlsIdentity> clientIdentity(TlsSettings settings) {
        return Optional.empty();
    }

    @Override
    public TrustManagerFactory serverTrust(TlsSettings settings) {
        if (settings.insecure()) {
            return InsecureTrustManagerFactory.INSTANCE;
        }
        if (!settings.pinSha256().isEmpty()) {
            return FingerprintTrustManagerFactory.builder("SHA-256")
                    .fingerprints(settings.pinSha256().stream().map(TlsSettings::normalizeFingerprint).toList()).build();
        }
        return countingServerChecks(trustManager());
    }

    private TrustManagerFactory countingServerChecks(X509TrustManager plain) {
        javax.net.ssl.X509ExtendedTrustManager trust = (javax.net.ssl.X509ExtendedTrustManager) plain;
        javax.net.ssl.X509ExtendedTrustManager counting = new javax.net.ssl.X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket s) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket s)
                    throws java.security.cert.CertificateException {
                serverCertificateChecks.incrementAndGet();
                trust.checkServerTrusted(chain, authType, s);
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e)
                    throws java.security.cert.CertificateException {
                serverCertificateChecks.incrementAndGet();
                trust.checkServerTrusted(chain, authType, e);
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                serverCertificateChecks.incrementAndGet();
                trust.checkServerTrusted(chain, authType);
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return trust.getAcceptedIssuers();
            }
        };
        return new io.netty.handler.ssl.util.SimpleTrustManagerFactory() {
            @Override
            protected void engineInit(KeyStore keyStore) {
            }

            @Override
            protected void engineInit(javax.net.ssl.ManagerFactoryParameters params) {
            }

            @Override
            protected javax.net.ssl.TrustManager[] engineGetTrustManagers() {
                return new javax.net.ssl.TrustManager[] {counting};
            }
        };
    }

    @Override
    public Optional<TrustManagerFactory> clientTrust(TlsSettings settings) {
        return Optional.empty();
    }

    TrustManagerFactory trustingIdentity() {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("test", identity.leaf());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the identity as PEM files {@code wss.crt} and {@code wss.key} (PKCS#8) into {@code dir}
     * and returns the {@code tls { }} block that names them.
     */
    String writePem(java.nio.file.Path dir) {
        try {
            java.util.Base64.Encoder b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.nio.file.Path crt = dir.resolve("wss.crt");
            java.nio.file.Path key = dir.resolve("wss.key");
            java.nio.file.Files.writeString(crt, "-----BEGIN CERTIFICATE-----\n"
                    + b64.encodeToString(identity.leaf().getEncoded()) + "\n-----END CERTIFICATE-----\n");
            java.nio.file.Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                    + b64.encodeToString(identity.key().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
            return "tls { cert = \"" + crt + "\", key = \"" + key + "\" }";
        } catch (java.io.IOException | java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    X509TrustManager trustManager() {
        return (X509TrustManager) trustingIdentity().getTrustManagers()[0];
    }

    private static TlsIdentity selfSigned() {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(256);
            KeyPair kp = kpg.generateKeyPair();
            X500Name name = new X500Name("CN=localhost");
            long now = System.currentTimeMillis();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now),
                    new Date(now - 86_400_000L), new Date(now + 86_400_000L), name, kp.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            String fp = HexFormat.ofDelimiter(":").formatHex(sha).toUpperCase(Locale.ROOT);
            return new TlsIdentity(kp.getPrivate(), List.of(cert), fp, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
