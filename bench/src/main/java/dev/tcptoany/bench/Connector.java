package dev.tcptoany.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

import java.net.InetSocketAddress;

/**
 * Where a client connects: straight to {@code --target}, or with {@code --socks5 HOST:PORT} to a SOCKS5
 * entry that is asked for {@code --target} (a name in {@code --target} is sent as a name). The measuring
 * handler becomes active only after the handshake ({@link Socks5ClientHandshake}).
 */
final class Connector {
    private final InetSocketAddress target;
    private final InetSocketAddress socks5;

    private Connector(InetSocketAddress target, InetSocketAddress socks5) {
        this.target = target;
        this.socks5 = socks5;
    }

    static Connector fromArgs(Args args) {
        String socks = args.str("socks5", "");
        if (socks.isEmpty()) {
            return new Connector(Net.parse(args.str("target", null)), null);
        }
        return new Connector(Net.parseUnresolved(args.str("target", null)), Net.parse(socks));
    }

    ChannelFuture connect(Bootstrap b, ChannelHandler handler) {
        if (socks5 == null) {
            return b.handler(handler).connect(target);
        }
        return b.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new Socks5ClientHandshake(target), handler);
            }
        }).connect(socks5);
    }
}
