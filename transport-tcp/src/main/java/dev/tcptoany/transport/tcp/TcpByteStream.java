package dev.tcptoany.transport.tcp;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.OrderlyShutdown;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;

/** A TCP socket as a {@link ByteStream}: FIN is {@code shutdownOutput}, abort is a reset. */
final class TcpByteStream implements ByteStream {
    private final DuplexChannel channel;

    TcpByteStream(Channel channel) {
        this.channel = (DuplexChannel) channel;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public boolean supportsHalfClose() {
        return true;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return OrderlyShutdown.shutdownOutput(channel);
    }

    @Override
    public void abort(String reason) {
        if (channel.isOpen()) {
            // SO_LINGER 0 makes close() send RST: the peer sees "connection reset", not a clean end.
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        }
    }

    @Override
    public String describe() {
        return "tcp " + channel.remoteAddress();
    }
}
