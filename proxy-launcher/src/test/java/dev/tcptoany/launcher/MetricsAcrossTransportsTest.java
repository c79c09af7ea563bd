package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.TestServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly N bytes each way through a tcp -> quic -> tcp and a tcp -> ws -> tcp tunnel in one
 * process: /metrics shows N on every hop, the connection counts match, and the transports' own
 * values (QUIC connections, streams, RTT; ws refusals) are there.
 */
class MetricsAcrossTransportsTest {
    @TempDir
    Path dataDir;

    @Test
    void everyHopCountsExactlyTheBytesSentAndTransportsPublishTheirValues() throws Exception {
        int quicPort = dev.tcptoany.testkit.UnusedPort.pick();
        int wsPort = dev.tcptoany.testkit.UnusedPort.pick();
        try (TestServer upstream = new TestServer(s -> {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[65536];
                    while (in.read(buf) >= 0) {
                        // drain to the client's FIN
                    }
                    s.getOutputStream().write(new byte[AdminEndpointTest.TO_CLIENT]);
                    s.shutdownOutput();
                });
             AccessLogCapture access = new AccessLogCapture();
             Proxy proxy = Proxy.start(ConfigLoader.parseString("""
                     proxy.data-dir = "%s"
                     proxy.admin.address = "127.0.0.1:0"
                     proxy.routes {
                       quic-entry { listen { transport = tcp, address = "127.0.0.1:0" }
                                    dial { transport = quic, address = "127.0.0.1:%d", pin-local-identity = quic } }
                       quic-exit  { listen { transport = quic, address = "127.0.0.1:%d" }
                                    dial { transport = tcp, address = "127.0.0.1:%d" } }
                       ws-entry   { listen { transport = tcp, address = "127.0.0.1:0" }
                                    dial { transport = ws, url = "ws://127.0.0.1:%d/t" } }
                       ws-exit    { listen { transport = ws, address = "127.0.0.1:%d", path = "/t" }
                                    dial { transport = tcp, address = "127.0.0.1:%d" } }
                     }
                     """.formatted(dataDir, quicPort, quicPort, upstream.port(), wsPort, wsPort, upstream.port()),
                     "transports.conf"))) {
            for (String entry : new String[] {"quic-entry", "ws-entry"}) {
                for (int i = 0; i < 2; i++) {
                    assertThat(AdminEndpointTest.exchange((InetSocketAddress) proxy.boundAddresses(entry).get(0)))
                            .isEqualTo(AdminEndpointTest.TO_CLIENT);
                }
            }
            for (String route : proxy.routeNames()) {
                AdminEndpointTest.awaitClosed(proxy, route, 2);
            }
            InetSocketAddress admin = proxy.adminAddress().orElseThrow();
            // A refused upgrade: wrong path.
            try (java.net.Socket raw = new java.net.Socket("127.0.0.1", wsPort)) {
                raw.setSoTimeout(5000);
                raw.getOutputStream().write(("GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String status = new String(raw.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
                assertThat(status).startsWith("HTTP/1.1 4");
            }

            Scrape m = Scrape.get(admin, "/metrics");
            String[][] hops = {
                {"quic-entry", "tcp", "quic"}, {"quic-exit", "quic", "tcp"}, {"ws-entry", "tcp", "ws"}, {"ws-exit", "ws", "tcp"}};
            for (String[] hop : hops) {
                String[] labels = {"route", hop[0], "listen_transport", hop[1], "dial_transport", hop[2]};
                assertThat(m.value("tcptoany_relayed_bytes_total", AdminEndpointTest.with(labels, "direction", "client_to_upstream")))
                        .as(hop[0]).isEqualTo(2.0 * AdminEndpointTest.TO_UPSTREAM);
                assertThat(m.value("tcptoany_relayed_bytes_total", AdminEndpointTest.with(labels, "direction", "upstream_to_client")))
                        .as(hop[0]).isEqualTo(2.0 * AdminEndpointTest.TO_CLIENT);
                assertThat(m.value("tcptoany_connections_accepted_total", labels)).as(hop[0]).isEqualTo(2);
                assertThat(m.value("tcptoany_connection_ends_total", AdminEndpointTest.with(labels, "reason", "fin")))
                        .as(hop[0]).isEqualTo(2);
                assertThat(access.linesOf(hop[0])).as(hop[0]).hasSize(2);
            }
            // The QUIC transport's own values: one pooled connection each way at least, streams gone, an RTT.
            assertThat(m.value("tcptoany_quic_connections", "route", "quic-entry", "side", "dial")).isPositive();
            assertThat(m.value("tcptoany_quic_connections", "route", "quic-exit", "side", "listen")).isPositive();
            assertThat(m.value("tcptoany_quic_streams", "route", "quic-exit", "side", "listen")).isZero();
            assertThat(m.value("tcptoany_quic_smoothed_rtt_seconds", "route", "quic-entry", "side", "dial"))
                    .isPositive().isLessThan(1);
            assertThat(m.value("tcptoany_quic_congestion_window_bytes", "route", "quic-entry", "side", "dial")).isPositive();
            assertThat(m.value("tcptoany_quic_packets_lost_total", "route", "quic-entry", "side", "dial")).isNotNegative();
            assertThat(m.value("tcptoany_quic_datagrams_dropped_total", "route", "quic-exit", "side", "listen")).isZero();
            assertThat(m.value("tcptoany_ws_handshakes_rejected_total", "route", "ws-exit", "side", "listen"))
                    .isEqualTo(1);
        }
    }
}
