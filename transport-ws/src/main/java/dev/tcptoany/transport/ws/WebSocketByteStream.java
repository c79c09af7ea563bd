package dev.tcptoany.transport.ws;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.policy.AuthenticatedClient;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import java.util.Optional;

/**
 * A WebSocket connection after its handshake, seen as a {@link ByteStream}. Half-close is
 * supported only when both ends agreed on {@link Subprotocol#NAME}; the work is done by the
 * {@link WebSocketStreamHandler} in the channel's pipeline.
 */
final class WebSocketByteStream implements ByteStream {
    private final Channel channel;
    private final WebSocketStreamHandler handler;
    private final String description;
    /** On a listener's stream: the client whose token the upgrade request carried (auth.tokens). */
    private final Optional<AuthenticatedClient> client;

    WebSocketByteStream(Channel channel, WebSocketStreamHandler handler, String description) {
        this(channel, handler, description, Optional.empty());
    }

    WebSocketByteStream(Channel channel, WebSocketStreamHandler handler, String description,
                        Optional<AuthenticatedClient> client) {
        this.channel = channel;
        this.handler = handler;
        this.description = description;
        this.client = client;
    }

    @Override
    public Optional<AuthenticatedClient> authenticatedClient() {
        return client;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public boolean supportsHalfClose() {
        return handler.supportsHalfClose();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        if (channel.eventLoop().inEventLoop()) {
            return handler.shutdownOutput();
        }
        ChannelPromise promise = channel.newPromise();
        channel.eventLoop().execute(() -> handler.shutdownOutput().addListener(f -> {
            if (f.isSuccess()) {
                promise.trySuccess();
            } else {
                promise.tryFailure(f.cause());
            }
        }));
        return promise;
    }

    @Override
    public void abort(String reason) {
        if (channel.eventLoop().inEventLoop()) {
            handler.abort(reason);
        } else {
            channel.eventLoop().execute(() -> handler.abort(reason));
        }
    }

    @Override
    public String describe() {
        return description;
    }
}
