package dev.tcptoany.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.ProxyNodes;
import dev.tcptoany.testkit.TestServer;
import dev.tcptoany.testkit.TunnelSpec;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The relay's idle and half-closed timeouts end connections nobody finishes. */
@ExtendWith(LeakDetection.class)
class RelayTimeoutsTest {

    @Test
    void idleConnectionIsClosed() throws Exception {
        Path data = Files.createTempDirectory("tcp2any-timeouts");
        try (TestServer server = new TestServer();
             ProxyNodes nodes = new ProxyNodes(TunnelSpec.tcp(), server.address(), data,
                     "proxy.route-defaults.idle-timeout = 400ms");
             Socket s = new Socket(nodes.entry().getAddress(), nodes.entry().getPort())) {
            s.setSoTimeout(10_000);
            long start = System.nanoTime();
            int r = readOrReset(s);
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(r).isEqualTo(-1);
            assertThat(elapsedMs).isBetween(300L, 5000L);
        }
    }

    @Test
    void halfClosedConnectionThatNeverFinishesIsAborted() throws Exception {
        Path data = Files.createTempDirectory("tcp2any-timeouts");
        // The server reads the client's FIN but never sends its own.
        try (TestServer server = new TestServer(s -> {
                 s.getInputStream().readAllBytes();
                 try {
                     Thread.sleep(20_000);
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
             });
             ProxyNodes nodes = new ProxyNodes(TunnelSpec.tcp(), server.address(), data,
                     "proxy.route-defaults.half-closed-timeout = 400ms");
             Socket s = new Socket(nodes.entry().getAddress(), nodes.entry().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(1);
            s.shutdownOutput();
            long start = System.nanoTime();
            int r = readOrReset(s);
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(r).as("aborted, not ended cleanly").isEqualTo(-2);
            assertThat(elapsedMs).isBetween(300L, 5000L);
        }
    }

    @Test
    void connectionsStillOpenWhenTheGracePeriodEndsAreAbortedNotEnded() throws Exception {
        Path data = Files.createTempDirectory("tcp2any-timeouts");
        // An upstream that never answers and never ends: the transfer is cut by the stop.
        java.util.concurrent.CountDownLatch upstreamSawEnd = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger upstreamEnd = new java.util.concurrent.atomic.AtomicInteger();
        try (TestServer server = new TestServer(s -> {
                 s.setSoTimeout(20_000);
                 s.getInputStream().read(); // the client's byte
                 upstreamEnd.set(readOrReset(s));
                 upstreamSawEnd.countDown();
             });
             ProxyNodes nodes = new ProxyNodes(TunnelSpec.tcp(), server.address(), data, "");
             Socket s = new Socket(nodes.entry().getAddress(), nodes.entry().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(1);
            Thread.sleep(200); // relayed to the upstream, which holds it
            nodes.node1().shutdown(java.time.Duration.ofMillis(300));
            assertThat(readOrReset(s)).as("the client sees a reset, not a clean end").isEqualTo(-2);
            nodes.node2().shutdown(java.time.Duration.ofMillis(300));
            assertThat(upstreamSawEnd.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(upstreamEnd.get()).as("the upstream sees a reset, not a clean end").isEqualTo(-2);
        }
    }

    /** -1 on a clean end, -2 on a reset. */
    private static int readOrReset(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (java.net.SocketException e) {
            return -2;
        }
    }
}
