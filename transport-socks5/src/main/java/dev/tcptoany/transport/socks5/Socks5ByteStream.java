package dev.tcptoany.transport.socks5;

import dev.tcptoany.api.Destination;
import dev.tcptoany.api.DialFailure;
import dev.tcptoany.api.SocketByteStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.Optional;

/**
 * A SOCKS5 client's TCP connection once it asked for a destination: the reply goes out when the
 * host knows how the dial went, then the socket is plain TCP (FIN is FIN, abort is a reset).
 */
final class Socks5ByteStream extends SocketByteStream {
    private final Destination destination;

    Socks5ByteStream(Channel channel, Destination destination) {
        super(channel, "socks5");
        this.destination = destination;
    }

    @Override
    public Optional<Destination> requestedDestination() {
        return Optional.of(destination);
    }

    @Override
    public void upstreamConnected() {
        channel().writeAndFlush(Socks5Replies.reply(channel().alloc(), Socks5Replies.SUCCEEDED));
    }

    @Override
    public void upstreamFailed(DialFailure failure, String reason) {
        // RFC 1928 6: after a failure reply the server closes the connection (cleanly: the reply says why).
        channel().writeAndFlush(Socks5Replies.reply(channel().alloc(), Socks5Replies.code(failure)))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public String describe() {
        return super.describe() + " -> " + destination;
    }
}
