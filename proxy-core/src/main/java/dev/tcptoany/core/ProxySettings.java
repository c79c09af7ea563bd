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
    private final boolean preferNative;
    private final int workerThreads;
    private final TlsEngine tlsEngine;
    private final List<RouteConfig> routes;
    private final List<ConfigException> problems;

    private ProxySettings(Config root, Optional<Path> pluginsDir, Path dataDir, Duration shutdownGrace,
                          boolean preferNative, int workerThreads, TlsEngine tlsEngine, List<RouteConfig> routes,
                          List<ConfigException> problems) {
        this.root = root;
        this.pluginsDir = pluginsDir;
        this.dataDir = dataDir;
        this.shutdownGrace = shutdownGrace;
        this.preferNative = preferNative;
        this.workerThreads = workerThreads;
        this.tlsEngine = tlsEngine;
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
        Duration grace = positiveDuration(proxy, "shutdown-grace", problems, Duration.ofSeconds(10));
        boolean preferNative = proxy.getBoolean("event-loop.native");
        int threads = proxy.getInt("event-loop.threads");
        if (threads < 0) {
            problems.add(ConfigProblems.badValue(proxy, "event-loop.threads", "must be 0 (one per core) or more"));
        }
        TlsEngine tlsEngine = TlsEngine.JDK;
        try {
            Optional<TlsEngine> chosen = TlsEngineChoice.resolve(proxy.getString("tls.provider"));
            if (chosen.isPresent()) {
                tlsEngine = chosen.get();
            } else {
                problems.add(ConfigProblems.badValue(proxy, "tls.provider", "expected " + TlsEngineChoice.VALUES));
            }
        } catch (IllegalStateException e) {
            problems.add(ConfigProblems.badValue(proxy, "tls.provider", e.getMessage() + "; use auto or jdk"));
        }
        Config defaults = proxy.getConfig("route-defaults");
        List<RouteConfig> routes = new ArrayList<>();
        Map<String, ConfigValue> sorted = new TreeMap<>(proxy.getObject("routes"));
        for (Map.Entry<String, ConfigValue> e : sorted.entrySet()) {
            try {
                routes.add(readRoute(e.getKey(), e.getValue(), defaults, problems));
            } catch (ConfigException ex) {
                problems.add(ex);
            }
        }
        return new ProxySettings(root, pluginsDir, dataDir, grace, preferNative, threads, tlsEngine, List.copyOf(routes),
                List.copyOf(problems));
    }

    private static RouteConfig readRoute(String name, ConfigValue value, Config defaults, List<ConfigException> problems) {
        if (value.valueType() != ConfigValueType.OBJECT) {
            throw new ConfigException.WrongType(value.origin(), "proxy.routes." + name, "object", value.valueType().name());
        }
        Config route = ((com.typesafe.config.ConfigObject) value).toConfig();
        Config merged = route.withFallback(defaults);
        String listenTransport = transportOf(route, "listen", name);
        String dialTransport = transportOf(route, "dial", name);
        RelayTimeouts timeouts = new RelayTimeouts(
                positiveDuration(merged, "connect-timeout", problems, Duration.ofSeconds(10)),
                positiveDuration(merged, "idle-timeout", problems, Duration.ofHours(1)),
                positiveDuration(merged, "half-closed-timeout", problems, Duration.ofMinutes(1)));
        return new RouteConfig(name, listenTransport, route.getConfig("listen"), dialTransport, route.getConfig("dial"), timeouts);
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

    private static Duration positiveDuration(Config c, String path, List<ConfigException> problems, Duration fallback) {
        try {
            Duration d = c.getDuration(path);
            if (d.isNegative() || d.isZero()) {
                problems.add(ConfigProblems.badValue(c, path, "must be a positive duration, e.g. 10s"));
                return fallback;
            }
            return d;
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

    public boolean preferNative() {
        return preferNative;
    }

    /** The TLS engine of TLS-over-TCP transports ({@code proxy.tls.provider}, resolved). */
    public TlsEngine tlsEngine() {
        return tlsEngine;
    }

    public int workerThreads() {
        return workerThreads;
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
