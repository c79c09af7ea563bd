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
import java.util.LinkedHashMap;
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

    /** Replaced by a reload that succeeds. */
    private volatile ProxySettings settings;
    /** Set at start; a reload uses the same transports (proxy.plugins.dir applies at the next restart). */
    private TransportRegistry transports;
    /** Runtimes a reload replaced or removed, draining their connections. */
    private final List<RouteRuntime> retired = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final EventLoops loops;
    private final HostDnsResolvers resolvers;
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
        // Binds nothing until a dial first resolves on a loop, so check can build it too.
        this.resolvers = new HostDnsResolvers(loops, settings.dns());
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
        settings.warnings().forEach(log::warn);
        EventLoops loops = new EventLoops(settings.eventLoopKind(), settings.workerThreads());
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

    /**
     * What {@link #checkReport} found: the problems, what a start would do that check did not, and
     * deprecated keys still read (each naming file and line).
     */
    public record CheckReport(List<ConfigException> problems, List<String> notes, List<String> warnings) {
        public CheckReport(List<ConfigException> problems, List<String> notes) {
            this(problems, notes, List.of());
        }
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
                Boolean dialsDestination = null;
                try {
                    Dialer d = withLoader(de, () -> de.provider().dialerFactory().orElseThrow().create(
                            probe.context(rc, rc.dialTransport(), rc.dial(), "dial", PooledByteBufAllocator.DEFAULT, tls, ignore,
                                    new PublishedTransportMetrics())));
                    dialsDestination = d.dialsClientDestination();
                    d.close();
                } catch (ConfigException e) {
                    problems.add(RouteProblems.locate(e, rc, "dial", rc.dial()));
                }
                try {
                    Listener l = withLoader(le, () -> le.provider().listenerFactory().orElseThrow().create(
                            probe.context(rc, rc.listenTransport(), rc.listen(), "listen", PooledByteBufAllocator.DEFAULT, tls, ignore,
                                    new PublishedTransportMetrics())));
                    if (l.clientsNameDestinations() && Boolean.FALSE.equals(dialsDestination)) {
                        // At run time such a route refuses every client (Relay); say so before.
                        problems.add(new ConfigException.BadValue(rc.dial().origin(), "proxy.routes." + rc.name() + ".dial",
                                "the " + rc.listenTransport() + " listener's clients name their own destination, but this"
                                + " dial goes to the fixed address " + rc.dialDescription() + " and would refuse them all;"
                                + " use address = dynamic with allow = [...] (tcp), or forward-destination = true toward an"
                                + " exit (quic, ws, wss)"));
                    }
                    l.close();
                } catch (ConfigException e) {
                    problems.add(RouteProblems.locate(e, rc, "listen", rc.listen()));
                }
            }
            probe.resolvers.close();
        }
        return new CheckReport(List.copyOf(problems), tls.notes(), prepared.settings().warnings());
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
        this.transports = registry;
        HostTlsMaterials tls = new HostTlsMaterials(settings.dataDir(), false, settings.tlsEngine());
        log.info("TLS over TCP (wss) uses the {} (proxy.tls.provider)", TlsEngineChoice.describe(settings.tlsEngine()));
        log.info("dials resolve host names with {} (proxy.dns)", settings.dns().describeServers());
        List<ConfigException> problems = new ArrayList<>();
        for (RouteConfig rc : settings.routes()) {
            try {
                RouteRuntime route = startRoute(rc, new RouteCounters(), tls);
                routes.put(rc.name(), route);
            } catch (ProxyConfigException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new ProxyConfigException(problems);
        }
    }

    /**
     * Creates and binds one route.
     *
     * @throws ProxyConfigException  when its transports refuse their options
     * @throws IllegalStateException when it cannot bind (everything it opened is closed again)
     */
    private RouteRuntime startRoute(RouteConfig rc, RouteCounters counters, HostTlsMaterials tls) {
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        {
            PublishedTransportMetrics published = new PublishedTransportMetrics();
            PeerRejections rejections = (reason, peer, detail) -> {
                counters.rejected(reason);
                log.info("route {}: rejected peer {} ({}): {}", rc.name(), peer, reason, detail);
            };
            Listener listener;
            Dialer dialer;
            PluginEntry le = transports.find(rc.listenTransport()).orElseThrow();
            PluginEntry de = transports.find(rc.dialTransport()).orElseThrow();
            try {
                dialer = withLoader(de, () -> de.provider().dialerFactory().orElseThrow().create(
                        context(rc, rc.dialTransport(), rc.dial(), "dial", alloc, tls, rejections, published)));
            } catch (ConfigException e) {
                throw new ProxyConfigException(List.of(RouteProblems.locate(e, rc, "dial", rc.dial())));
            }
            try {
                listener = withLoader(le, () -> le.provider().listenerFactory().orElseThrow().create(
                        context(rc, rc.listenTransport(), rc.listen(), "listen", alloc, tls, rejections, published)));
            } catch (ConfigException e) {
                dialer.close();
                throw new ProxyConfigException(List.of(RouteProblems.locate(e, rc, "listen", rc.listen())));
            }
            RouteRuntime route = new RouteRuntime(rc, listener, dialer, counters, published);
            Future<List<SocketAddress>> bound = listener.start(route).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                listener.close();
                dialer.close();
                throw new IllegalStateException("route " + rc.name() + ": cannot listen on " + rc.listenDescription()
                        + ": " + bound.cause().getMessage(), bound.cause());
            }
            route.bound(bound.getNow());
            log.info("route {}: {} {} -> {} (event loops: {} x{})", rc.name(), rc.listenTransport(), bound.getNow(),
                    rc.dialDescription(), loops.kind(), loops.workerThreads());
            return route;
        }
    }

    /** What {@link #reload} did: applied, or refused with every problem (the running routes untouched). */
    public record ReloadOutcome(boolean applied, List<String> problems, List<String> added, List<String> changed,
                                List<String> removed, List<String> unchanged) {
    }

    /**
     * Applies a new configuration without a restart: routes added start; removed routes stop
     * accepting and drain under {@code shutdown-grace}; a changed route stops accepting on its old
     * listener and starts a new listener and dialer, while its open connections finish on the old
     * ones; unchanged routes are not touched. A configuration with any problem is refused whole;
     * if a new listener cannot bind, everything this reload started is closed and the routes it
     * replaced are started again from their old configuration. Keys that need a restart
     * ({@code proxy.event-loop.*}, {@code proxy.data-dir}, {@code proxy.plugins.dir},
     * {@code proxy.admin.*}) are reported and keep their running values.
     */
    public synchronized ReloadOutcome reload(Config userConfig) {
        if (closed) {
            return new ReloadOutcome(false, List.of("the proxy is stopping"), List.of(), List.of(), List.of(), List.of());
        }
        ProxySettings current = settings;
        ProxySettings next = ProxySettings.read(ConfigLoader.effective(userConfig, transports.loaders()));
        List<ConfigException> problems = new ArrayList<>(UnknownKeys.check(userConfig, ConfigLoader.reference(transports.loaders())));
        problems.addAll(next.problems());
        problems.addAll(validateRoutes(userConfig, next, transports));
        if (!problems.isEmpty()) {
            List<String> lines = problems.stream().map(ConfigException::getMessage).toList();
            lines.forEach(l -> log.warn("reload refused, the running configuration stays: {}", l));
            return new ReloadOutcome(false, lines, List.of(), List.of(), List.of(), List.of());
        }
        restartOnly(current, next);
        Map<String, RouteConfig> before = new java.util.TreeMap<>();
        current.routes().forEach(r -> before.put(r.name(), r));
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<String> dialOnly = new ArrayList<>();
        for (RouteConfig rc : next.routes()) {
            RouteConfig old = before.remove(rc.name());
            (old == null ? added : old.equals(rc) ? unchanged : changed).add(rc.name());
            if (old != null && !old.equals(rc) && onlyDialChanged(old, rc)) {
                dialOnly.add(rc.name());
            }
        }
        List<String> removed = List.copyOf(before.keySet());
        // Bind first, retire after: until every new listener is bound, nothing is removed.
        HostTlsMaterials tls = new HostTlsMaterials(current.dataDir(), false, current.tlsEngine());
        Map<String, RouteRuntime> started = new LinkedHashMap<>();
        Map<String, RouteRuntime> replaced = new LinkedHashMap<>();
        settings = keepRestartOnly(current, next);
        try {
            for (RouteConfig rc : next.routes()) {
                if (added.contains(rc.name())) {
                    started.put(rc.name(), startRoute(rc, new RouteCounters(), tls));
                } else if (changed.contains(rc.name()) && !dialOnly.contains(rc.name())) {
                    RouteRuntime old = routes.get(rc.name());
                    // The old listener lets go of its address first: the new one may bind the same.
                    old.listener().stopAccepting().awaitUninterruptibly(current.shutdownGrace().toMillis());
                    replaced.put(rc.name(), old);
                    started.put(rc.name(), startRoute(rc, old.counters(), tls));
                }
            }
        } catch (RuntimeException e) {
            settings = current;
            log.error("reload rolled back: {}", e.getMessage());
            for (RouteRuntime r : started.values()) {
                r.listener().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                r.dialer().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            for (Map.Entry<String, RouteRuntime> old : replaced.entrySet()) {
                // Its listener cannot start twice: a fresh one from the old configuration takes over.
                try {
                    RouteRuntime again = startRoute(old.getValue().config(), old.getValue().counters(), tls);
                    routes.put(old.getKey(), again);
                    retire(old.getValue(), current.shutdownGrace());
                } catch (RuntimeException again) {
                    log.error("route {}: cannot listen again after the rollback: {}", old.getKey(), again.getMessage());
                }
            }
            return new ReloadOutcome(false, List.of(e.getMessage()), List.of(), List.of(), List.of(), List.of());
        }
        for (Map.Entry<String, RouteRuntime> e : started.entrySet()) {
            routes.put(e.getKey(), e.getValue());
        }
        for (RouteConfig rc : next.routes()) {
            if (dialOnly.contains(rc.name())) {
                swapDialer(routes.get(rc.name()), rc, tls, next.shutdownGrace());
            }
        }
        replaced.values().forEach(old -> retire(old, next.shutdownGrace()));
        for (String name : removed) {
            RouteRuntime old = routes.remove(name);
            old.listener().stopAccepting().awaitUninterruptibly(next.shutdownGrace().toMillis());
            retire(old, next.shutdownGrace());
        }
        log.info("reloaded: {} route(s) added {}, changed {}, removed {}, unchanged {}", next.routes().size(), added,
                changed, removed, unchanged);
        return new ReloadOutcome(true, List.of(), added, changed, removed, unchanged);
    }

    /**
     * Only the dial side changed: the listener (and the connections it holds, and a QUIC listener's
     * UDP socket, which stays open for them) can stay, and only the dialer is replaced.
     */
    private static boolean onlyDialChanged(RouteConfig old, RouteConfig next) {
        return old.listenTransport().equals(next.listenTransport()) && old.listen().equals(next.listen())
                && old.timeouts().equals(next.timeouts()) && old.maxOpenConnections() == next.maxOpenConnections()
                && old.splice() == next.splice();
    }

    /** New connections of the route dial with a new dialer; the old one closes once its connections are done. */
    private void swapDialer(RouteRuntime route, RouteConfig rc, HostTlsMaterials tls, Duration grace) {
        PluginEntry de = transports.find(rc.dialTransport()).orElseThrow();
        PublishedTransportMetrics published = new PublishedTransportMetrics();
        RouteCounters counters = route.counters();
        PeerRejections rejections = (reason, peer, detail) -> {
            counters.rejected(reason);
            log.info("route {}: rejected peer {} ({}): {}", rc.name(), peer, reason, detail);
        };
        Dialer next;
        try {
            next = withLoader(de, () -> de.provider().dialerFactory().orElseThrow().create(
                    context(rc, rc.dialTransport(), rc.dial(), "dial", PooledByteBufAllocator.DEFAULT, tls, rejections,
                            published)));
        } catch (RuntimeException e) {
            log.error("route {}: reload: the new dialer failed, the route keeps its old one: {}", rc.name(), e.getMessage());
            return;
        }
        Dialer old = route.dialer();
        java.util.Set<Relay> onOld = route.swapDialer(rc, next, published.sources());
        log.info("route {}: new connections dial {}; {} open connection(s) finish on the old dialer", rc.name(),
                rc.dialDescription(), onOld.size());
        Thread t = new Thread(() -> {
            long deadline = System.nanoTime() + grace.toNanos();
            while (System.nanoTime() < deadline && route.anyOpen(onOld) && !closed) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            onOld.forEach(r -> r.abortForStop("route " + rc.name() + " reloaded: still open after the "
                    + HumanDuration.format(grace) + " grace period"));
            old.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }, "tcp2any-retire-dialer-" + rc.name());
        t.setDaemon(true);
        t.start();
    }

    /** The keys read once at start: a changed value is reported and waits for the next restart. */
    private static void restartOnly(ProxySettings running, ProxySettings next) {
        Map<String, Object[]> pairs = new LinkedHashMap<>();
        pairs.put("proxy.event-loop.kind", new Object[] {running.eventLoopKind(), next.eventLoopKind()});
        pairs.put("proxy.event-loop.threads", new Object[] {running.workerThreads(), next.workerThreads()});
        pairs.put("proxy.data-dir", new Object[] {running.dataDir(), next.dataDir()});
        pairs.put("proxy.plugins.dir", new Object[] {running.pluginsDir(), next.pluginsDir()});
        pairs.put("proxy.admin.address", new Object[] {running.adminAddress(), next.adminAddress()});
        pairs.put("proxy.tls.provider", new Object[] {running.tlsEngine(), next.tlsEngine()});
        // The resolvers are built once with the event loops.
        pairs.put("proxy.dns", new Object[] {running.dns(), next.dns()});
        pairs.forEach((key, v) -> {
            if (!java.util.Objects.equals(v[0], v[1])) {
                log.warn("reload: {} changed; it applies at the next restart (running with {})", key, v[0]);
            }
        });
    }

    /** The new settings, with the restart-only values of the running ones (the admin endpoint, the loops). */
    private static ProxySettings keepRestartOnly(ProxySettings running, ProxySettings next) {
        return next.withRestartOnlyOf(running);
    }

    /** Lets a replaced or removed route's connections finish, then aborts what is left and closes it. */
    private void retire(RouteRuntime old, Duration grace) {
        retired.add(old);
        Thread t = new Thread(() -> {
            long deadline = System.nanoTime() + grace.toNanos();
            while (System.nanoTime() < deadline && old.relaysOpen() > 0 && !closed) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (old.relaysOpen() > 0) {
                old.abortAll("route " + old.name() + " reloaded: still open after the " + HumanDuration.format(grace)
                        + " grace period");
            }
            closeRetired(old);
        }, "tcp2any-retire-" + old.name());
        t.setDaemon(true);
        t.start();
    }

    private void closeRetired(RouteRuntime old) {
        if (!retired.remove(old)) {
            return; // the stop closed it already
        }
        old.channels().close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        old.listener().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        old.dialer().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private TransportContext context(RouteConfig rc, String transport, Config block, String side, ByteBufAllocator alloc,
                                     HostTlsMaterials tls, PeerRejections rejections, PublishedTransportMetrics published) {
        Config merged = block.withFallback(settings.transportDefaults(transport, side));
        return new HostTransportContext(transport, rc.name(), merged, loops, alloc, tls,
                settings.dataDir().resolve(transport), rejections, resolvers, side, published);
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
            for (RouteRuntime r : retired) {
                r.abortAll("stopping: still open after the " + HumanDuration.format(grace) + " grace period");
            }
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
        for (RouteRuntime r : List.copyOf(retired)) {
            closeRetired(r);
        }
        AdminServer a = admin;
        if (a != null) {
            a.close();
        }
        resolvers.close();
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
        long n = 0;
        for (RouteRuntime r : routes.values()) {
            n += r.relaysOpen();
        }
        for (RouteRuntime r : retired) {
            n += r.relaysOpen();
        }
        return n;
    }

    /** Stops at once (no grace period). */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
