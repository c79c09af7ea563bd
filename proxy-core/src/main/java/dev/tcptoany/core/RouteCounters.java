package dev.tcptoany.core;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * In-memory counters of one route, updated from many event loops without locks. Read with
 * {@link #snapshot()}; the metrics endpoint and {@code /routes} read the same counters.
 */
public final class RouteCounters {
    private final LongAdder open = new LongAdder();
    private final LongAdder total = new LongAdder();
    private final LongAdder bytesToUpstream = new LongAdder();
    private final LongAdder bytesToClient = new LongAdder();
    private final LongAdder dialFailures = new LongAdder();
    private final LongAdder aborts = new LongAdder();
    private final LongAdder splicedDirections = new LongAdder();
    private final Map<String, LongAdder> rejections = new ConcurrentHashMap<>();
    private final Map<EndReason, LongAdder> ends = new EnumMap<>(EndReason.class);
    private final Map<DialFailureCause, LongAdder> dialFailureCauses = new EnumMap<>(DialFailureCause.class);
    private final DialLatencies dialLatencies = new DialLatencies();

    public RouteCounters() {
        // Filled once, read without locks afterwards: EnumMap is safe to read concurrently once built.
        for (EndReason r : EndReason.values()) {
            ends.put(r, new LongAdder());
        }
        for (DialFailureCause c : DialFailureCause.values()) {
            dialFailureCauses.put(c, new LongAdder());
        }
    }

    /**
     * A consistent-enough copy for display and tests.
     *
     * @param ends                connections ended, by {@link EndReason#label()}
     * @param dialFailuresByCause dial failures, by {@link DialFailureCause#label()}
     * @param splicedDirections   directions of connections whose bytes moved with splice(2), two per
     *                            connection where both did ({@code splice = auto}, tcp->tcp on epoll)
     */
    public record Snapshot(long connectionsOpen, long connectionsTotal, long bytesToUpstream, long bytesToClient,
                           long dialFailures, long aborts, Map<String, Long> rejectedPeers,
                           Map<String, Long> ends, Map<String, Long> dialFailuresByCause,
                           DialLatencies.Snapshot dialLatencies, long splicedDirections) {
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

    void dialed(long nanos) {
        dialLatencies.record(nanos);
    }

    void dialFailed(DialFailureCause cause) {
        dialFailures.increment();
        dialFailureCauses.get(cause).increment();
    }

    void spliced() {
        splicedDirections.increment();
    }

    void aborted() {
        aborts.increment();
    }

    void ended(EndReason reason) {
        ends.get(reason).increment();
    }

    void rejected(String reason) {
        rejections.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    public Snapshot snapshot() {
        Map<String, Long> rej = new TreeMap<>();
        rejections.forEach((k, v) -> rej.put(k, v.sum()));
        Map<String, Long> endCounts = new TreeMap<>();
        ends.forEach((k, v) -> endCounts.put(k.label(), v.sum()));
        Map<String, Long> causes = new TreeMap<>();
        dialFailureCauses.forEach((k, v) -> causes.put(k.label(), v.sum()));
        return new Snapshot(open.sum(), total.sum(), bytesToUpstream.sum(), bytesToClient.sum(),
                dialFailures.sum(), aborts.sum(), Map.copyOf(rej), Map.copyOf(endCounts), Map.copyOf(causes),
                dialLatencies.snapshot(), splicedDirections.sum());
    }
}
