package dev.tcptoany.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.ProxyNodes;
import dev.tcptoany.testkit.TestServer;
import dev.tcptoany.testkit.TunnelSpec;
import io.netty.channel.epoll.Epoll;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Spliced bytes never reach a handler, yet they are activity: a connection that keeps echoing
 * through spliced relays outlives the idle timeout several times over, and closes once it stops.
 */
@ExtendWith(LeakDetection.class)
class SpliceIdleTimeoutTest {

    @Test
    void splicedTrafficKeepsTheConnectionOpenAndSilenceClosesIt() throws Exception {
        Assumptions.assumeTrue(Epoll.isAvailable(), "splice(2) needs Netty's epoll transport (Linux)");
        Path data = Files.createTempDirectory("tcp2any-splice-idle");
        try (TestServer server = new TestServer();
             ProxyNodes nodes = new ProxyNodes(TunnelSpec.tcp(), server.address(), data,
                     "proxy.event-loop.kind = epoll\nproxy.route-defaults.splice = auto\n"
                             + "proxy.route-defaults.idle-timeout = 500ms");
             Socket s = new Socket(nodes.entry().getAddress(), nodes.entry().getPort())) {
            s.setSoTimeout(10_000);
            for (int i = 0; i < 15; i++) { // 15 x 150 ms: three idle timeouts
                s.getOutputStream().write(i);
                assertThat(s.getInputStream().read()).as("echo %d through the spliced relays", i).isEqualTo(i);
                Thread.sleep(150);
            }
            assertThat(nodes.node1().counters("node1").splicedDirections()).isEqualTo(2);
            assertThat(nodes.node1().counters("node1").bytesToClient()).isEqualTo(15);
            assertThat(s.getInputStream().read()).as("closed once idle").isEqualTo(-1);
            // Both nodes time out about together; whichever was first ends its connection, and the
            // other sees that end relayed.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            long idleEnds;
            do {
                idleEnds = nodes.node1().counters("node1").ends().get("idle-timeout")
                        + nodes.node2().counters("node2").ends().get("idle-timeout");
                Thread.sleep(20);
            } while (idleEnds == 0 && System.nanoTime() < deadline);
            assertThat(idleEnds).as("connections ended by the idle timeout").isPositive();
        }
    }
}
