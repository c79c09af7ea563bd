package dev.tcptoany.core;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Accept-to-upstream-ready times of one route in fixed buckets, lock-free like the other
 * {@link RouteCounters}; the metrics endpoint turns them into a Prometheus histogram at scrape
 * time, so the relay's hot path knows nothing of the metrics library.
 */
public final class DialLatencies {
    /** Upper bounds in seconds: from a loopback connect (sub-ms) to the 10 s default connect timeout. */
    static final double[] BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
        Double.POSITIVE_INFINITY};

    private final LongAdder[] buckets = new LongAdder[BOUNDS.length];
    private final DoubleAdder sumSeconds = new DoubleAdder();

    DialLatencies() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    void record(long nanos) {
        double seconds = nanos / 1e9;
        int i = 0;
        while (seconds > BOUNDS[i]) {
            i++;
        }
        buckets[i].increment();
        sumSeconds.add(seconds);
    }

    /** @param counts per bucket (not cumulative), in the order of {@link #BOUNDS} */
    public record Snapshot(double[] upperBounds, long[] counts, double sumSeconds) {
        public long count() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }
    }

    Snapshot snapshot() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return new Snapshot(BOUNDS.clone(), counts, sumSeconds.sum());
    }
}
