package dev.tcptoany.transport.httpconnect;

import dev.tcptoany.api.ListenerFactory;
import dev.tcptoany.api.SocketListener;
import dev.tcptoany.api.TransportProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.util.Optional;

/** An HTTP CONNECT proxy entry point: each accepted connection names its own destination. Listen only. */
public final class HttpConnectTransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "http-connect";
    }

    @Override
    public String description() {
        return "HTTP CONNECT proxy entry point (Basic proxy authentication; 200 after the far end answered, 403/502/504 when not)";
    }

    @Override
    public Optional<ListenerFactory> listenerFactory() {
        return Optional.of(ctx -> {
            HttpConnectOptions options = HttpConnectOptions.fromConfig(ctx.config());
            // The client's handshake runs on each accepted socket; the host gets the stream once the
            // client asked for a destination.
            return new SocketListener(ctx, options.address(), "http-connect", options.socket()::applyTo,
                    acceptor -> new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ConnectHandshake.install(ch, options, ctx.rejections(), acceptor);
                        }
                    }).namingDestinations();
        });
    }
}
