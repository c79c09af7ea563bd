package dev.tcptoany.examples.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.core.RouteCounters;
import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The embedding example, run against a real echo server. */
@ExtendWith(LeakDetection.class)
class EmbeddingExampleTest {
    @Test
    void relaysThroughBothEmbeddedNodesAndReportsCounters() throws Exception {
        try (TestServer echo = new TestServer()) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            RouteCounters.Snapshot c = EmbeddingExample.run("127.0.0.1:" + echo.port(),
                    new PrintStream(buf, true, StandardCharsets.UTF_8));
            String out = buf.toString(StandardCharsets.UTF_8);
            assertThat(out).contains("node 1 listens on /127.0.0.1:").contains("answer: hello through two hops");
            int sent = "hello through two hops\n".length();
            assertThat(c.connectionsTotal()).isEqualTo(1);
            assertThat(c.connectionsOpen()).isZero();
            assertThat(c.bytesToUpstream()).isEqualTo(sent);
            assertThat(c.bytesToClient()).isEqualTo(sent);
            assertThat(c.dialFailures()).isZero();
            assertThat(out).contains(sent + " bytes to upstream");
        }
    }
}
