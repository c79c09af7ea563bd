package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.SocksEcho;
import dev.tcptoany.testkit.TestCertificates;
import dev.tcptoany.testkit.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
        TestCertificates.Authority authority = TestCertificates.authority(dir, "clients-ca");
        TestCertificates.Pem ca = authority.pem();
        TestCertificates.Pem client = authority.issue("node1");

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

    /** node 1 for one client: socks5 in, quic out with that client's certificate. */
    private static Proxy socksEntry(Path data, int node2Port, TestCertificates.Pem client) {
        return Proxy.start(ConfigLoader.parseString("proxy.data-dir = \"" + data + "\"\n"
                + "proxy.routes.entry {\n listen { transport = socks5, address = \"127.0.0.1:0\" }\n"
                + " dial { transport = quic, address = \"127.0.0.1:" + node2Port + "\", pin-local-identity = quic,"
                + " forward-destination = true, handshake-timeout = 2s,"
                + " tls { cert = \"" + client.cert() + "\", key = \"" + client.key() + "\" } }\n}\n", "entry"));
    }

    private static String socksEcho(Proxy node1, dev.tcptoany.testkit.CountingEchoServer target) {
        return SocksEcho.echo((InetSocketAddress) node1.boundAddresses("entry").get(0), target.address(), "hi");
    }

    /**
     * auth.clients: the exit names each client by its certificate's SHA-256 and judges its streams
     * with that entry's allow list; a certificate the CA signed but no entry lists is refused.
     */
    @Test
    void clientCertificatesSelectTheirOwnAllowLists(@TempDir Path dir) throws Exception {
        TestCertificates.Authority authority = TestCertificates.authority(dir, "clients-ca");
        TestCertificates.Pem ca = authority.pem();
        TestCertificates.Pem alice = authority.issue("alice");
        TestCertificates.Pem bob = authority.issue("bob");
        TestCertificates.Pem carol = authority.issue("carol");
        try (var x = new dev.tcptoany.testkit.CountingEchoServer(java.net.InetAddress.getByName("127.0.0.1"));
             var y = new dev.tcptoany.testkit.CountingEchoServer(java.net.InetAddress.getByName("127.0.0.1"));
             Proxy exit = Proxy.start(ConfigLoader.parseString("proxy.data-dir = \"" + dir + "\"\n"
                     + "proxy.routes.exit {\n listen { transport = quic, address = \"127.0.0.1:0\",\n"
                     + "  tls { client-auth = require, ca = \"" + ca.cert() + "\" }\n"
                     + "  auth.clients {\n"
                     + "   alice { cert-sha256 = \"" + alice.sha256() + "\", allow = [\"127.0.0.1:" + x.port() + "\"] }\n"
                     + "   bob { cert-sha256 = \"" + bob.sha256().toLowerCase() + "\", allow = [\"127.0.0.1:" + y.port() + "\"] }\n"
                     + "  } }\n"
                     + " dial { transport = tcp, address = dynamic, allow = [\"127.0.0.0/8\"] }\n}\n", "exit"))) {
            int port = ((InetSocketAddress) exit.boundAddresses("exit").get(0)).getPort();
            try (Proxy a = socksEntry(dir, port, alice); Proxy b = socksEntry(dir, port, bob);
                 Proxy c = socksEntry(dir, port, carol)) {
                assertThat(socksEcho(a, x)).isEqualTo("hi");
                assertThat(socksEcho(a, y)).contains("not allowed");
                assertThat(socksEcho(b, y)).isEqualTo("hi");
                assertThat(socksEcho(b, x)).contains("not allowed");
                assertThat(socksEcho(c, x)).as("signed by the CA, listed nowhere").contains("not allowed");
                assertThat(x.accepted()).isEqualTo(1);
                assertThat(y.accepted()).isEqualTo(1);
                assertThat(exit.counters("exit").rejectedPeers()).containsEntry("quic-unknown-client", 1L)
                        .containsEntry("destination-not-allowed", 2L);
            }
        }
    }

    @Test
    void clientEntriesNeedRequiredClientCertificates() {
        var problems = Proxy.check(ConfigLoader.parseString("proxy.routes.exit {\n"
                + " listen { transport = quic, address = \"127.0.0.1:0\"\n"
                + "  auth.clients { a { cert-sha256 = \"" + "ab".repeat(31) + "cd\" } } }\n"
                + " dial { transport = tcp, address = dynamic, allow = [any] }\n}\n", "exit.conf"),
                java.util.Optional.empty());
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).getMessage()).contains("exit.conf: 3").contains("auth.clients")
                .contains("client-auth = require");
    }
}
