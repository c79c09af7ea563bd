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
    private volatile List<SocketAddress> bound = List.of();

    RouteRuntime(RouteConfig config, Listener listener, Dialer dialer, RouteCounters counters) {
        this.config = config;
        this.listener = listener;
        this.dialer = dialer;
        this.counters = counters;
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

    /** Channels of connections still open (accepted and dialled). */
    ChannelGroup channels() {
        return channels;
    }

    @Override
    public void accept(ByteStream stream) {
        new Relay(this, stream).start();
    }
}
