package dev.tcptoany.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.tcptoany.api.Dialer;
import dev.tcptoany.api.Listener;
import dev.tcptoany.api.PeerRejections;
import dev.tcptoany.api.TransportContext;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.Future;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs routes: the embedding API, used by the launcher and by integration tests.
 *
 * <pre>{@code
 * Config conf = ConfigLoader.parseString("""
 *     proxy.routes.r1 { listen { transport = tcp, address = "127.0.0.1:0" }
 *                       dial   { transport = tcp, address = "127.0.0.1:5201" } }
 *     """, "example");
 * try (Proxy proxy = Proxy.start(conf)) {
 *     SocketAddress bound = proxy.boundAddresses("r1").get(0);
 *     ...
 *     RouteCounters.Snapshot c = proxy.counters("r1");
 * }
 * }</pre>
 *
 * Transports come from the class path and, when {@code proxy.plugins.dir} is set, from that
 * directory. Routes start in name order; listeners of a route bind before the next route starts.
 */
public final class Proxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Proxy.class);

    private final ProxySettings settings;
    private final EventLoops loops;
    /** Sorted by name, the start order; read by the admin endpoint from its own loop. */
    private final Map<String, RouteRuntime> routes = new java.util.concurrent.ConcurrentSkipListMap<>();
    /** One per proxy (not the client's default registry): tests and embedders may run several. */
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private volatile AdminServer admin;
    private volatile boolean draining;
    private volatile boolean closed;

    private Proxy(ProxySettings settings, EventLoops loops) {
        this.settings = settings;
        this.loops = loops;
    }

    /** Starts every route of {@code userConfig} with transports from the class path (and plugins dir). */
    public static Proxy start(Config userConfig) {
        return start(userConfig, Optional.empty());
    }

    /**
     * @param pluginsDirOverride when present, replaces {@code proxy.plugins.dir}
     * @throws ProxyConfigException with every problem found, each naming file, line and key
     * @throws PluginLoadException  when a plugin cannot be loaded
     */
    public static Proxy start(Config userConfig, Optional<java.nio.file.Path> pluginsDirOverride) {
        Prepared prepared = prepare(userConfig, pluginsDirOverride);
        ProxySettings settings = prepared.settings();
        EventLoops loops = new EventLoops(settings.preferNative(), settings.workerThreads());
        Proxy proxy = new Proxy(settings, loops);
        try {
            proxy.startAdmin();
            proxy.startRoutes(prepared.registry());
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    /** Configuration and transports, loaded and validated, nothing started. */
    public record Prepared(ProxySettings settings, TransportRegistry registry, List<ConfigException> problems) {
    }

    /** Loads transports and reads settings; throws on the first plugin problem or with every config problem. */
    public static Prepared prepare(Config userConfig, Optional<java.nio.file.Path> pluginsDirOverride) {
        Prepared p = load(userConfig, pluginsDirOverride);
        if (!p.problems().isEmpty()) {
            throw new ProxyConfigException(p.problems());
        }
        return p;
    }

    private static Prepared load(Config userConfig, Optional<java.nio.file.Path> pluginsDirOverride) {
        // The plugins dir itself comes from config, so read it from the host's defaults first.
        Config hostOnly = ConfigLoader.effective(userConfig, List.of());
        Optional<java.nio.file.Path> pluginsDir = pluginsDirOverride.isPresent() ? pluginsDirOverride
                : ProxySettings.read(hostOnly).pluginsDir();
        TransportRegistry registry = TransportRegistry.discover(Proxy.class.getClassLoader(), pluginsDir);
        ProxySettings settings = ProxySettings.read(ConfigLoader.effective(userConfig, registry.loaders()));
        List<ConfigException> problems = new ArrayList<>(UnknownKeys.check(userConfig,
                ConfigLoader.reference(registry.loaders())));
        problems.addAll(settings.problems());
        problems.addAll(validateRoutes(userConfig, settings, registry));
        return new Prepared(settings, registry, List.copyOf(problems));
    }

    /**
     * Checks every route: transports exist and can listen/dial, and their factories accept the
     * options. Creating a listener or dialer does not bind or connect, so this is safe for
     * {@code check}; the event loops used are throwaway.
     */
    private static List<ConfigException> validateRoutes(Config userConfig, ProxySettings settings, TransportRegistry registry) {
        List<ConfigException> problems = new ArrayList<>();
        if (settings.routes().isEmpty()) {
            // Named after the user's file: the empty default lives in a jar the user never wrote.
            problems.add(new ConfigException.Generic(userConfig.origin().description()
                    + ": proxy.routes: no routes: add proxy.routes.NAME { listen {...}, dial {...} }"));
            return problems;
        }
        for (RouteConfig route : settings.routes()) {
            checkTransport(route, route.listenTransport(), route.listen(), "listen", registry, problems);
            checkTransport(route, route.dialTransport(), route.dial(), "dial", registry, problems);
        }
        problems.addAll(ListenAddressConflicts.find(settings.routes()));
        return problems;
    }

    private static void checkTransport(RouteConfig route, String name, Config block, String side,
                                       TransportRegistry registry, List<ConfigException> problems) {
        Optional<PluginEntry> entry = registry.find(name);
        if (entry.isEmpty()) {
            problems.add(new ConfigException.BadValue(block.getValue("transport").origin(),
                    "proxy.routes." + route.name() + "." + side + ".transport",
                    "unknown transport '" + name + "'; known transports are: " + registry.knownNames()));
            return;
        }
        boolean can = side.equals("listen") ? entry.get().provider().listenerFactory().isPresent()
                : entry.get().provider().dialerFactory().isPresent();
        if (!can) {
            problems.add(new ConfigException.BadValue(block.getValue("transport").origin(),
                    "proxy.routes." + route.name() + "." + side + ".transport",
                    "transport '" + name + "' (from " + entry.get().origin() + ") cannot " + side));
        }
    }

    /**
     * Validates without binding or connecting: settings, plugins, and every route's listener and
     * dialer options (their factories run against throwaway NIO loops).
     *
     * @return every problem found; empty when the configuration would start
     */
    public static List<ConfigException> check(Config userConfig, Optional<java.nio.file.Path> pluginsDirOverride) {
        return checkReport(userConfig, pluginsDirOverride).problems();
    }

    /** What {@link #checkReport} found: the problems, and what a start would do that check did not. */
    public record CheckReport(List<ConfigException> problems, List<String> notes) {
    }

    /**
     * {@link #check}, plus notes on what a real start would write (identities to generate) that
     * check leaves undone: check writes, binds and connects nothing.
     */
    public static CheckReport checkReport(Config userConfig, Optional<java.nio.file.Path> pluginsDirOverride) {
        Prepared prepared = load(userConfig, pluginsDirOverride);
        List<ConfigException> problems = new ArrayList<>(prepared.problems());
        HostTlsMaterials tls = new HostTlsMaterials(prepared.settings().dataDir(), true, prepared.settings().tlsEngine());
        try (EventLoops scratch = new EventLoops(false, 1)) {
            Proxy probe = new Proxy(prepared.settings(), scratch);
            PeerRejections ignore = (reason, peer, detail) -> { };
            for (RouteConfig rc : prepared.settings().routes()) {
                PluginEntry le = prepared.registry().find(rc.listenTransport()).orElse(null);
                PluginEntry de = prepared.registry().find(rc.dialTransport()).orElse(null);
                if (le == null || de == null || le.provider().listenerFactory().isEmpty()
                        || de.provider().dialerFactory().isEmpty()) {
                    continue; // already reported
                }
                try {
                    Dialer d = withLoader(de, () -> de.provider().dialerFactory().orElseThrow().create(
                            probe.context(rc, rc.dialTransport(), rc.dial(), "dial", PooledByteBufAllocator.DEFAULT, tls, ignore,
                                    new PublishedTransportMetrics())));
                    d.close();
                } catch (ConfigException e) {
                    problems.add(RouteProblems.locate(e, rc, "dial", rc.dial()));
                }
                try {
                    withLoader(le, () -> le.provider().listenerFactory().orElseThrow().create(
                            probe.context(rc, rc.listenTransport(), rc.listen(), "listen", PooledByteBufAllocator.DEFAULT, tls, ignore,
                                    new PublishedTransportMetrics())))
                            .close();
                } catch (ConfigException e) {
                    problems.add(RouteProblems.locate(e, rc, "listen", rc.listen()));
                }
            }
        }
        return new CheckReport(List.copyOf(problems), tls.notes());
    }

    /**
     * Metrics are collected whether or not the endpoint is on (they cost nothing until scraped);
     * the endpoint starts before the routes, so /ready says which routes are still binding.
     */
    private void startAdmin() {
        JvmMetrics.builder().register(registry);
        registry.register(new ProxyMetrics(routes::values));
        if (settings.adminAddress().isPresent()) {
            admin = AdminServer.start(settings.adminAddress().get(), loops, new AdminRequestHandler.Endpoints() {
                @Override
                public PrometheusRegistry registry() {
                    return registry;
                }

                @Override
                public String notReadyBecause() {
                    return Proxy.this.notReadyBecause();
                }

                @Override
                public String routesJson() {
                    return RouteStatus.json(settings.routes(), routes);
                }
            });
            InetSocketAddress a = admin.address();
            if (!AdminAddress.isLoopback(a)) {
                log.warn("admin endpoint on {} is reachable from other hosts (proxy.admin.allow-remote = true)", a);
            }
            log.info("admin endpoint: http://{}/metrics, /health, /ready, /routes",
                    new dev.tcptoany.api.HostPort(a.getAddress().getHostAddress(), a.getPort()));
        }
    }

    /** Null when ready: every configured route bound, not draining. */
    private String notReadyBecause() {
        if (draining || closed) {
            return "draining: the proxy is stopping";
        }
        List<String> unbound = new ArrayList<>();
        for (RouteConfig rc : settings.routes()) {
            RouteRuntime r = routes.get(rc.name());
            if (r == null || !r.isBound()) {
                unbound.add(rc.name() + " (" + rc.listenDescription() + ")");
            }
        }
        return unbound.isEmpty() ? null : "route(s) not bound: " + String.join(", ", unbound);
    }

    /** Where the admin endpoint listens, when it is on. */
    public Optional<InetSocketAddress> adminAddress() {
        AdminServer a = admin;
        return a == null ? Optional.empty() : Optional.of(a.address());
    }

    /** The proxy's event loops and channel classes (for what runs beside the routes, e.g. systemd notifications). */
    public dev.tcptoany.api.NetworkChannels network() {
        return loops;
    }

    /** The registry /metrics writes: the proxy's and the JVM's metrics. */
    public PrometheusRegistry metricsRegistry() {
        return registry;
    }

    private void startRoutes(TransportRegistry registry) {
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        HostTlsMaterials tls = new HostTlsMaterials(settings.dataDir(), false, settings.tlsEngine());
        log.info("TLS over TCP (wss) uses the {} (proxy.tls.provider)", TlsEngineChoice.describe(settings.tlsEngine()));
        List<ConfigException> problems = new ArrayList<>();
        for (RouteConfig rc : settings.routes()) {
            RouteCounters counters = new RouteCounters();
            PublishedTransportMetrics published = new PublishedTransportMetrics();
            PeerRejections rejections = (reason, peer, detail) -> {
                counters.rejected(reason);
                log.info("route {}: rejected peer {} ({}): {}", rc.name(), peer, reason, detail);
            };
            Listener listener;
            Dialer dialer;
            PluginEntry le = registry.find(rc.listenTransport()).orElseThrow();
            PluginEntry de = registry.find(rc.dialTransport()).orElseThrow();
            try {
                dialer = withLoader(de, () -> de.provider().dialerFactory().orElseThrow().create(
                        context(rc, rc.dialTransport(), rc.dial(), "dial", alloc, tls, rejections, published)));
            } catch (ConfigException e) {
                problems.add(RouteProblems.locate(e, rc, "dial", rc.dial()));
                continue;
            }
            try {
                listener = withLoader(le, () -> le.provider().listenerFactory().orElseThrow().create(
                        context(rc, rc.listenTransport(), rc.listen(), "listen", alloc, tls, rejections, published)));
            } catch (ConfigException e) {
                problems.add(RouteProblems.locate(e, rc, "listen", rc.listen()));
                dialer.close();
                continue;
            }
            RouteRuntime route = new RouteRuntime(rc, listener, dialer, counters, published);
            routes.put(rc.name(), route);
            Future<List<SocketAddress>> bound = listener.start(route).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                throw new IllegalStateException("route " + rc.name() + ": cannot listen on " + rc.listenDescription()
                        + ": " + bound.cause().getMessage(), bound.cause());
            }
            route.bound(bound.getNow());
            log.info("route {}: {} {} -> {} (event loops: {} x{})", rc.name(), rc.listenTransport(), bound.getNow(),
                    rc.dialDescription(), loops.kind(), loops.workerThreads());
        }
        if (!problems.isEmpty()) {
            throw new ProxyConfigException(problems);
        }
    }

    private TransportContext context(RouteConfig rc, String transport, Config block, String side, ByteBufAllocator alloc,
                                     HostTlsMaterials tls, PeerRejections rejections, PublishedTransportMetrics published) {
        Config merged = block.withFallback(settings.transportDefaults(transport, side));
        return new HostTransportContext(transport, rc.name(), merged, loops, alloc, tls,
                settings.dataDir().resolve(transport), rejections, side, published);
    }

    @FunctionalInterface
    private interface Creation<T> {
        T create() throws Exception;
    }

    /** Runs a plugin's factory with its class loader as the thread's context loader, as ServiceLoader users expect. */
    private static <T> T withLoader(PluginEntry entry, Creation<T> creation) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(entry.loader());
        try {
            return creation.create();
        } catch (ConfigException | IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("transport " + entry.name() + " (from " + entry.origin() + "): " + e.getMessage(), e);
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /** Addresses the route's listener bound, in bind order. */
    public List<SocketAddress> boundAddresses(String route) {
        return runtime(route).boundAddresses();
    }

    /** The route's counters now. */
    public RouteCounters.Snapshot counters(String route) {
        return runtime(route).counters().snapshot();
    }

    /** Route names, in start order. */
    public List<String> routeNames() {
        return List.copyOf(routes.keySet());
    }

    public ProxySettings settings() {
        return settings;
    }

    private RouteRuntime runtime(String route) {
        RouteRuntime r = routes.get(route);
        if (r == null) {
            throw new IllegalArgumentException("no route '" + route + "'; routes are " + routes.keySet());
        }
        return r;
    }

    /**
     * Graceful stop: listeners stop accepting, open connections get up to {@code grace} to finish,
     * then everything left is closed and dialers send their close (QUIC application close).
     */
    public void shutdown(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        draining = true;
        for (RouteRuntime r : routes.values()) {
            r.listener().stopAccepting().awaitUninterruptibly(grace.toMillis());
        }
        awaitNoOpenConnections(grace, 50);
        long left = openConnections();
        if (left > 0) {
            log.info("aborting {} connection(s) still open after the {} grace period", left, HumanDuration.format(grace));
            for (RouteRuntime r : routes.values()) {
                r.abortAll("stopping: still open after the " + HumanDuration.format(grace) + " grace period");
            }
            // Aborts run on each connection's loop; give them a moment before the channels go.
            awaitNoOpenConnections(Duration.ofSeconds(2), 10);
        }
        for (RouteRuntime r : routes.values()) {
            r.channels().close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            r.listener().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            r.dialer().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            logTotals(r);
        }
        AdminServer a = admin;
        if (a != null) {
            a.close();
        }
        loops.shutdown(Duration.ofSeconds(5));
    }

    /** The route's summary line on stop: what it carried over its whole run. */
    private static void logTotals(RouteRuntime r) {
        RouteCounters.Snapshot c = r.counters().snapshot();
        StringBuilder ends = new StringBuilder();
        new java.util.TreeMap<>(c.ends()).forEach((reason, n) -> {
            if (n > 0) {
                ends.append(ends.length() == 0 ? "" : ", ").append(reason).append(' ').append(n);
            }
        });
        log.atInfo().addKeyValue("route", r.name())
                .addKeyValue("connections", c.connectionsTotal())
                .addKeyValue("bytes_to_upstream", c.bytesToUpstream())
                .addKeyValue("bytes_to_client", c.bytesToClient())
                .addKeyValue("dial_failures", c.dialFailures())
                .addKeyValue("rejected_peers", c.rejectedTotal())
                .log("route {}: totals: {} connection(s), {} byte(s) to upstream, {} byte(s) to client, {} dial failure(s),"
                                + " {} rejected peer(s); ends: {}", r.name(), c.connectionsTotal(), c.bytesToUpstream(),
                        c.bytesToClient(), c.dialFailures(), c.rejectedTotal(), ends.length() == 0 ? "none" : ends);
    }

    /** Waits up to {@code limit}, polling every {@code pollMillis}, until no connection is open. */
    private void awaitNoOpenConnections(Duration limit, long pollMillis) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline && openConnections() > 0) {
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private long openConnections() {
        return routes.values().stream().mapToLong(r -> r.counters().snapshot().connectionsOpen()).sum();
    }

    /** Stops at once (no grace period). */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
