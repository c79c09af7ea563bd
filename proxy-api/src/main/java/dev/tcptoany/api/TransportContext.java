package dev.tcptoany.api;

import com.typesafe.config.Config;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Path;

/** What the host gives a transport for one route side. */
public interface TransportContext {

    /** The transport's name, as in {@code transport = ...}. */
    String transportName();

    /** The route this listener or dialer serves, for log lines and metrics. */
    String routeName();

    /**
     * The route's {@code listen {}} or {@code dial {}} block merged over
     * {@code proxy.transports.<name>.listen|dial} from the plugin's {@code reference.conf}.
     * Values keep their origin (file and line) for error messages; see {@link ConfigProblems}.
     */
    Config config();

    /** Shared event loops and the channel classes that match them. */
    NetworkChannels network();

    /** The allocator every channel should use (pooled, direct). */
    ByteBufAllocator allocator();

    /** Certificates and trust, built from a {@link TlsSettings}. */
    TlsMaterials tls();

    /** A directory this transport may keep state in across restarts (generated keys...). */
    Path dataDirectory();

    /** Where a transport counts peers it rejected (bad handshake, wrong certificate, garbage). */
    PeerRejections rejections();

    /**
     * Publishes the transport's own values (connections, RTT, losses) on the host's metrics
     * endpoint for as long as the route runs; call it from the factory, once per source. A host
     * without metrics ignores it, which is what this default does.
     */
    default void publishMetrics(TransportMetrics metrics) {
    }
}
