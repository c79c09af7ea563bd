package dev.tcptoany.transport.httpconnect;

import dev.tcptoany.api.Destination;
import dev.tcptoany.api.DialFailure;
import dev.tcptoany.api.SocketByteStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.Optional;

/**
 * An HTTP client's connection once it sent CONNECT: the answer (200, 403, 502, 504) goes out when the
 * host knows how the dial went, then the socket is plain TCP (FIN is FIN, abort is a reset).
 */
final class ConnectByteStream extends SocketByteStream {
    private final Destination destination;

    ConnectByteStream(Channel channel, Destination destination) {
        super(channel, "http-connect");
        this.destination = destination;
    }

    @Override
    public Optional<Destination> requestedDestination() {
        return Optional.of(destination);
    }

    @Override
    public void upstreamConnected() {
        channel().writeAndFlush(ConnectResponses.established(channel().alloc()));
    }

    @Override
    public void upstreamFailed(DialFailure failure, String reason) {
        // The answer says why; then the connection closes cleanly (Connection: close).
        channel().writeAndFlush(ConnectResponses.dialFailed(channel().alloc(), failure))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public String describe() {
        return super.describe() + " -> " + destination;
    }
}
