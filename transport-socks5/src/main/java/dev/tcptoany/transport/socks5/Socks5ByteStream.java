package dev.tcptoany.transport.socks5;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.Destination;
import dev.tcptoany.api.DialFailure;
import dev.tcptoany.api.OrderlyShutdown;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import java.util.Optional;

/**
 * A SOCKS5 client's TCP connection once it asked for a destination: the reply goes out when the
 * host knows how the dial went, then the socket is plain TCP (FIN is FIN, abort is a reset).
 */
final class Socks5ByteStream implements ByteStream {
    private final DuplexChannel channel;
    private final Destination destination;

    Socks5ByteStream(Channel channel, Destination destination) {
        this.channel = (DuplexChannel) channel;
        this.destination = destination;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public Optional<Destination> requestedDestination() {
        return Optional.of(destination);
    }

    @Override
    public void upstreamConnected() {
        channel.writeAndFlush(Socks5Replies.reply(channel.alloc(), Socks5Replies.SUCCEEDED));
    }

    @Override
    public void upstreamFailed(DialFailure failure, String reason) {
        // RFC 1928 6: after a failure reply the server closes the connection (cleanly: the reply says why).
        channel.writeAndFlush(Socks5Replies.reply(channel.alloc(), Socks5Replies.code(failure)))
                .addListener(ChannelFutureListener.CLOSE);
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
            channel.config().setOption(ChannelOption.SO_LINGER, 0); // RST: the client sees a reset, not an end
            channel.close();
        }
    }

    @Override
    public String describe() {
        return "socks5 " + channel.remoteAddress() + " -> " + destination;
    }
}
