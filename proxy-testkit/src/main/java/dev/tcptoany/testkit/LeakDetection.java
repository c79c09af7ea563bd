package dev.tcptoany.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reported a buffer that was never released.
 *
 * <p>Netty reports a leak (to its leak listener, and as an ERROR log line "LEAK: ...") only when a
 * later allocation polls its reference queue, and only while ERROR logging is on for
 * {@link ResourceLeakDetector} (it is, unless a logging setup turns it off). So this extension sets
 * the level to PARANOID, registers a leak listener for buffers, and after the class runs collects
 * garbage and allocates until pending reports are out. Use with {@code @ExtendWith(LeakDetection.class)}.
 */
public final class LeakDetection implements BeforeAllCallback, AfterAllCallback {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    private static synchronized void install() {
        if (installed) {
            return;
        }
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        // Netty's listener, not a log appender: the testkit must not tie its users to one
        // logging backend.
        ByteBufUtil.setLeakListener((resourceType, records) -> LEAKS.add("LEAK: " + resourceType + records));
        installed = true;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
        LEAKS.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        flushLeakReports();
        if (!LEAKS.isEmpty()) {
            String first = LEAKS.get(0);
            int n = LEAKS.size();
            LEAKS.clear();
            throw new AssertionError(n + " ByteBuf leak(s) reported by Netty's leak detector in "
                    + context.getDisplayName() + "; first:\n" + first);
        }
    }

    /** Makes the detector report what the garbage collector found. */
    public static void flushLeakReports() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 64; j++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                a.release();
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
                b.release();
            }
        }
    }

    /** Leak messages reported so far in this class (for tests of this extension). */
    public static List<String> reported() {
        return List.copyOf(LEAKS);
    }
}
