package dev.tcptoany.api;

import com.typesafe.config.Config;
import io.netty.buffer.ByteBufAllocator;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultAddressResolverGroup;
import java.net.InetSocketAddress;
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
     * The host's name resolution for dials: an asynchronous DNS resolver per event loop of
     * {@link NetworkChannels#workerGroup()} ({@code proxy.dns.*}; /etc/hosts first, IP literals
     * never queried), whose failures name the host and say why. A dialer must resolve through it,
     * never with {@code new InetSocketAddress(host, port)} or {@code InetAddress}, which block the
     * loop that serves other connections.
     *
     * <p>A Netty {@link AddressResolverGroup} rather than a resolve method of our own, because
     * that is what Netty's {@code Bootstrap.resolver(...)} takes: a dialer hands it over and
     * connects to an unresolved address, and Bootstrap resolves on the channel's loop. A
     * multiplexed dialer calls {@code getResolver(loop).resolve(hostPort.unresolved())} itself.
     * Plugins already share Netty's types with the host, so this adds no dependency.
     *
     * <p>The default is Netty's JDK-backed (blocking) resolver, what dialers used before: it keeps
     * contexts written against the earlier API compiling and working.
     */
    default AddressResolverGroup<InetSocketAddress> addressResolvers() {
        return DefaultAddressResolverGroup.INSTANCE;
    }

    /**
     * Publishes the transport's own values (connections, RTT, losses) on the host's metrics
     * endpoint for as long as the route runs; call it from the factory, once per source. A host
     * without metrics ignores it, which is what this default does.
     */
    default void publishMetrics(TransportMetrics metrics) {
    }
}
