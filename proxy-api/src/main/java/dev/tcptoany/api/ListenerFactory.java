package dev.tcptoany.api;

/** Creates a {@link Listener} for one route from that route's {@code listen {}} settings. */
@FunctionalInterface
public interface ListenerFactory {

    /**
     * Validates {@link TransportContext#config()} and builds a listener that is not bound yet.
     *
     * @throws com.typesafe.config.ConfigException for a bad option, naming its origin
     *         (see {@link ConfigProblems})
     */
    Listener create(TransportContext context) throws Exception;
}
