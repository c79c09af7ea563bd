package dev.tcptoany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/**
 * LeakDetection finds a buffer that was never released through Netty's leak listener, so it works
 * whatever logging backend the plugin author picked (it no longer hooks a Logback appender).
 */
class LeakDetectionTest {
    @Test
    void anUnreleasedBufferIsReportedWithoutALogAppender() throws Exception {
        LeakDetection detection = new LeakDetection();
        detection.beforeAll(null);
        try {
            leakOne();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (LeakDetection.reported().isEmpty() && System.nanoTime() < deadline) {
                LeakDetection.flushLeakReports();
            }
            assertThat(LeakDetection.reported()).anyMatch(r -> r.startsWith("LEAK: "));
        } finally {
            detection.beforeAll(null); // forget the leak made on purpose
        }
    }

    private static void leakOne() {
        ByteBuf lost = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        lost.writeLong(42);
        // dropped without release()
    }
}
