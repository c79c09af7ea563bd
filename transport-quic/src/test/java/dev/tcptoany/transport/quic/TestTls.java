package dev.tcptoany.transport.quic;

import dev.tcptoany.api.TlsIdentity;
import dev.tcptoany.api.TlsMaterials;
import dev.tcptoany.api.TlsSettings;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SimpleTrustManagerFactory;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.TrustManager;
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
 * What the host's TlsMaterials does, for tests: generated identities (EC P-256, kept per name),
 * pins, CA files and insecure mode. Only test code; the real one lives in proxy-core.
 */
final class TestTls implements TlsMaterials {
    private final Map<String, TlsIdentity> identities = new ConcurrentHashMap<>();

    static TlsIdentity generate(String cn) {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(256);
            KeyPair kp = kpg.generateKeyPair();
            X500Name name = new X500Name("CN=" + cn);
            long now = System.currentTimeMillis();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now),
                    new java.util.Date(now - 86_400_000L), new java.util.Date(now + 86_400_000L * 365), name,
                    kp.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            return new TlsIdentity(kp.getPrivate(), List.of(cert), fingerprint(cert), true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String fingerprint(X509Certificate cert) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public TlsIdentity serverIdentity(TlsSettings settings, String name) {
        return identities.computeIfAbsent(name, n -> generate("quic-test-" + n));
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
            List<String> pins = settings.pinSha256().stream().map(TlsSettings::normalizeFingerprint)
                    .collect(Collectors.toList());
            return new PinningTrustManagerFactory(pins);
        }
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (settings.ca().isPresent()) {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                try (InputStream in = Files.newInputStream(settings.ca().get())) {
                    int i = 0;
                    for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        ks.setCertificateEntry("ca" + i++, c);
                    }
                }
                tmf.init(ks);
            } else {
                tmf.init((KeyStore) null);
            }
            return tmf;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Optional<TrustManagerFactory> clientTrust(TlsSettings settings) {
        return Optional.empty();
    }

    private static final class PinningTrustManagerFactory extends SimpleTrustManagerFactory {
        private final TrustManager tm;

        PinningTrustManagerFactory(List<String> pins) {
            tm = new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    throw new CertificateException("not for clients");
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    String fp = TlsSettings.normalizeFingerprint(fingerprint(chain[0]));
                    if (!pins.contains(fp)) {
                        throw new CertificateException("certificate " + fp + " matches no pin");
                    }
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            };
        }

        @Override
        protected void engineInit(KeyStore keyStore) {
        }

        @Override
        protected void engineInit(ManagerFactoryParameters params) {
        }

        @Override
        protected TrustManager[] engineGetTrustManagers() {
            return new TrustManager[] {tm};
        }
    }
}
