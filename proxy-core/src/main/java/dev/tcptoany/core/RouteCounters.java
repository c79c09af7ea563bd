package dev.tcptoany.core;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * In-memory counters of one route, updated from many event loops without locks. Read with
 * {@link #snapshot()}.
 */
public final class RouteCounters {
    private final LongAdder open = new LongAdder();
    private final LongAdder total = new LongAdder();
    private final LongAdder bytesToUpstream = new LongAdder();
    private final LongAdder bytesToClient = new LongAdder();
    private final LongAdder dialFailures = new LongAdder();
    private final LongAdder aborts = new LongAdder();
    private final Map<String, LongAdder> rejections = new ConcurrentHashMap<>();

    /** A consistent-enough copy for display and tests. */
    public record Snapshot(long connectionsOpen, long connectionsTotal, long bytesToUpstream, long bytesToClient,
                           long dialFailures, long aborts, Map<String, Long> rejectedPeers) {
        public long rejectedTotal() {
            return rejectedPeers.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    void opened() {
        open.increment();
        total.increment();
    }

    void closed() {
        open.decrement();
    }

    void toUpstream(long bytes) {
        bytesToUpstream.add(bytes);
    }

    void toClient(long bytes) {
        bytesToClient.add(bytes);
    }

    void dialFailed() {
        dialFailures.increment();
    }

    void aborted() {
        aborts.increment();
    }

    void rejected(String reason) {
        rejections.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    public Snapshot snapshot() {
        Map<String, Long> rej = new TreeMap<>();
        rejections.forEach((k, v) -> rej.put(k, v.sum()));
        return new Snapshot(open.sum(), total.sum(), bytesToUpstream.sum(), bytesToClient.sum(),
                dialFailures.sum(), aborts.sum(), Map.copyOf(rej));
    }
}
