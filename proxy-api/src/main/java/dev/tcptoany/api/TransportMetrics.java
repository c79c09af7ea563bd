package dev.tcptoany.api;

/**
 * Values a transport publishes on the host's metrics endpoint, read at each scrape. The host
 * names them {@code tcptoany_<transport>_<name>} and labels them with the route and the side
 * ({@code listen} or {@code dial}); proxy-api stays free of any metrics library, so a plugin
 * reports plain numbers and the host decides the format.
 *
 * <pre>{@code
 * context.publishMetrics(out -> {
 *     out.gauge("connections", "QUIC connections open", pool.size());
 *     out.counter("packets_lost", "QUIC packets declared lost", lost.sum());
 * });
 * }</pre>
 */
@FunctionalInterface
public interface TransportMetrics {

    /**
     * Reports every current value through {@code out}. Called on the scraping thread, never on an
     * event loop of the transport: read only thread-safe state (atomics, snapshots) and be quick.
     */
    void report(MetricValues out);

    /** Where {@link #report} writes. */
    interface MetricValues {

        /**
         * A value that goes up and down (connections open, a smoothed RTT in seconds).
         *
         * @param name   lower-case letters, digits and '_', e.g. {@code "smoothed_rtt_seconds"}
         * @param labels extra label name/value pairs, e.g. {@code "reason", "bad-origin"}
         */
        void gauge(String name, String help, double value, String... labels);

        /**
         * A running total that only grows (packets lost); the endpoint adds {@code _total}.
         *
         * @param name   as for {@link #gauge}, without {@code _total}
         * @param labels extra label name/value pairs
         */
        void counter(String name, String help, double value, String... labels);
    }
}
