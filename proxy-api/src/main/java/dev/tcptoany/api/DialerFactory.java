package dev.tcptoany.api;

/** Creates a {@link Dialer} for one route from that route's {@code dial {}} settings. */
@FunctionalInterface
public interface DialerFactory {

    /**
     * Validates {@link TransportContext#config()} and builds a dialer. Connections are opened later,
     * by {@link Dialer#dial(DialRequest)}.
     *
     * @throws com.typesafe.config.ConfigException for a bad option, naming its origin
     *         (see {@link ConfigProblems})
     */
    Dialer create(TransportContext context) throws Exception;
}
