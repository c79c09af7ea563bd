package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.tcptoany.core.CertificateFingerprints;
import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.ProxyNodes;
import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TestServer;
import dev.tcptoany.testkit.TunnelSpec;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A QUIC dialer whose pin is not node 2's certificate: QUIC's handshake error says only
 * CERTIFICATE_VERIFY_FAILED, so the host logs the line that names the pin received and the pins
 * expected (through two real nodes, real QUIC on loopback).
 */
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuicPinMismatchTest {

    @Test
    void aPinMismatchLogsThePinReceivedAndThePinExpected() throws Exception {
        String wrongPin = "01:02:".repeat(15) + "01:02";
        Path data = Files.createTempDirectory("quic-pin");
        TunnelSpec mispinned = TunnelSpec.of("quic-mispinned", "transport = quic, address = \"127.0.0.1:0\"",
                a -> "transport = quic, address = \"127.0.0.1:" + a.getPort() + "\", tls { pin-sha256 = [\"" + wrongPin + "\"] }");
        Logger trustLog = (Logger) LoggerFactory.getLogger("dev.tcptoany.core.PinnedCertificateTrust");
        List<String> lines = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
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
            String served = CertificateFingerprints.identities(data.resolve("tls")).get(0).sha256();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lines.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(lines).anySatisfy(l -> assertThat(l)
                    .contains("certificate pin mismatch")
                    .contains("presented SHA-256 " + served)
                    .contains("expected tls.pin-sha256 [" + wrongPin + "]")
                    .contains("tcp-to-any-proxy fingerprint"));
        } finally {
            trustLog.detachAppender(capture);
        }
    }
}
