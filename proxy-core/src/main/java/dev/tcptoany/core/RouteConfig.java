package dev.tcptoany.core;

import com.typesafe.config.Config;

/**
 * One route as configured: {@code proxy.routes.NAME { listen {...}, dial {...} }} plus its
 * timeouts and connection limit (route values over {@code proxy.route-defaults}).
 *
 * @param listen the route's listen block (not yet merged with the transport's defaults)
 * @param dial   the route's dial block (not yet merged)
 * @param maxOpenConnections connections the route relays at once; 0 = unlimited
 * @param splice whether tcp->tcp relays on epoll move bytes with splice(2)
 */
public record RouteConfig(String name, String listenTransport, Config listen, String dialTransport, Config dial,
                          RelayTimeouts timeouts, int maxOpenConnections, SpliceMode splice) {

    /** "tcp 127.0.0.1:5201" or "ws ws://host/t": what this route dials, for log lines. */
    public String dialDescription() {
        return dialAddress().isEmpty() ? dialTransport : dialTransport + " " + dialAddress();
    }

    /** "tcp 127.0.0.1:4201": where this route listens, for log lines. */
    public String listenDescription() {
        return listenAddress().isEmpty() ? listenTransport : listenTransport + " " + listenAddress();
    }

    /** The dial block's address, url or path as written; "" when the transport needs none. */
    public String dialAddress() {
        return firstOf(dial, "address", "url", "path");
    }

    /** The listen block's address or path as written; "" when the transport needs none. */
    public String listenAddress() {
        return firstOf(listen, "address", "path");
    }

    /** "node1.conf:3": where the route's listen transport is set, for /routes. */
    public String origin() {
        com.typesafe.config.ConfigOrigin o = listen.hasPath("transport") ? listen.getValue("transport").origin() : listen.origin();
        String file = o.filename() != null ? o.filename() : o.description();
        return o.lineNumber() > 0 && o.filename() != null ? file + ":" + o.lineNumber() : file;
    }

    private static String firstOf(Config block, String... keys) {
        for (String key : keys) {
            if (block.hasPath(key)) {
                return block.getString(key);
            }
        }
        return "";
    }
}
