package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.ProxyNodes;
import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TestDnsServer;
import dev.tcptoany.testkit.TestServer;
import dev.tcptoany.testkit.TunnelSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The quic dialer resolves its upstream's name with the host's resolver ({@code proxy.dns}) on the
 * slot's loop instead of the JDK's blocking one: two real nodes and a real DNS server on loopback UDP.
 */
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuicDialerNameResolutionTest {

    /** Node 1 dials node 2 by the name {@code upstream.test}, pinning node 2's generated identity. */
    private static final TunnelSpec QUIC_BY_NAME = TunnelSpec.of("quic-by-name",
            "transport = quic, address = \"127.0.0.1:0\"",
            a -> "transport = quic, address = \"upstream.test:" + a.getPort() + "\", pin-local-identity = quic");

    private static String dnsServers(TestDnsServer dns) {
        return "proxy.dns.servers = [\"" + dns.hostPort() + "\"]\nproxy.dns.query-timeout = 1500ms\n";
    }

    @Test
    void anUpstreamByNameIsResolvedByTheConfiguredDnsServerAndRelaysBytesIntact() throws Exception {
        try (TestServer server = new TestServer();
             TestDnsServer dns = TestDnsServer.answering(Map.of("upstream.test", InetAddress.getByName("127.0.0.1")));
             ProxyNodes nodes = new ProxyNodes(QUIC_BY_NAME, server.address(), Files.createTempDirectory("quic-dns"),
                     dnsServers(dns));
             Socket s = new Socket()) {
            byte[] payload = new byte[1024 * 1024];
            new Random(21).nextBytes(payload);
            s.connect(nodes.entry(), 5000);
            s.setSoTimeout(20_000);
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(payload);
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // the comparison below fails
                }
            });
            writer.start();
            byte[] back = RelayBehaviourSuite.readToEof(s.getInputStream());
            writer.join();
            assertThat(RelayBehaviourSuite.sha256(back)).isEqualTo(RelayBehaviourSuite.sha256(payload));
            assertThat(dns.questions()).contains("upstream.test A");
        }
    }

    @Test
    void aSilentDnsServerFailsTheDialAfterTheQueryTimeoutNamingTheHost() throws Exception {
        ListAppender<ILoggingEvent> relayLog = new ListAppender<>();
        Logger relayLogger = (Logger) LoggerFactory.getLogger("dev.tcptoany.core.Relay");
        relayLog.start();
        relayLogger.addAppender(relayLog);
        try (TestServer server = new TestServer();
             TestDnsServer dns = TestDnsServer.silent();
             ProxyNodes nodes = new ProxyNodes(QUIC_BY_NAME, server.address(),
                     Files.createTempDirectory("quic-dns-silent"),
                     dnsServers(dns) + "proxy.route-defaults.connect-timeout = 60s\n");
             Socket s = new Socket()) {
            s.connect(nodes.entry(), 5000);
            s.setSoTimeout(20_000);
            long start = System.nanoTime();
            s.getOutputStream().write(1);
            boolean reset = false;
            try {
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            } catch (IOException e) {
                reset = true;
            }
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(reset).as("the client is reset").isTrue();
            assertThat(waitedMillis).as("ended by the 1500 ms query timeout").isBetween(1_000L, 15_000L);
            assertThat(nodes.node1().counters("node1").dialFailures()).isEqualTo(1);
            assertThat(dns.questions()).contains("upstream.test A");
            assertThat(relayLog.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).contains("route node1")
                            .contains("cannot resolve 'upstream.test'")
                            .contains("no answer from " + dns.hostPort() + " within 1500 ms"));
        } finally {
            relayLogger.detachAppender(relayLog);
        }
    }
}
