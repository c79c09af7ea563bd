package dev.tcptoany.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per connection when it ends, on the logger {@code access} (not under
 * {@code dev.tcptoany}), so an operator can route it to its own file or turn it off without
 * touching the other logs. The text is {@code key=value} pairs; the same fields travel as SLF4J
 * key-value pairs, which the JSON log format writes as fields of their own.
 */
final class AccessLog {
    static final String LOGGER = "access";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private AccessLog() {
    }

    static void write(ConnectionEnd e) {
        if (!log.isInfoEnabled()) {
            return;
        }
        String duration = HumanDuration.format(e.duration());
        log.atInfo()
                .addKeyValue("route", e.route())
                .addKeyValue("client", e.client())
                .addKeyValue("listen_transport", e.listenTransport())
                .addKeyValue("dial_transport", e.dialTransport())
                .addKeyValue("upstream", e.upstream())
                .addKeyValue("bytes_to_upstream", e.bytesToUpstream())
                .addKeyValue("bytes_to_client", e.bytesToClient())
                .addKeyValue("duration", duration)
                .addKeyValue("end", e.reason().label())
                .addKeyValue("first_end", e.firstEnded())
                .log("route={} client={} listen={} dial={} upstream={} bytes_to_upstream={} bytes_to_client={}"
                                + " duration={} end={} first_end={}",
                        e.route(), e.client(), e.listenTransport(), e.dialTransport(), e.upstream(),
                        e.bytesToUpstream(), e.bytesToClient(), duration, e.reason().label(), e.firstEnded());
    }
}
