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
    private final RouteConfig config;
    private final Listener listener;
    private final Dialer dialer;
    private final RouteCounters counters;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** Relays not finished yet, so a forced stop can abort them (a close would look like a clean end). */
    private final java.util.Set<Relay> relays = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ConnectionLimit limit;
    private final DestinationRefusals refusals;
    private volatile List<SocketAddress> bound = List.of();

    RouteRuntime(RouteConfig config, Listener listener, Dialer dialer, RouteCounters counters) {
        this.config = config;
        this.listener = listener;
        this.dialer = dialer;
        this.counters = counters;
        this.limit = new ConnectionLimit(config.name(), config.maxOpenConnections(), counters);
        this.refusals = new DestinationRefusals(config.name(), counters);
    }

    String name() {
        return config.name();
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
            limit.refuse(stream);
            return;
        }
        new Relay(this, stream).start();
    }
}
