package dev.tcptoany.core;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.netty.util.internal.PlatformDependent;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The proxy's own metrics, built at scrape time from each route's {@link RouteCounters}: the
 * relay keeps counting in lock-free adders as before, and nothing on the data path touches the
 * metrics library. Every route series carries {@code route}, {@code listen_transport} and
 * {@code dial_transport}.
 */
final class ProxyMetrics implements MultiCollector {
    static final String PREFIX = "tcptoany_";

    private final Supplier<Collection<RouteRuntime>> routes;

    ProxyMetrics(Supplier<Collection<RouteRuntime>> routes) {
        this.routes = routes;
    }

    @Override
    public MetricSnapshots collect() {
        var open = GaugeSnapshot.builder().name(PREFIX + "connections_open").help("Connections the route relays now");
        var accepted = CounterSnapshot.builder().name(PREFIX + "connections_accepted")
                .help("Connections the route accepted and started relaying");
        var bytes = CounterSnapshot.builder().name(PREFIX + "relayed_bytes").unit(Unit.BYTES)
                .help("Bytes relayed, by direction (client_to_upstream, upstream_to_client)");
        var ends = CounterSnapshot.builder().name(PREFIX + "connection_ends")
                .help("Connections ended, by reason (fin, client-abort, upstream-abort, idle-timeout, half-closed-timeout,"
                        + " dial-failed, refused-by-policy, shutdown)");
        var dialFailures = CounterSnapshot.builder().name(PREFIX + "dial_failures")
                .help("Upstream dials that failed, by cause (timeout, refused, unreachable, dns, tls, closed, other)");
        var rejected = CounterSnapshot.builder().name(PREFIX + "rejected_peers")
                .help("Peers turned away by a transport or the host, by reason");
        var dialSeconds = HistogramSnapshot.builder().name(PREFIX + "dial_duration_seconds").unit(Unit.SECONDS)
                .help("Accept to upstream ready (connect, TLS, handshakes) of successful dials");
        var spliced = CounterSnapshot.builder().name(PREFIX + "spliced_directions")
                .help("Directions of connections whose bytes the kernel moved with splice(2) (splice = auto, tcp->tcp on epoll)");
        var bound = GaugeSnapshot.builder().name(PREFIX + "route_bound")
                .help("1 when every listen address of the route is bound and accepting");
        TransportValues transportValues = new TransportValues();
        for (RouteRuntime r : routes.get()) {
            RouteConfig rc = r.config();
            Labels labels = Labels.of("route", rc.name(), "listen_transport", rc.listenTransport(),
                    "dial_transport", rc.dialTransport());
            RouteCounters.Snapshot c = r.counters().snapshot();
            open.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(c.connectionsOpen()).build());
            accepted.dataPoint(counter(labels, c.connectionsTotal()));
            bytes.dataPoint(counter(labels.add("direction", "client_to_upstream"), c.bytesToUpstream()));
            bytes.dataPoint(counter(labels.add("direction", "upstream_to_client"), c.bytesToClient()));
            c.ends().forEach((reason, n) -> ends.dataPoint(counter(labels.add("reason", reason), n)));
            c.dialFailuresByCause().forEach((cause, n) -> dialFailures.dataPoint(counter(labels.add("cause", cause), n)));
            c.rejectedPeers().forEach((reason, n) -> rejected.dataPoint(counter(labels.add("reason", reason), n)));
            DialLatencies.Snapshot d = c.dialLatencies();
            dialSeconds.dataPoint(HistogramDataPointSnapshot.builder().labels(labels)
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(d.upperBounds(), d.counts()))
                    .sum(d.sumSeconds()).build());
            bound.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(r.isBound() ? 1 : 0).build());
            spliced.dataPoint(counter(labels, c.splicedDirections()));
            for (PublishedTransportMetrics.Source s : r.transportMetrics().sources()) {
                transportValues.read(s, Labels.of("route", rc.name(), "side", s.side()));
            }
        }
        List<MetricSnapshot> out = new ArrayList<>(List.of(open.build(), accepted.build(), bytes.build(), ends.build(),
                dialFailures.build(), rejected.build(), dialSeconds.build(), bound.build(), spliced.build()));
        out.addAll(nettyMemory());
        out.addAll(transportValues.snapshots());
        return new MetricSnapshots(out);
    }

    private static CounterDataPointSnapshot counter(Labels labels, long value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    /** Netty's pooled allocator holds most of the proxy's memory, outside the heap the JVM metrics show. */
    private static List<MetricSnapshot> nettyMemory() {
        PooledByteBufAllocatorMetric m = PooledByteBufAllocator.DEFAULT.metric();
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(GaugeSnapshot.builder().name(PREFIX + "netty_pooled_direct_memory_used_bytes").unit(Unit.BYTES)
                .help("Direct memory held by Netty's pooled allocator (arenas, including free space in chunks)")
                .dataPoint(GaugeDataPointSnapshot.builder().value(m.usedDirectMemory()).build()).build());
        out.add(GaugeSnapshot.builder().name(PREFIX + "netty_pooled_heap_memory_used_bytes").unit(Unit.BYTES)
                .help("Heap memory held by Netty's pooled allocator")
                .dataPoint(GaugeDataPointSnapshot.builder().value(m.usedHeapMemory()).build()).build());
        long direct = PlatformDependent.usedDirectMemory();
        if (direct >= 0) {
            out.add(GaugeSnapshot.builder().name(PREFIX + "netty_direct_memory_used_bytes").unit(Unit.BYTES)
                    .help("Direct memory Netty allocated without the JDK's accounting (io.netty.maxDirectMemory)")
                    .dataPoint(GaugeDataPointSnapshot.builder().value(direct).build()).build());
        }
        return out;
    }

    /** Collects what transports report into one family per name, whatever route reported it. */
    private static final class TransportValues {
        private record Family(boolean counter, String help, List<Object> points) {
        }

        private final Map<String, Family> families = new java.util.TreeMap<>();
        private final java.util.Set<String> reportedBad = new java.util.HashSet<>();

        void read(PublishedTransportMetrics.Source source, Labels base) {
            String prefix = PREFIX + source.transport().replaceAll("[^a-z0-9_]", "_") + "_";
            try {
                source.metrics().report(new dev.tcptoany.api.TransportMetrics.MetricValues() {
                    @Override
                    public void gauge(String name, String help, double value, String... labels) {
                        add(false, prefix + name, help, base.merge(Labels.of(labels)), value);
                    }

                    @Override
                    public void counter(String name, String help, double value, String... labels) {
                        add(true, prefix + name, help, base.merge(Labels.of(labels)), value);
                    }
                });
            } catch (RuntimeException e) {
                // A broken plugin must not take the whole scrape down; its values are left out.
                if (reportedBad.add(source.transport())) {
                    org.slf4j.LoggerFactory.getLogger(ProxyMetrics.class).warn(
                            "transport {} failed to report its metrics: {}", source.transport(), e.toString());
                }
            }
        }

        private void add(boolean counter, String name, String help, Labels labels, double value) {
            Family f = families.computeIfAbsent(name, n -> new Family(counter, help, new ArrayList<>()));
            if (f.counter() != counter) {
                return; // one name, one type: the first report decides
            }
            f.points().add(counter ? CounterDataPointSnapshot.builder().labels(labels).value(value).build()
                    : GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        List<MetricSnapshot> snapshots() {
            List<MetricSnapshot> out = new ArrayList<>();
            families.forEach((name, f) -> {
                if (f.counter()) {
                    var b = CounterSnapshot.builder().name(name).help(f.help());
                    f.points().forEach(p -> b.dataPoint((CounterDataPointSnapshot) p));
                    out.add(b.build());
                } else {
                    var b = GaugeSnapshot.builder().name(name).help(f.help());
                    f.points().forEach(p -> b.dataPoint((GaugeDataPointSnapshot) p));
                    out.add(b.build());
                }
            });
            return out;
        }
    }
}
