package dev.tcptoany.api;

import java.util.Optional;

/**
 * The service a transport plugin registers in
 * {@code META-INF/services/dev.tcptoany.api.TransportProvider}.
 *
 * <p>A provider is stateless: the host calls its factories once per route side that names it.
 * Defaults for its options live in the plugin's own {@code reference.conf} under
 * {@code proxy.transports.<name>.listen} and {@code proxy.transports.<name>.dial}; the host merges
 * the route's {@code listen {}} or {@code dial {}} block over them before calling the factory.
 */
public interface TransportProvider {

    /** The name routes use in {@code transport = ...}: lower case, unique among loaded plugins. */
    String name();

    /** One line for {@code tcp-to-any-proxy transports}. */
    default String description() {
        return "";
    }

    /** How to accept connections with this transport, or empty if it cannot listen. */
    default Optional<ListenerFactory> listenerFactory() {
        return Optional.empty();
    }

    /** How to open connections with this transport, or empty if it cannot dial. */
    default Optional<DialerFactory> dialerFactory() {
        return Optional.empty();
    }
}
