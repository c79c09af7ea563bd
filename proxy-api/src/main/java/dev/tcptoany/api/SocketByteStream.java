package dev.tcptoany.api;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;

/**
 * A TCP socket as a {@link ByteStream}: FIN is an orderly {@code shutdownOutput} (after every queued
 * write, {@link OrderlyShutdown}), abort is a reset (SO_LINGER 0), so the peer sees a reset and not
 * a clean end. The tcp transport uses it as it is; an entry point (socks5, http-connect) extends it
 * to carry the client's destination and answer the client once the dial is done.
 */
public class SocketByteStream implements ByteStream {
    private final DuplexChannel channel;
    private final String kind;

    /** @param kind the transport's name in {@link #describe()}: "tcp /127.0.0.1:50000" */
    public SocketByteStream(Channel channel, String kind) {
        this.channel = (DuplexChannel) channel;
        this.kind = kind;
    }

    @Override
    public final Channel channel() {
        return channel;
    }

    @Override
    public final boolean supportsHalfClose() {
        return true;
    }

    @Override
    public final ChannelFuture shutdownOutput() {
        return OrderlyShutdown.shutdownOutput(channel);
    }

    @Override
    public final void abort(String reason) {
        if (channel.isOpen()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        }
    }

    @Override
    public String describe() {
        return kind + " " + channel.remoteAddress();
    }
}
