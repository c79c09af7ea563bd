package dev.tcptoany.transport.ws;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The ws dialer resolves the URL's host, and an HTTP proxy's, with the host's resolver
 * ({@code proxy.dns}): two real nodes and a real DNS server on loopback UDP.
 */
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketDialerNameResolutionTest {

    /** Node 1 dials node 2 by the name {@code upstream.test}, optionally through an HTTP proxy. */
    private static TunnelSpec wsByName(String proxy) {
        return TunnelSpec.of("ws-by-name", "transport = ws, address = \"127.0.0.1:0\"",
                a -> "transport = ws, url = \"ws://upstream.test:" + a.getPort() + "/\"" + proxy);
    }

    private static String dnsServers(TestDnsServer dns) {
        return "proxy.dns.servers = [\"" + dns.hostPort() + "\"]\nproxy.dns.query-timeout = 1500ms\n";
    }

    @Test
    void aUrlHostIsResolvedByTheConfiguredDnsServer() throws Exception {
        try (TestServer server = new TestServer();
             TestDnsServer dns = TestDnsServer.answering(Map.of("upstream.test", InetAddress.getByName("127.0.0.1")));
             ProxyNodes nodes = new ProxyNodes(wsByName(""), server.address(), Files.createTempDirectory("ws-dns"),
                     dnsServers(dns))) {
            assertEchoes(nodes);
            assertThat(dns.questions()).contains("upstream.test A");
        }
    }

    @Test
    void anHttpProxyNamedByHostIsResolvedByTheConfiguredDnsServer() throws Exception {
        // The target's name is the proxy's to resolve (it may be internal to the proxy's network):
        // only the proxy's own name goes to our DNS.
        try (TestServer server = new TestServer();
             ConnectProxy proxy = new ConnectProxy(null, null);
             TestDnsServer dns = TestDnsServer.answering(Map.of("proxy.test", InetAddress.getByName("127.0.0.1")));
             ProxyNodes nodes = new ProxyNodes(TunnelSpec.of("ws-via-named-proxy",
                     "transport = ws, address = \"127.0.0.1:0\"",
                     a -> "transport = ws, url = \"ws://127.0.0.1:" + a.getPort() + "/\", proxy = \"http://proxy.test:"
                             + proxy.port() + "\""),
                     server.address(), Files.createTempDirectory("ws-dns-proxy"), dnsServers(dns))) {
            assertEchoes(nodes);
            assertThat(proxy.tunnels).hasSize(1);
            assertThat(dns.questions()).contains("proxy.test A");
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
             ProxyNodes nodes = new ProxyNodes(wsByName(""), server.address(), Files.createTempDirectory("ws-dns-silent"),
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

    private static void assertEchoes(ProxyNodes nodes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(nodes.entry(), 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write("over ws, by name".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(RelayBehaviourSuite.readToEof(s.getInputStream())).asString().isEqualTo("over ws, by name");
        }
    }
}
