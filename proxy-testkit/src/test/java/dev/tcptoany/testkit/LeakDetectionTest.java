package dev.tcptoany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * LeakDetection finds a buffer that was never released through Netty's leak listener, so it works
 * whatever logging backend a plugin author picked: here with no Logback on the class path at all
 * (it used to hook a Logback appender, and failed with NoClassDefFoundError without one).
 */
class LeakDetectionTest {
    @Test
    void anUnreleasedBufferIsReportedWithoutLogback() throws Exception {
        List<URL> withoutLogback = new ArrayList<>();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isBlank() && !entry.contains("logback")) {
                withoutLogback.add(Path.of(entry).toUri().toURL());
            }
        }
        try (URLClassLoader isolated = new URLClassLoader("no-logback", withoutLogback.toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader())) {
            assertThat(isolated.getResource("ch/qos/logback/classic/Logger.class")).as("logback hidden").isNull();
            @SuppressWarnings("unchecked")
            Supplier<List<String>> scenario = (Supplier<List<String>>) isolated
                    .loadClass(LeakScenario.class.getName()).getDeclaredConstructor().newInstance();
            assertThat(scenario.get()).anyMatch(r -> r.startsWith("LEAK: "));
        }
    }

    /** Runs inside the class loader without Logback: install, leak one buffer, collect the reports. */
    public static final class LeakScenario implements Supplier<List<String>> {
        @Override
        public List<String> get() {
            try {
                LeakDetection detection = new LeakDetection();
                detection.beforeAll(null);
                leakOne();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (LeakDetection.reported().isEmpty() && System.nanoTime() < deadline) {
                    LeakDetection.flushLeakReports();
                }
                List<String> reported = LeakDetection.reported();
                detection.beforeAll(null); // forget the leak made on purpose
                return reported;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private static void leakOne() {
            ByteBuf lost = PooledByteBufAllocator.DEFAULT.directBuffer(64);
            lost.writeLong(42);
            // dropped without release()
        }
    }
}
