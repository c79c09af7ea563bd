package dev.tcptoany.core;

import dev.tcptoany.api.ByteStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's {@code max-open-connections}, enforced by the host so every listen transport gets the
 * same policy (QUIC had its own caps; tcp and ws accepted without bound, and every accepted
 * stream dials upstream). A connection over the limit is aborted in the listen transport's terms
 * and counted as rejected peer {@value #REASON}; the log line is rate-limited, since a flood of
 * refusals is exactly when one line per refusal would hurt.
 */
final class ConnectionLimit {
    static final String REASON = "connection-limit";
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final String route;
    private final int max;
    private final RouteCounters counters;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refusedSinceLog = new AtomicLong();
    /** When the last refusal line was logged (System.nanoTime); starts far enough back to log the first. */
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    /** @param max 0 = unlimited */
    ConnectionLimit(String route, int max, RouteCounters counters) {
        this.route = route;
        this.max = max;
        this.counters = counters;
    }

    /** Takes a place for a new connection; false when the route is full (nothing taken then). */
    boolean tryAdmit() {
        if (open.incrementAndGet() > max && max > 0) {
            open.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back the place of a connection that {@link #tryAdmit} admitted. */
    void release() {
        open.decrementAndGet();
    }

    /** Aborts a stream that found the route full; called on the stream's event loop. */
    void refuse(ByteStream stream) {
        counters.rejected(REASON);
        long refused = refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLog.compareAndSet(last, now)) {
            refusedSinceLog.addAndGet(-refused);
            log.warn("route {}: refused {} connection(s) since the last such line: max-open-connections = {} reached"
                    + " (latest {}; at most one such line per 10 s)", route, refused, max, stream.describe());
        }
        stream.abort("connection limit: route " + route + " already relays " + max + " connection(s)");
    }
}
