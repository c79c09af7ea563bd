package dev.tcptoany.core;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.Dialer;
import dev.tcptoany.api.Listener;
import dev.tcptoany.api.StreamAcceptor;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.SocketAddress;
import java.util.List;

/** One running route: its listener, its dialer, its counters and the channels it relays. */
final class RouteRuntime implements StreamAcceptor {
    /** Swapped, with the dialer, by a reload that changes only the route's dial side. */
    private volatile RouteConfig config;
    private final Listener listener;
    private volatile Dialer dialer;
    private final RouteCounters counters;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** Relays not finished yet, so a forced stop can abort them (a close would look like a clean end). */
    private final java.util.Set<Relay> relays = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ConnectionLimit limit;
    private final PublishedTransportMetrics transportMetrics;
    private final DestinationRefusals refusals;
    private volatile List<SocketAddress> bound = List.of();

    RouteRuntime(RouteConfig config, Listener listener, Dialer dialer, RouteCounters counters,
                 PublishedTransportMetrics transportMetrics) {
        this.config = config;
        this.listener = listener;
        this.dialer = dialer;
        this.counters = counters;
        this.transportMetrics = transportMetrics;
        this.limit = new ConnectionLimit(config.name(), config.maxOpenConnections(), counters);
        this.refusals = new DestinationRefusals(config.name(), counters);
    }

    String name() {
        return config.name();
    }

    RouteConfig config() {
        return config;
    }

    RelayTimeouts timeouts() {
        return config.timeouts();
    }

    Dialer dialer() {
        return dialer;
    }

    Listener listener() {
        return listener;
    }

    RouteCounters counters() {
        return counters;
    }

    DestinationRefusals refusals() {
        return refusals;
    }

    /** For log lines: "quic 127.0.0.1:4202". */
    String dialTarget() {
        return config.dialDescription();
    }

    void bound(List<SocketAddress> addresses) {
        this.bound = List.copyOf(addresses);
    }

    List<SocketAddress> boundAddresses() {
        return bound;
    }

    /** True once the listener has bound every address (and until the route is removed). */
    boolean isBound() {
        return !bound.isEmpty();
    }

    PublishedTransportMetrics transportMetrics() {
        return transportMetrics;
    }

    void track(Channel channel) {
        channels.add(channel);
    }

    void started(Relay relay) {
        relays.add(relay);
    }

    /** Called once per relay that {@link #accept} started. */
    void finished(Relay relay) {
        relays.remove(relay);
        limit.release();
    }

    /**
     * A reload changed only the dial side: new connections use {@code next}; those open keep the
     * dialer they started with (the relay holds it).
     *
     * @return the relays open at the swap, which still use the old dialer
     */
    java.util.Set<Relay> swapDialer(RouteConfig next, Dialer nextDialer, List<PublishedTransportMetrics.Source> dialMetrics) {
        java.util.Set<Relay> before = java.util.Set.copyOf(relays);
        this.config = next;
        this.dialer = nextDialer;
        transportMetrics.replaceSide("dial", dialMetrics);
        return before;
    }

    /** True while one of {@code relays} is still open. */
    boolean anyOpen(java.util.Set<Relay> some) {
        for (Relay r : some) {
            if (relays.contains(r)) {
                return true;
            }
        }
        return false;
    }

    /** Relays of this runtime not finished yet (a replaced route's old runtime drains to 0). */
    int relaysOpen() {
        return relays.size();
    }

    /** Aborts every relay still open: both ends see a reset, not an end. */
    void abortAll(String reason) {
        relays.forEach(r -> r.abortForStop(reason));
    }

    /** Channels of connections still open (accepted and dialled). */
    ChannelGroup channels() {
        return channels;
    }

    @Override
    public void accept(ByteStream stream) {
        if (!limit.tryAdmit()) {
            String client = Relay.peerOf(stream);
            limit.refuse(stream);
            counters.ended(EndReason.REFUSED_BY_POLICY);
            AccessLog.write(new ConnectionEnd(config.name(), client, config.listenTransport(), config.dialTransport(),
                    config.dialAddress(), 0, 0, java.time.Duration.ZERO, EndReason.REFUSED_BY_POLICY, "proxy"));
            return;
        }
        new Relay(this, stream).start();
    }
}
