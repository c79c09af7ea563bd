package dev.tcptoany.core;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import dev.tcptoany.api.HostPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Two routes that listen on the same port would pass {@code check} and then fail {@code run} with
 * "address in use" (exit 1, which a systemd unit restarts); report them when checking instead.
 *
 * <p>Which routes can collide: tcp, ws and wss all bind TCP ports, so any two of them collide on
 * the same port; quic binds UDP and collides only with quic; any other transport only with itself.
 * {@code :PORT} (every interface) collides with every host on that port. Host names are compared
 * as written (resolving them is the run's business).
 */
final class ListenAddressConflicts {
    private static final Set<String> TCP_TRANSPORTS = Set.of("tcp", "ws", "wss");

    private ListenAddressConflicts() {
    }

    static List<ConfigException> find(List<RouteConfig> routes) {
        List<ConfigException> problems = new ArrayList<>();
        List<RouteConfig> seen = new ArrayList<>();
        for (RouteConfig route : routes) {
            HostPort address = listenAddress(route);
            if (address == null) {
                continue;
            }
            for (RouteConfig earlier : seen) {
                HostPort other = listenAddress(earlier);
                if (sameSocketKind(route.listenTransport(), earlier.listenTransport()) && other.port() == address.port()
                        && address.port() != 0
                        && (everyInterface(address) || everyInterface(other) || address.host().equalsIgnoreCase(other.host()))) {
                    problems.add(new ConfigException.Generic(route.listen().getValue("address").origin().description()
                            + ": proxy.routes." + route.name() + ".listen.address: " + route.listen().getString("address")
                            + " is also where route '" + earlier.name() + "' listens ("
                            + earlier.listen().getValue("address").origin().description()
                            + "); only one of them could bind it"));
                    break;
                }
            }
            seen.add(route);
        }
        return problems;
    }

    /** {@code :PORT}, {@code 0.0.0.0:PORT} and {@code [::]:PORT} take the port on every interface. */
    private static boolean everyInterface(HostPort a) {
        return a.isWildcard() || a.host().equals("0.0.0.0") || a.host().equals("::") || a.host().equals("[::]");
    }

    private static boolean sameSocketKind(String a, String b) {
        return a.equals(b) || TCP_TRANSPORTS.contains(a) && TCP_TRANSPORTS.contains(b);
    }

    /** The listen address when it is a plain HOST:PORT string; null otherwise (reported elsewhere). */
    private static HostPort listenAddress(RouteConfig route) {
        if (!route.listen().hasPath("address") || route.listen().getValue("address").valueType() != ConfigValueType.STRING) {
            return null;
        }
        try {
            return HostPort.parse(route.listen().getString("address"));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
