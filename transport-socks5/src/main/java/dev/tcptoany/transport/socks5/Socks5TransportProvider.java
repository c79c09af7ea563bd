package dev.tcptoany.transport.socks5;

import dev.tcptoany.api.ListenerFactory;
import dev.tcptoany.api.SocketListener;
import dev.tcptoany.api.TransportProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.util.Optional;

/** A SOCKS5 entry point: each accepted connection names its own destination. Listen only. */
public final class Socks5TransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "socks5";
    }

    @Override
    public String description() {
        return "SOCKS5 entry point (CONNECT to IPv4, IPv6 and names; no-auth or username/password; replies after the far end answered)";
    }

    @Override
    public Optional<ListenerFactory> listenerFactory() {
        return Optional.of(ctx -> {
            Socks5Options options = Socks5Options.fromConfig(ctx.config());
            // The client's handshake runs on each accepted socket; the host gets the stream once the
            // client asked for a destination.
            return new SocketListener(ctx, options.address(), "socks5", options.socket()::applyTo,
                    acceptor -> new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            Socks5Handshake.install(ch, options, ctx.rejections(), acceptor);
                        }
                    }).namingDestinations();
        });
    }
}
