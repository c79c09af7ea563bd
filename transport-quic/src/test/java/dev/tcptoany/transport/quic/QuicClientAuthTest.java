package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client-certificate authentication through two real {@link Proxy} nodes and the host's own TLS
 * materials: node 2 admits only dialers with a certificate from its CA; one without is turned away
 * and counted while the one with keeps working.
 */
@ExtendWith(LeakDetection.class)
class QuicClientAuthTest {

    private record Pem(Path cert, Path key) {
    }

    private static Pem issue(Path dir, String name, KeyPair subject, X509Certificate issuerCert, KeyPair issuer,
                             boolean ca) throws Exception {
        long now = System.currentTimeMillis();
        X500Name subjectName = new X500Name("CN=" + name);
        X500Name issuerName = issuerCert == null ? subjectName
                : new X500Name(issuerCert.getSubjectX500Principal().getName());
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(now),
                new Date(now - 60_000), new Date(now + 86_400_000L), subjectName, subject.getPublic());
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

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static Proxy entry(Path data, int node2Port, String tls) {
        return Proxy.start(ConfigLoader.parseString("proxy.data-dir = \"" + data + "\"\n"
                + "proxy.routes.entry {\n listen { transport = tcp, address = \"127.0.0.1:0\" }\n"
                + " dial { transport = quic, address = \"127.0.0.1:" + node2Port + "\", pin-local-identity = quic, "
                + "handshake-timeout = 2s, tls { " + tls + " } }\n}\n", "entry"));
    }

    private static boolean echoes(Proxy node1) throws IOException {
        InetSocketAddress entry = (InetSocketAddress) node1.boundAddresses("entry").get(0);
        byte[] payload = new byte[200_000];
        new Random(5).nextBytes(payload);
        try (Socket s = new Socket(entry.getAddress(), entry.getPort())) {
            s.setSoTimeout(10_000);
            new Thread(() -> {
                try {
                    s.getOutputStream().write(payload);
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // the read below fails the check
                }
            }).start();
            InputStream in = s.getInputStream();
            return java.util.Arrays.equals(in.readAllBytes(), payload);
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void listenerRequiringClientCertificatesAdmitsOnlyDialersWithOne(@TempDir Path dir) throws Exception {
        KeyPair caKey = ecKey();
        Pem ca = issue(dir, "clients-ca", caKey, null, caKey, true);
        X509Certificate caCert = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(ca.cert()));
        Pem client = issue(dir, "node1", ecKey(), caCert, caKey, false);

        try (TestServer server = new TestServer(TestServer.ECHO)) {
            Proxy exit = Proxy.start(ConfigLoader.parseString("proxy.data-dir = \"" + dir + "\"\n"
                    + "proxy.routes.exit {\n listen { transport = quic, address = \"127.0.0.1:0\", "
                    + "tls { client-auth = require, ca = \"" + ca.cert() + "\" } }\n"
                    + " dial { transport = tcp, address = \"127.0.0.1:" + server.port() + "\" }\n}\n", "exit"));
            try (exit) {
                int port = ((InetSocketAddress) exit.boundAddresses("exit").get(0)).getPort();
                try (Proxy good = entry(dir, port, "cert = \"" + client.cert() + "\", key = \"" + client.key() + "\"");
                     Proxy anonymous = entry(dir, port, "")) {
                    assertThat(echoes(anonymous)).as("a dialer without a client certificate is refused").isFalse();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (exit.counters("exit").rejectedTotal() == 0 && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertThat(exit.counters("exit").rejectedPeers()).containsKey("quic-tls-handshake");
                    assertThat(echoes(good)).as("a dialer with a certificate from the CA relays").isTrue();
                }
            }
        }
    }
}
