package dev.tcptoany.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TestDnsServer;
import dev.tcptoany.testkit.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A tcp dial to a host name goes through the host's asynchronous resolver ({@code proxy.dns}):
 * real routes, a real upstream and a real DNS server on loopback UDP.
 */
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpDialerNameResolutionTest {

    @Test
    void aDialAddressByNameIsResolvedByTheConfiguredDnsServerAndRelaysBytesIntact() throws Exception {
        try (TestServer server = new TestServer();
             TestDnsServer dns = TestDnsServer.answering(Map.of("upstream.test", InetAddress.getByName("127.0.0.1")));
             Proxy proxy = Proxy.start(ConfigLoader.parseString(common(dns)
                     + route("byname", "upstream.test:" + server.port()), "dns-answering"))) {
            byte[] payload = new byte[2 * 1024 * 1024];
            new Random(13).nextBytes(payload);
            try (Socket s = connect(proxy, "byname")) {
                byte[] back = echo(s, payload);
                assertThat(RelayBehaviourSuite.sha256(back)).isEqualTo(RelayBehaviourSuite.sha256(payload));
            }
            assertThat(dns.questions()).contains("upstream.test A");
        }
    }

    @Test
    void aSilentDnsServerFailsTheDialWithinTheQueryTimeoutWhileTheSameLoopKeepsRelaying() throws Exception {
        ListAppender<ILoggingEvent> relayLog = new ListAppender<>();
        Logger relayLogger = (Logger) LoggerFactory.getLogger("dev.tcptoany.core.Relay");
        relayLog.start();
        relayLogger.addAppender(relayLog);
        // One I/O loop, so the named dial and the literal route share it; the connect timeout is far
        // beyond the query timeout, so only the resolver can end the named dial in time.
        try (TestServer server = new TestServer();
             TestDnsServer dns = TestDnsServer.silent();
             Proxy proxy = Proxy.start(ConfigLoader.parseString(common(dns)
                     + "proxy.event-loop.threads = 1\n"
                     + "proxy.dns.query-timeout = 3s\n"
                     + "proxy.route-defaults.connect-timeout = 60s\n"
                     + route("byname", "upstream.test:" + server.port())
                     + route("literal", "127.0.0.1:" + server.port()), "dns-silent"))) {
            long start = System.nanoTime();
            Socket named = connect(proxy, "byname");
            named.getOutputStream().write(1);
            CompletableFuture<Long> namedClosedAt = CompletableFuture.supplyAsync(() -> {
                int end = readOrReset(named);
                return end == -2 ? System.nanoTime() : -1L;
            });
            awaitQuestion(dns, "upstream.test A");

            // The query is out and will never be answered. Until the named dial fails, connections on
            // the same loop keep being accepted, dialled and relayed, each round trip far quicker than
            // the query timeout (a resolver that held the loop until its answer or timeout would
            // stall one of them for up to 3 s).
            byte[] payload = new byte[64 * 1024];
            new Random(14).nextBytes(payload);
            int rounds = 0;
            long slowestMillis = 0;
            while (!namedClosedAt.isDone()) {
                long roundStart = System.nanoTime();
                try (Socket literal = connect(proxy, "literal")) {
                    assertThat(echo(literal, payload)).isEqualTo(payload);
                }
                slowestMillis = Math.max(slowestMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - roundStart));
                rounds++;
            }
            long closedAt = namedClosedAt.get(20, TimeUnit.SECONDS);
            named.close();
            assertThat(closedAt).as("the client of the named route is reset").isPositive();
            assertThat(rounds).as("literal round trips while the named dial waited for DNS").isGreaterThan(3);
            assertThat(slowestMillis).as("slowest literal round trip while the loop's DNS query was outstanding")
                    .isLessThan(1_500L);
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(closedAt - start);
            assertThat(waitedMillis).as("failed by the 3 s query timeout, not the 60 s connect timeout")
                    .isBetween(2_500L, 20_000L);
            assertThat(proxy.counters("byname").dialFailures()).isEqualTo(1);
            assertThat(proxy.counters("literal").dialFailures()).isZero();
            assertThat(dns.questions()).contains("upstream.test A")
                    .noneMatch(q -> q.startsWith("127.0.0.1"));
            assertThat(relayLog.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).contains("route byname")
                            .contains("cannot resolve 'upstream.test'")
                            .contains("no answer from " + dns.hostPort() + " within 3000 ms"));
        } finally {
            relayLogger.detachAppender(relayLog);
        }
    }

    @Test
    void hostsFileNamesAndIpLiteralsNeverReachDns() throws Exception {
        // localhost comes from /etc/hosts, 127.0.0.1 is an address already: a DNS server that never
        // answers must not delay either.
        try (TestServer server = new TestServer();
             TestDnsServer dns = TestDnsServer.silent();
             Proxy proxy = Proxy.start(ConfigLoader.parseString(common(dns)
                     + "proxy.dns.query-timeout = 5s\n"
                     + route("hosts", "localhost:" + server.port())
                     + route("literal", "127.0.0.1:" + server.port()), "dns-hosts-file"))) {
            byte[] payload = "no DNS needed".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            for (String route : new String[] {"hosts", "literal"}) {
                try (Socket s = connect(proxy, route)) {
                    assertThat(echo(s, payload)).isEqualTo(payload);
                }
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3_000L);
            assertThat(dns.questions()).isEmpty();
        }
    }

    @Test
    void anUnknownNameFailsTheDialAtOnceNamingTheHost() throws Exception {
        ListAppender<ILoggingEvent> relayLog = new ListAppender<>();
        Logger relayLogger = (Logger) LoggerFactory.getLogger("dev.tcptoany.core.Relay");
        relayLog.start();
        relayLogger.addAppender(relayLog);
        try (TestServer server = new TestServer();
             TestDnsServer dns = TestDnsServer.answering(Map.of("upstream.test", InetAddress.getByName("127.0.0.1")));
             Proxy proxy = Proxy.start(ConfigLoader.parseString(common(dns)
                     + route("typo", "upstram.test:" + server.port()), "dns-nxdomain"));
             Socket s = connect(proxy, "typo")) {
            long start = System.nanoTime();
            assertThat(readOrReset(s)).as("the client is reset").isEqualTo(-2);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000L);
            assertThat(relayLog.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).contains("cannot resolve 'upstram.test'"));
        } finally {
            relayLogger.detachAppender(relayLog);
        }
    }

    /** Waits until the DNS server has received {@code question}. */
    static void awaitQuestion(TestDnsServer dns, String question) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!dns.questions().contains(question)) {
            assertThat(System.nanoTime()).as("DNS question '" + question + "' within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static String common(TestDnsServer dns) throws IOException {
        return "proxy.data-dir = \"" + Files.createTempDirectory("tcp2any-dns").toString().replace("\\", "/") + "\"\n"
                + "proxy.dns.servers = [\"" + dns.hostPort() + "\"]\n";
    }

    private static String route(String name, String dialAddress) {
        return "proxy.routes." + name + " {\n listen { transport = tcp, address = \"127.0.0.1:0\" }\n"
                + " dial { transport = tcp, address = \"" + dialAddress + "\" }\n}\n";
    }

    private static Socket connect(Proxy proxy, String route) throws IOException {
        Socket s = new Socket();
        s.connect(proxy.boundAddresses(route).get(0), 5000);
        s.setSoTimeout(20_000);
        return s;
    }

    /** Sends {@code payload} and FIN, returns what came back until the echo server's FIN. */
    private static byte[] echo(Socket s, byte[] payload) throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                s.getOutputStream().write(payload);
                s.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] back = RelayBehaviourSuite.readToEof(s.getInputStream());
        writer.get(20, TimeUnit.SECONDS);
        return back;
    }

    /** -1 on a clean end, -2 on a reset; blocks until one or the other. */
    private static int readOrReset(Socket s) {
        try {
            int r;
            while ((r = s.getInputStream().read()) >= 0) {
                // nothing is expected before the end
            }
            return r;
        } catch (SocketException e) {
            return -2;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
