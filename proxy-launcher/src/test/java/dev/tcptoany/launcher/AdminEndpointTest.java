package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.TestServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin endpoint over real sockets: relay real connections through tcp routes, then scrape
 * /metrics, /health, /ready and /routes and check every figure against what was sent.
 */
class AdminEndpointTest {
    static final int TO_UPSTREAM = 300_001;
    static final int TO_CLIENT = 700_003;

    @TempDir
    java.nio.file.Path dataDir;

    TestServer upstream;
    int deadPort;

    @BeforeEach
    void upstream() throws Exception {
        upstream = new TestServer(s -> {
            // Read the client's bytes to its FIN, then answer with TO_CLIENT bytes and FIN.
            InputStream in = s.getInputStream();
            byte[] buf = new byte[65536];
            while (in.read(buf) >= 0) {
                // drain
            }
            s.getOutputStream().write(new byte[TO_CLIENT]);
            s.shutdownOutput();
        });
        try (ServerSocket closed = new ServerSocket(0)) {
            deadPort = closed.getLocalPort();
        }
    }

    @AfterEach
    void close() throws Exception {
        upstream.close();
    }

    Proxy start(String extra) {
        Config conf = ConfigLoader.parseString("""
                proxy.data-dir = "%s"
                proxy.admin.address = "127.0.0.1:0"
                proxy.routes.r1 { listen { transport = tcp, address = "127.0.0.1:0" }
                                  dial   { transport = tcp, address = "127.0.0.1:%d" } }
                proxy.routes.dead { listen { transport = tcp, address = "127.0.0.1:0" }
                                    dial   { transport = tcp, address = "127.0.0.1:%d" } }
                %s
                """.formatted(dataDir, upstream.port(), deadPort, extra), "admin-test.conf");
        return Proxy.start(conf);
    }

    /** Sends TO_UPSTREAM bytes and FIN, reads to EOF; returns what came back. */
    static long exchange(InetSocketAddress entry) throws Exception {
        try (Socket s = new Socket(entry.getAddress(), entry.getPort())) {
            s.setSoTimeout(10_000);
            byte[] payload = new byte[TO_UPSTREAM];
            new Random(1).nextBytes(payload);
            CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            s.getOutputStream().write(payload);
            s.shutdownOutput();
            return read.get();
        }
    }

    static void awaitClosed(Proxy proxy, String route, long accepted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            var c = proxy.counters(route);
            if (c.connectionsOpen() == 0 && c.ends().values().stream().mapToLong(Long::longValue).sum() >= accepted) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("route " + route + " still has open connections: " + proxy.counters(route));
    }

    @Test
    void metricsCountEveryByteAndConnectionRelayedAndEveryConnectionLeavesOneAccessLine() throws Exception {
        try (AccessLogCapture access = new AccessLogCapture(); Proxy proxy = start("")) {
            InetSocketAddress admin = proxy.adminAddress().orElseThrow();
            InetSocketAddress r1 = (InetSocketAddress) proxy.boundAddresses("r1").get(0);
            for (int i = 0; i < 3; i++) {
                assertThat(exchange(r1)).isEqualTo(TO_CLIENT);
            }
            InetSocketAddress dead = (InetSocketAddress) proxy.boundAddresses("dead").get(0);
            try (Socket s = new Socket(dead.getAddress(), dead.getPort())) {
                s.setSoTimeout(10_000);
                // The proxy resets the client when the upstream refuses: no byte, an abort.
                assertThat(s.getInputStream().read(new byte[1])).isLessThanOrEqualTo(-1);
            } catch (java.net.SocketException reset) {
                // the reset itself: expected
            }
            awaitClosed(proxy, "r1", 3);
            awaitClosed(proxy, "dead", 1);

            Scrape m = Scrape.get(admin, "/metrics");
            assertThat(m.status()).isEqualTo(200);
            assertThat(m.contentType()).startsWith("text/plain; version=0.0.4");
            String[] r1Labels = {"route", "r1", "listen_transport", "tcp", "dial_transport", "tcp"};
            assertThat(m.value("tcptoany_relayed_bytes_total", with(r1Labels, "direction", "client_to_upstream")))
                    .isEqualTo(3.0 * TO_UPSTREAM);
            assertThat(m.value("tcptoany_relayed_bytes_total", with(r1Labels, "direction", "upstream_to_client")))
                    .isEqualTo(3.0 * TO_CLIENT);
            assertThat(m.value("tcptoany_connections_accepted_total", r1Labels)).isEqualTo(3);
            assertThat(m.value("tcptoany_connections_open", r1Labels)).isZero();
            assertThat(m.value("tcptoany_connection_ends_total", with(r1Labels, "reason", "fin"))).isEqualTo(3);
            assertThat(m.value("tcptoany_connection_ends_total", with(r1Labels, "reason", "client-abort"))).isZero();
            assertThat(m.value("tcptoany_dial_duration_seconds_count", r1Labels)).isEqualTo(3);
            assertThat(m.value("tcptoany_dial_duration_seconds_bucket", with(r1Labels, "le", "+Inf"))).isEqualTo(3);
            assertThat(m.value("tcptoany_dial_duration_seconds_sum", r1Labels)).isPositive();
            assertThat(m.value("tcptoany_route_bound", r1Labels)).isEqualTo(1);
            assertThat(m.value("tcptoany_dial_failures_total", "route", "dead", "cause", "refused")).isEqualTo(1);
            assertThat(m.value("tcptoany_connection_ends_total", "route", "dead", "reason", "dial-failed")).isEqualTo(1);
            assertThat(m.value("tcptoany_dial_duration_seconds_count", "route", "dead")).isZero();
            // JVM and Netty memory.
            assertThat(m.has("jvm_memory_used_bytes")).isTrue();
            assertThat(m.has("jvm_threads_current")).isTrue();
            assertThat(m.has("jvm_gc_collection_seconds_count")).isTrue();
            assertThat(m.value("tcptoany_netty_pooled_direct_memory_used_bytes")).isPositive();

            List<Map<String, String>> lines = access.linesOf("r1");
            assertThat(lines).hasSize(3).allSatisfy(l -> {
                assertThat(l).containsEntry("bytes_to_upstream", String.valueOf(TO_UPSTREAM))
                        .containsEntry("bytes_to_client", String.valueOf(TO_CLIENT))
                        .containsEntry("end", "fin").containsEntry("first_end", "client")
                        .containsEntry("listen_transport", "tcp").containsEntry("dial_transport", "tcp")
                        .containsEntry("upstream", "127.0.0.1:" + upstream.port());
                assertThat(l.get("client")).startsWith("127.0.0.1:");
                assertThat(l.get("duration")).matches("[0-9.]+(us|ms|s)");
            });
            assertThat(access.linesOf("dead")).singleElement().satisfies(l -> assertThat(l)
                    .containsEntry("end", "dial-failed").containsEntry("first_end", "upstream")
                    .containsEntry("bytes_to_upstream", "0"));
            assertThat(access.messages()).anySatisfy(msg -> assertThat(msg).startsWith("route=r1 client=127.0.0.1:")
                    .contains(" bytes_to_upstream=" + TO_UPSTREAM + " bytes_to_client=" + TO_CLIENT)
                    .contains(" end=fin first_end=client"));
        }
    }

    static String[] with(String[] base, String... more) {
        String[] out = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, out, base.length, more.length);
        return out;
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() throws Exception {
        try (Proxy proxy = start("")) {
            Scrape m = Scrape.get(proxy.adminAddress().orElseThrow(), "/metrics",
                    "Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8");
            assertThat(m.status()).isEqualTo(200);
            assertThat(m.contentType()).startsWith("application/openmetrics-text");
            assertThat(m.body()).contains("# TYPE tcptoany_connections_accepted counter").endsWith("# EOF\n");
            assertThat(m.value("tcptoany_connections_accepted_total", "route", "r1")).isZero();
        }
    }

    @Test
    void healthReadyAndRoutesDescribeTheRunningRoutes() throws Exception {
        try (Proxy proxy = start("")) {
            InetSocketAddress admin = proxy.adminAddress().orElseThrow();
            InetSocketAddress r1 = (InetSocketAddress) proxy.boundAddresses("r1").get(0);
            exchange(r1);
            awaitClosed(proxy, "r1", 1);
            assertThat(Scrape.get(admin, "/health")).satisfies(h -> {
                assertThat(h.status()).isEqualTo(200);
                assertThat(h.body()).isEqualTo("ok\n");
            });
            assertThat(Scrape.get(admin, "/ready").status()).isEqualTo(200);
            Scrape routes = Scrape.get(admin, "/routes");
            assertThat(routes.status()).isEqualTo(200);
            assertThat(routes.contentType()).isEqualTo("application/json");
            assertThat(routes.body())
                    .contains("{\"name\":\"r1\",\"origin\":\"admin-test.conf")
                    .contains("\"listen\":{\"transport\":\"tcp\",\"address\":\"127.0.0.1:0\",\"bound_addresses\":[\"/127.0.0.1:"
                            + r1.getPort() + "\"]}")
                    .contains("\"dial\":{\"transport\":\"tcp\",\"address\":\"127.0.0.1:" + upstream.port() + "\"}")
                    .contains("\"bytes_to_upstream\":" + TO_UPSTREAM + ",\"bytes_to_client\":" + TO_CLIENT)
                    .contains("\"name\":\"dead\"");
            assertThat(Scrape.get(admin, "/nope").status()).isEqualTo(404);
        }
    }

    @Test
    void readyIs503WhileDraining() throws Exception {
        Proxy proxy = start("proxy.shutdown-grace = 10s");
        InetSocketAddress admin = proxy.adminAddress().orElseThrow();
        InetSocketAddress r1 = (InetSocketAddress) proxy.boundAddresses("r1").get(0);
        try (Socket open = new Socket(r1.getAddress(), r1.getPort())) {
            open.getOutputStream().write(1);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (proxy.counters("r1").connectionsOpen() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> proxy.shutdown(Duration.ofSeconds(10)));
            Scrape ready = null;
            deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < deadline) {
                ready = Scrape.get(admin, "/ready");
                if (ready.status() == 503) {
                    break;
                }
                Thread.sleep(20);
            }
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body()).contains("draining");
            open.shutdownOutput(); // lets the open connection finish, so the stop completes
            open.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            stop.get();
        } finally {
            proxy.close();
        }
    }

    @Test
    void aNonLoopbackAdminAddressNeedsAllowRemote() {
        Config refused = ConfigLoader.parseString("""
                proxy.admin.address = "0.0.0.0:9180"
                proxy.routes.r { listen { transport = tcp, address = "127.0.0.1:0" }
                                 dial   { transport = tcp, address = "127.0.0.1:1" } }
                """, "remote.conf");
        assertThat(Proxy.check(refused, Optional.empty())).singleElement().satisfies(p -> assertThat(p.getMessage())
                .startsWith("remote.conf: 1: Invalid value at 'proxy.admin.address'")
                .contains("not a loopback address").contains("proxy.admin.allow-remote = true"));
        assertThat(Proxy.check(refused.withFallback(ConfigLoader.parseString("proxy.admin.allow-remote = true", "x")),
                Optional.empty())).isEmpty();
    }
}
