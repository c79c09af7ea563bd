package dev.tcptoany.core;

import dev.tcptoany.api.Destination;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Destinations a route refused by policy (the exit's allow/deny, or the exit's answer relayed by
 * node 1): counted as rejected peer {@value #REASON} and logged with the client, the requested
 * target and the rule that refused it, at most one line per 10 s per route with the number refused
 * since the last line. A client probing the policy is exactly when one line per refusal would hurt.
 */
final class DestinationRefusals {
    static final String REASON = "destination-not-allowed";
    private static final Logger log = LoggerFactory.getLogger(DestinationRefusals.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final String route;
    private final RouteCounters counters;
    private final AtomicLong refusedSinceLog = new AtomicLong();
    /** When the last line was logged (System.nanoTime); starts far enough back to log the first. */
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    DestinationRefusals(String route, RouteCounters counters) {
        this.route = route;
        this.counters = counters;
    }

    /**
     * @param client the client stream as {@code ByteStream.describe()} names it (a QUIC stream's
     *               remote address is only a stream id)
     * @param why    the dial's message, which names the rule (e.g. "... not allowed: built-in deny 127.0.0.0/8")
     */
    void refused(String client, Destination target, String why) {
        counters.rejected(REASON);
        long refused = refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLog.compareAndSet(last, now)) {
            refusedSinceLog.addAndGet(-refused);
            log.warn("route {}: refused {} destination(s) since the last such line; latest: client {} asked for {}: {}"
                    + " (at most one such line per 10 s)", route, refused, client, target, why);
        }
    }
}
