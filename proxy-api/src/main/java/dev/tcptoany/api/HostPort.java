package dev.tcptoany.api;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@code host:port} as users write it: {@code 127.0.0.1:4201}, {@code [::1]:4201},
 * {@code localhost:9999}, or {@code :9999} / {@code *:9999} for every local address.
 */
public record HostPort(String host, int port) {

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        }
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} with a reason on bad input. */
    public static HostPort parse(String text) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + text + "' has no port; write host:port, e.g. 127.0.0.1:4201");
        }
        String host = s.substring(0, colon);
        String portText = s.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("'" + text + "': put an IPv6 address in brackets, e.g. [::1]:4201");
        }
        if (host.equals("*")) {
            host = "";
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': port '" + portText + "' is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': port " + port + " is out of range 0-65535");
        }
        return new HostPort(host, port);
    }

    /** Reads and parses {@code path}, failing with the value's file and line. */
    public static HostPort fromConfig(Config config, String path) {
        if (!config.hasPath(path)) {
            throw ConfigProblems.missing(config, path);
        }
        try {
            return parse(config.getString(path));
        } catch (IllegalArgumentException e) {
            throw ConfigProblems.badValue(config, path, e.getMessage());
        }
    }

    /** True for {@code :port} and {@code *:port}: every local address. */
    public boolean isWildcard() {
        return host.isEmpty();
    }

    /**
     * Every address the host resolves to, in resolver order; for a wildcard, the single wildcard
     * address. Listeners bind each one, since {@code localhost} is often {@code ::1} and
     * {@code 127.0.0.1} and a client may try only one of them.
     */
    public List<InetSocketAddress> resolveAll() throws UnknownHostException {
        if (isWildcard()) {
            return List.of(new InetSocketAddress(port));
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetAddress a : InetAddress.getAllByName(host)) {
            InetSocketAddress sa = new InetSocketAddress(a, port);
            if (!out.contains(sa)) {
                out.add(sa);
            }
        }
        return out;
    }

    /** An unresolved address, for dialers that resolve at connect time. */
    public InetSocketAddress unresolved() {
        return InetSocketAddress.createUnresolved(host.isEmpty() ? "localhost" : host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
