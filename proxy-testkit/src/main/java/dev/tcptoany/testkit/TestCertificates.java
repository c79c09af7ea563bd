package dev.tcptoany.testkit;

import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Real certificates for client-certificate tests, made in the test: a CA ({@link #authority}) that
 * issues client certificates, each written as PEM files a node's {@code tls { }} block can name.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private TestCertificates() {
    }

    /** A certificate and its PKCS#8 key, as PEM files. */
    public record Pem(Path cert, Path key) {
        public X509Certificate certificate() throws Exception {
            try (InputStream in = Files.newInputStream(cert)) {
                return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
        }

        /** The SHA-256 fingerprint, {@code AB:CD:...}, as {@code cert-sha256} and pins take it. */
        public String sha256() throws Exception {
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate().getEncoded()));
        }
    }

    /** A CA: its own certificate ({@link #pem()}, what a listener's {@code tls.ca} names) and what it issues. */
    public static final class Authority {
        private final Path dir;
        private final KeyPair key;
        private final X509Certificate certificate;
        private final Pem pem;

        private Authority(Path dir, KeyPair key, X509Certificate certificate, Pem pem) {
            this.dir = dir;
            this.key = key;
            this.certificate = certificate;
            this.pem = pem;
        }

        public Pem pem() {
            return pem;
        }

        /** A client certificate for {@code CN=name}, signed by this CA. */
        public Pem issue(String name) throws Exception {
            return write(dir, name, ecKey(), certificate, key, false);
        }
    }

    /** A new self-signed CA, written into {@code dir} as {@code name.crt} / {@code name.key}. */
    public static Authority authority(Path dir, String name) throws Exception {
        KeyPair key = ecKey();
        Pem pem = write(dir, name, key, null, key, true);
        return new Authority(dir, key, pem.certificate(), pem);
    }

    private static Pem write(Path dir, String name, KeyPair subject, X509Certificate issuerCert, KeyPair issuer,
                             boolean ca) throws Exception {
        long now = System.currentTimeMillis();
        X500Name subjectName = new X500Name("CN=" + name);
        X500Name issuerName = issuerCert == null ? subjectName
                : new X500Name(issuerCert.getSubjectX500Principal().getName());
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(now - 60_000), new Date(now + 86_400_000L),
                subjectName, subject.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", subject.getPrivate().getEncoded()));
        return new Pem(certFile, keyFile);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }
}
