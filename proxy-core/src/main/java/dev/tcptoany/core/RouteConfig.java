package dev.tcptoany.core;

import com.typesafe.config.Config;

/**
 * One route as configured: {@code proxy.routes.NAME { listen {...}, dial {...} }} plus its
 * timeouts and connection limit (route values over {@code proxy.route-defaults}).
 *
 * @param listen the route's listen block (not yet merged with the transport's defaults)
 * @param dial   the route's dial block (not yet merged)
 * @param maxOpenConnections connections the route relays at once; 0 = unlimited
 */
public record RouteConfig(String name, String listenTransport, Config listen, String dialTransport, Config dial,
                          RelayTimeouts timeouts, int maxOpenConnections) {

    /** "tcp 127.0.0.1:5201" or "ws ws://host/t": what this route dials, for log lines. */
    public String dialDescription() {
        for (String key : new String[] {"address", "url", "path"}) {
            if (dial.hasPath(key)) {
                return dialTransport + " " + dial.getString(key);
            }
        }
        return dialTransport;
    }

    /** "tcp 127.0.0.1:4201": where this route listens, for log lines. */
    public String listenDescription() {
        for (String key : new String[] {"address", "path"}) {
            if (listen.hasPath(key)) {
                return listenTransport + " " + listen.getString(key);
            }
        }
        return listenTransport;
    }
}
