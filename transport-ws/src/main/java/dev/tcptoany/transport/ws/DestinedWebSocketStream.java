package dev.tcptoany.transport.ws;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.Destination;
import dev.tcptoany.api.DialFailure;
import dev.tcptoany.api.policy.AuthenticatedClient;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An upgrade request that named a destination, handed to the host before the 101: the host's
 * answer finishes the upgrade ({@link #upstreamConnected()}) or refuses it with 403/502/504
 * ({@link #upstreamFailed}). Everything else is the WebSocket stream it becomes.
 */
final class DestinedWebSocketStream implements ByteStream {
    private final WebSocketByteStream upgraded;
    private final Destination destination;
    private final Runnable switchProtocols;
    private final Consumer<DialFailure> refuse;

    DestinedWebSocketStream(WebSocketByteStream upgraded, Destination destination, Runnable switchProtocols,
                            Consumer<DialFailure> refuse) {
        this.upgraded = upgraded;
        this.destination = destination;
        this.switchProtocols = switchProtocols;
        this.refuse = refuse;
    }

    @Override
    public Optional<Destination> requestedDestination() {
        return Optional.of(destination);
    }

    @Override
    public Optional<AuthenticatedClient> authenticatedClient() {
        return upgraded.authenticatedClient();
    }

    @Override
    public void upstreamConnected() {
        switchProtocols.run();
    }

    @Override
    public void upstreamFailed(DialFailure failure, String reason) {
        refuse.accept(failure);
    }

    @Override
    public Channel channel() {
        return upgraded.channel();
    }

    @Override
    public boolean supportsHalfClose() {
        return upgraded.supportsHalfClose();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return upgraded.shutdownOutput();
    }

    @Override
    public void abort(String reason) {
        upgraded.abort(reason);
    }

    @Override
    public boolean isWritable() {
        return upgraded.isWritable();
    }

    @Override
    public void write(ByteBuf bytes) {
        upgraded.write(bytes);
    }

    @Override
    public String describe() {
        return upgraded.describe() + " -> " + destination;
    }
}
