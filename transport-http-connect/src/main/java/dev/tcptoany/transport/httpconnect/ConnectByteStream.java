package dev.tcptoany.transport.httpconnect;

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
 * An HTTP client's connection once it sent CONNECT: the answer (200, 403, 502, 504) goes out when the
 * host knows how the dial went, then the socket is plain TCP (FIN is FIN, abort is a reset).
 */
final class ConnectByteStream implements ByteStream {
    private final DuplexChannel channel;
    private final Destination destination;

    ConnectByteStream(Channel channel, Destination destination) {
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
        channel.writeAndFlush(ConnectResponses.established(channel.alloc()));
    }

    @Override
    public void upstreamFailed(DialFailure failure, String reason) {
        // The answer says why; then the connection closes cleanly (Connection: close).
        channel.writeAndFlush(ConnectResponses.dialFailed(channel.alloc(), failure))
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
        return "http-connect " + channel.remoteAddress() + " -> " + destination;
    }
}
