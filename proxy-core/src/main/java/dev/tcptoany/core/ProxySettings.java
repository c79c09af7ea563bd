package dev.tcptoany.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.TlsEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code proxy} block, read and validated eagerly. Problems are collected rather than thrown
 * one at a time, so {@code check} can print all of them; each names file, line and key.
 */
public final class ProxySettings {
    private final Config root;
    private final Optional<Path> pluginsDir;
    private final Path dataDir;
    private final Duration shutdownGrace;
    private final EventLoopKind eventLoopKind;
    private final int workerThreads;
    private final TlsEngine tlsEngine;
    private final DnsSettings dns;
    private final List<RouteConfig> routes;
    private final List<ConfigException> problems;
    /** Deprecated keys still read, each naming file and line. */
    private List<String> warnings = List.of();
    private Optional<java.net.InetSocketAddress> adminAddress = Optional.empty();

    private ProxySettings(Config root, Optional<Path> pluginsDir, Path dataDir, Duration shutdownGrace,
                          EventLoopKind eventLoopKind, int workerThreads, TlsEngine tlsEngine, DnsSettings dns,
                          List<RouteConfig> routes, List<ConfigException> problems) {
        this.root = root;
        this.pluginsDir = pluginsDir;
        this.dataDir = dataDir;
        this.shutdownGrace = shutdownGrace;
        this.eventLoopKind = eventLoopKind;
        this.workerThreads = workerThreads;
        this.tlsEngine = tlsEngine;
        this.dns = dns;
        this.routes = routes;
        this.problems = problems;
    }

    /** Reads a fully resolved configuration (user file over every reference.conf). */
    public static ProxySettings read(Config root) {
        List<ConfigException> problems = new ArrayList<>();
        Config proxy = root.getConfig("proxy");
        String dir = proxy.getString("plugins.dir");
        Optional<Path> pluginsDir = dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
        Path dataDir = Path.of(proxy.getString("data-dir"));
        // Values are read from the root by their full path, so every problem names the key as the
        // user writes it (proxy.shutdown-grace, not shutdown-grace).
        Duration grace = positiveDuration(root, "proxy.shutdown-grace", problems, Duration.ofSeconds(10));
        List<String> warnings = new ArrayList<>();
        EventLoopKind eventLoopKind = eventLoopKind(root, problems, warnings);
        int threads = proxy.getInt("event-loop.threads");
        if (threads < 0) {
            problems.add(ConfigProblems.badValue(root, "proxy.event-loop.threads", "must be 0 (one per core) or more"));
        }
        TlsEngine tlsEngine = TlsEngine.JDK;
        try {
            Optional<TlsEngine> chosen = TlsEngineChoice.resolve(proxy.getString("tls.provider"));
            if (chosen.isPresent()) {
                tlsEngine = chosen.get();
            } else {
                problems.add(ConfigProblems.badValue(root, "proxy.tls.provider", "expected " + TlsEngineChoice.VALUES));
            }
        } catch (IllegalStateException e) {
            problems.add(ConfigProblems.badValue(root, "proxy.tls.provider", e.getMessage() + "; use auto or jdk"));
        }
        DnsSettings dns = DnsSettings.read(root, problems);
        RouteDefaults defaults = RouteDefaults.read(root, DEFAULTS_PATH, DEFAULT_ROUTE_DEFAULTS, problems);
        List<RouteConfig> routes = new ArrayList<>();
        Map<String, ConfigValue> sorted = new TreeMap<>(proxy.getObject("routes"));
        for (Map.Entry<String, ConfigValue> e : sorted.entrySet()) {
            try {
                routes.add(readRoute(root, e.getKey(), e.getValue(), defaults, problems));
            } catch (ConfigException ex) {
                problems.add(ex);
            }
        }
        Optional<java.net.InetSocketAddress> admin = adminAddress(root, problems);
        ProxySettings settings = new ProxySettings(root, pluginsDir, dataDir, grace, eventLoopKind, threads, tlsEngine, dns,
                List.copyOf(routes), List.copyOf(problems));
        settings.adminAddress = admin;
        settings.warnings = List.copyOf(warnings);
        return settings;
    }

    private static final String KIND_PATH = "proxy.event-loop.kind";
    private static final String NATIVE_PATH = "proxy.event-loop.native";

    /**
     * {@code proxy.event-loop.kind}, or the boolean {@code proxy.event-loop.native} it replaced when
     * a user's file still sets that (true = auto, false = nio) and not the kind: read, with a
     * warning naming its file and line. Set next to the kind, the kind wins.
     */
    private static EventLoopKind eventLoopKind(Config root, List<ConfigException> problems, List<String> warnings) {
        EventLoopKind kind = EventLoopKind.AUTO;
        String text = null;
        try {
            text = root.getString(KIND_PATH);
        } catch (ConfigException e) {
            problems.add(e);
        }
        if (text != null) {
            Optional<EventLoopKind> parsed = EventLoopKind.parse(text);
            if (parsed.isPresent()) {
                kind = parsed.get();
            } else {
                problems.add(ConfigProblems.badValue(root, KIND_PATH, "'" + text + "' is not an event-loop kind; expected "
                        + EventLoopKind.VALUES));
            }
        }
        if (!root.hasPath(NATIVE_PATH)) {
            return kind;
        }
        boolean preferNative;
        try {
            preferNative = root.getBoolean(NATIVE_PATH);
        } catch (ConfigException e) {
            problems.add(e);
            return kind;
        }
        com.typesafe.config.ConfigOrigin where = root.getValue(NATIVE_PATH).origin();
        if (setByUser(root, KIND_PATH)) {
            warnings.add(where.description() + ": " + NATIVE_PATH + " is deprecated and ignored next to " + KIND_PATH
                    + " (running with kind = " + kind + "); remove it");
            return kind;
        }
        kind = preferNative ? EventLoopKind.AUTO : EventLoopKind.NIO;
        warnings.add(where.description() + ": " + NATIVE_PATH + " is deprecated; read as " + KIND_PATH + " = " + kind
                + " (write that instead; " + EventLoopKind.VALUES + ")");
        return kind;
    }

    /** True when the value comes from somewhere else than a module's reference.conf. */
    private static boolean setByUser(Config root, String path) {
        if (!root.hasPath(path)) {
            return false;
        }
        String resource = root.getValue(path).origin().resource();
        return resource == null || !resource.endsWith("reference.conf");
    }

    /** Deprecated keys still read ({@code proxy.event-loop.native}): one line each, naming file and line. */
    public List<String> warnings() {
        return warnings;
    }

    /** {@code proxy.admin.address}: off when empty; a non-loopback address needs {@code allow-remote}. */
    private static Optional<java.net.InetSocketAddress> adminAddress(Config root, List<ConfigException> problems) {
        String path = "proxy.admin.address";
        if (!root.hasPath(path)) {
            return Optional.empty();
        }
        try {
            Optional<java.net.InetSocketAddress> a = AdminAddress.parse(root.getString(path));
            if (a.isPresent() && !AdminAddress.isLoopback(a.get()) && !root.getBoolean("proxy.admin.allow-remote")) {
                problems.add(ConfigProblems.badValue(root, path, "'" + root.getString(path)
                        + "' is not a loopback address: metrics and route details would be open to other hosts;"
                        + " set proxy.admin.allow-remote = true if that is meant, or use 127.0.0.1:PORT"));
                return Optional.empty();
            }
            return a;
        } catch (IllegalArgumentException e) {
            problems.add(ConfigProblems.badValue(root, path, e.getMessage()));
        } catch (ConfigException e) {
            problems.add(e);
        }
        return Optional.empty();
    }

    private static final String DEFAULTS_PATH = "proxy.route-defaults";
    /** What a route gets when proxy.route-defaults itself holds a bad value (already reported). */
    private static final RouteDefaults DEFAULT_ROUTE_DEFAULTS = new RouteDefaults(
            new RelayTimeouts(Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofMinutes(1)), 0, SpliceMode.OFF);

    /**
     * The per-route settings: read once from {@code proxy.route-defaults}, then per route for the
     * keys the route sets itself, so a bad default is reported once (not once per route) and each
     * problem names the path where the value was written.
     */
    private record RouteDefaults(RelayTimeouts timeouts, int maxOpenConnections, SpliceMode splice) {
        static RouteDefaults read(Config root, String path, RouteDefaults fallback, List<ConfigException> problems) {
            Config block = root.hasPath(path) ? root.getConfig(path) : com.typesafe.config.ConfigFactory.empty();
            RelayTimeouts t = fallback.timeouts();
            return new RouteDefaults(new RelayTimeouts(
                    block.hasPath("connect-timeout") ? positiveDuration(root, path + ".connect-timeout", problems, t.connect()) : t.connect(),
                    block.hasPath("idle-timeout") ? positiveDuration(root, path + ".idle-timeout", problems, t.idle()) : t.idle(),
                    block.hasPath("half-closed-timeout")
                            ? positiveDuration(root, path + ".half-closed-timeout", problems, t.halfClosed()) : t.halfClosed()),
                    block.hasPath("max-open-connections")
                            ? connectionLimit(root, path + ".max-open-connections", problems, fallback.maxOpenConnections())
                            : fallback.maxOpenConnections(),
                    block.hasPath("splice") ? spliceMode(root, path + ".splice", problems, fallback.splice()) : fallback.splice());
        }
    }

    private static RouteConfig readRoute(Config root, String name, ConfigValue value, RouteDefaults defaults,
                                         List<ConfigException> problems) {
        String path = "proxy.routes." + quoted(name);
        if (value.valueType() != ConfigValueType.OBJECT) {
            throw new ConfigException.WrongType(value.origin(), path, "object", value.valueType().name());
        }
        Config route = ((com.typesafe.config.ConfigObject) value).toConfig();
        String listenTransport = transportOf(route, "listen", name);
        String dialTransport = transportOf(route, "dial", name);
        RouteDefaults own = RouteDefaults.read(root, path, defaults, problems);
        return new RouteConfig(name, listenTransport, route.getConfig("listen"), dialTransport, route.getConfig("dial"),
                own.timeouts(), own.maxOpenConnections(), own.splice());
    }

    /** A route name as it must be written in a path: quoted when it is not a plain word. */
    private static String quoted(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key.replace("\"", "\\\"") + "\"";
    }

    private static String transportOf(Config route, String side, String routeName) {
        if (!route.hasPath(side)) {
            throw new ConfigException.Missing(route.origin(), "proxy.routes." + routeName + "." + side);
        }
        Config block = route.getConfig(side);
        if (!block.hasPath("transport")) {
            throw new ConfigException.Missing(block.origin(), "proxy.routes." + routeName + "." + side + ".transport");
        }
        return block.getString("transport");
    }

    /** @param path the full path from the root, so messages name the key as the user writes it */
    static Duration positiveDuration(Config root, String path, List<ConfigException> problems, Duration fallback) {
        try {
            Duration d = root.getDuration(path);
            if (d.isNegative() || d.isZero()) {
                problems.add(ConfigProblems.badValue(root, path, "must be a positive duration, e.g. 10s"));
                return fallback;
            }
            return d;
        } catch (ConfigException e) {
            problems.add(e);
            return fallback;
        }
    }

    private static SpliceMode spliceMode(Config root, String path, List<ConfigException> problems, SpliceMode fallback) {
        try {
            String text = root.getString(path);
            Optional<SpliceMode> mode = SpliceMode.parse(text);
            if (mode.isEmpty()) {
                problems.add(ConfigProblems.badValue(root, path, "'" + text + "' is not a splice mode; expected " + SpliceMode.VALUES));
                return fallback;
            }
            return mode.get();
        } catch (ConfigException e) {
            problems.add(e);
            return fallback;
        }
    }

    private static int connectionLimit(Config root, String path, List<ConfigException> problems, int fallback) {
        try {
            int n = root.getInt(path);
            if (n < 0) {
                problems.add(ConfigProblems.badValue(root, path, "must be 0 (unlimited) or more"));
                return fallback;
            }
            return n;
        } catch (ConfigException e) {
            problems.add(e);
            return fallback;
        }
    }

    /** The whole resolved configuration. */
    public Config root() {
        return root;
    }

    public Optional<Path> pluginsDir() {
        return pluginsDir;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** {@code proxy.event-loop.kind} as asked ({@code auto} included); {@link EventLoops} resolves it. */
    public EventLoopKind eventLoopKind() {
        return eventLoopKind;
    }

    /** The TLS engine of TLS-over-TCP transports ({@code proxy.tls.provider}, resolved). */
    public TlsEngine tlsEngine() {
        return tlsEngine;
    }

    /** Name resolution for dials ({@code proxy.dns}). */
    DnsSettings dns() {
        return dns;
    }

    public int workerThreads() {
        return workerThreads;
    }

    /**
     * These settings with the values a reload cannot change taken from {@code running}: the event
     * loops, the data and plugins directories, the admin endpoint and the TLS engine.
     */
    ProxySettings withRestartOnlyOf(ProxySettings running) {
        ProxySettings s = new ProxySettings(root, running.pluginsDir, running.dataDir, shutdownGrace, running.eventLoopKind,
                running.workerThreads, running.tlsEngine, running.dns, routes, problems);
        s.adminAddress = running.adminAddress;
        return s;
    }

    /** Where the admin endpoint listens ({@code proxy.admin.address}); empty when it is off. */
    public Optional<java.net.InetSocketAddress> adminAddress() {
        return adminAddress;
    }

    public List<RouteConfig> routes() {
        return routes;
    }

    /** Problems found while reading; empty when the file is valid so far. */
    public List<ConfigException> problems() {
        return problems;
    }

    /** Defaults of {@code transport}'s {@code side} ("listen" or "dial") from its reference.conf. */
    public Config transportDefaults(String transport, String side) {
        String path = "proxy.transports." + transport + "." + side;
        return root.hasPath(path) ? root.getConfig(path) : com.typesafe.config.ConfigFactory.empty();
    }
}
