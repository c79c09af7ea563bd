package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.CountingEchoServer;
import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.SocksEcho;
import dev.tcptoany.testkit.TestCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auth.clients} on a wss listener: with client certificates required (a CA and its client
 * certificates made here, checked by the host's own TLS materials), each client is named by its
 * certificate's SHA-256 and reaches only what its entry allows; one the CA signed but no entry lists
 * gets 403, which node 1's SOCKS5 client hears as "not allowed".
 */
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WssClientCertificatesTest {

    private static Proxy socksEntry(Path data, int wssPort, TestCertificates.Pem client) {
        return Proxy.start(ConfigLoader.parseString("proxy.data-dir = \"" + data + "\"\n"
                + "proxy.routes.entry {\n listen { transport = socks5, address = \"127.0.0.1:0\" }\n"
                + " dial { transport = wss, url = \"wss://127.0.0.1:" + wssPort + "/\", forward-destination = true,"
                + " tls { insecure = true, cert = \"" + client.cert() + "\", key = \"" + client.key() + "\" } }\n}\n",
                "entry"));
    }

    private static String socksEcho(Proxy node1, CountingEchoServer target) {
        return SocksEcho.echo((InetSocketAddress) node1.boundAddresses("entry").get(0), target.address(), "hi");
    }

    @Test
    void clientCertificatesSelectTheirOwnAllowLists(@TempDir Path dir) throws Exception {
        TestCertificates.Authority authority = TestCertificates.authority(dir, "clients-ca");
        TestCertificates.Pem alice = authority.issue("alice");
        TestCertificates.Pem bob = authority.issue("bob");
        TestCertificates.Pem carol = authority.issue("carol");
        try (var x = new CountingEchoServer(InetAddress.getByName("127.0.0.1"));
             var y = new CountingEchoServer(InetAddress.getByName("127.0.0.1"));
             Proxy exit = Proxy.start(ConfigLoader.parseString("proxy.data-dir = \"" + dir + "\"\n"
                     + "proxy.routes.exit {\n listen { transport = wss, address = \"127.0.0.1:0\",\n"
                     + "  tls { client-auth = require, ca = \"" + authority.pem().cert() + "\" }\n"
                     + "  auth.clients {\n"
                     + "   alice { cert-sha256 = \"" + alice.sha256() + "\", allow = [\"127.0.0.1:" + x.port() + "\"] }\n"
                     + "   bob { cert-sha256 = \"" + bob.sha256() + "\", allow = [\"127.0.0.1:" + y.port() + "\"] }\n"
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
                assertThat(exit.counters("exit").rejectedPeers()).containsEntry("ws-unknown-client", 1L)
                        .containsEntry("destination-not-allowed", 2L);
            }
        }
    }
}
