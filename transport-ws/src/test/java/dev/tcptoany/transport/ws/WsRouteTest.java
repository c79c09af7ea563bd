package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.ProxyNodes;
import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TestServer;
import dev.tcptoany.testkit.TunnelSpec;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Whole routes through two proxy nodes: an HTTP CONNECT proxy on the way, a refused upgrade. */
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsRouteTest {

    @Test
    void tcpOverWssThroughAnHttpConnectProxyKeepsHalfClose() throws Exception {
        String tls = TestTls.INSTANCE.writePem(Files.createTempDirectory("wss-route"));
        String pin = TestTls.INSTANCE.identity.sha256Fingerprint();
        try (TestServer server = new TestServer(); ConnectProxy proxy = new ConnectProxy("u", "p");
             ProxyNodes nodes = new ProxyNodes(TunnelSpec.of("wss-via-proxy",
                     "transport = wss, address = \"127.0.0.1:0\", " + tls,
                     a -> "transport = wss, url = \"https://127.0.0.1:" + a.getPort() + "/\", proxy = \""
                             + proxy.url("u", "p") + "\", tls { pin-sha256 = [\"" + pin + "\"] }"),
                     server.address(), Files.createTempDirectory("wss-route-data"), "")) {
            byte[] payload = new byte[3 * 1024 * 1024];
            new Random(9).nextBytes(payload);
            try (Socket s = new Socket()) {
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
                assertThat(back.length).isEqualTo(payload.length);
                assertThat(RelayBehaviourSuite.sha256(back)).isEqualTo(RelayBehaviourSuite.sha256(payload));
            }
            assertThat(proxy.tunnels).hasSize(1);
        }
    }

    @Test
    void wssWithAGeneratedCertificateServesAcrossRestarts() throws Exception {
        java.nio.file.Path data = Files.createTempDirectory("wss-generated");
        TunnelSpec generated = TunnelSpec.of("wss-generated", "transport = wss, address = \"127.0.0.1:0\"",
                a -> "transport = wss, url = \"wss://127.0.0.1:" + a.getPort() + "/\", tls { insecure = true }");
        try (TestServer server = new TestServer()) {
            for (int run = 0; run < 2; run++) { // the second start loads the key the first one kept
                try (ProxyNodes nodes = new ProxyNodes(generated, server.address(), data, "");
                     Socket s = new Socket()) {
                    s.connect(nodes.entry(), 5000);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("over wss".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    assertThat(RelayBehaviourSuite.readToEof(s.getInputStream())).asString().isEqualTo("over wss");
                }
            }
        }
    }

    @Test
    void refusedUpgradeClosesTheClientPromptlyAndCountsADialFailure() throws Exception {
        try (TestServer server = new TestServer();
             ProxyNodes nodes = new ProxyNodes(TunnelSpec.of("ws-token",
                     "transport = ws, address = \"127.0.0.1:0\", auth.token = s3cret",
                     a -> "transport = ws, url = \"ws://127.0.0.1:" + a.getPort() + "/\""),
                     server.address(), Files.createTempDirectory("ws-route-data"), "")) {
            try (Socket s = new Socket()) {
                s.connect(nodes.entry(), 5000);
                s.setSoTimeout(10_000);
                long start = System.nanoTime();
                try {
                    assertThat(s.getInputStream().read()).isEqualTo(-1);
                } catch (IOException reset) {
                    // a reset is also a prompt end
                }
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
            }
            assertThat(nodes.node1().counters("node1").dialFailures()).isEqualTo(1);
        }
    }

    /** A wss dialer whose pin is not the listener's certificate: the refusal names both pins. */
    @Test
    void aPinMismatchLogsThePinReceivedAndThePinExpected() throws Exception {
        String wrongPin = "01:02:".repeat(15) + "01:02";
        java.nio.file.Path data = Files.createTempDirectory("wss-pin");
        TunnelSpec mispinned = TunnelSpec.of("wss-mispinned", "transport = wss, address = \"127.0.0.1:0\"",
                a -> "transport = wss, url = \"wss://127.0.0.1:" + a.getPort() + "/\", tls { pin-sha256 = [\"" + wrongPin + "\"] }");
        ch.qos.logback.classic.Logger trustLog = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger("dev.tcptoany.core.PinnedCertificateTrust");
        java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> capture = new ch.qos.logback.core.AppenderBase<>() {
            @Override
            protected void append(ch.qos.logback.classic.spi.ILoggingEvent e) {
                lines.add(e.getFormattedMessage());
            }
        };
        capture.setContext(trustLog.getLoggerContext());
        capture.start();
        trustLog.addAppender(capture);
        try (TestServer server = new TestServer(); ProxyNodes nodes = new ProxyNodes(mispinned, server.address(), data, "")) {
            try (Socket s = new Socket()) {
                s.connect(nodes.entry(), 5000);
                s.setSoTimeout(20_000);
                s.getOutputStream().write("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                assertThat(RelayBehaviourSuite.readToEof(s.getInputStream())).as("nothing comes back").isEmpty();
            } catch (IOException reset) {
                // node 1 resets the client when the upstream cannot be reached: expected
            }
            String served = dev.tcptoany.core.CertificateFingerprints.identities(data.resolve("tls")).get(0).sha256();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lines.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(lines).anySatisfy(l -> assertThat(l)
                    .contains("certificate pin mismatch")
                    .contains("presented SHA-256 " + served)
                    .contains("expected tls.pin-sha256 [" + wrongPin + "]"));
        } finally {
            trustLog.detachAppender(capture);
        }
    }
}
