package dev.tcptoany.transport.socks5;

import dev.tcptoany.api.Listener;
import dev.tcptoany.api.StreamAcceptor;
import dev.tcptoany.api.TransportContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Listens on every address {@code address} resolves to and runs the SOCKS5 handshake on each
 * accepted socket; the host gets the stream once the client asked for a destination.
 */
final class Socks5Listener implements Listener {
    private final TransportContext ctx;
    private final Socks5Options options;
    private final List<Channel> servers = new CopyOnWriteArrayList<>();

    Socks5Listener(TransportContext ctx, Socks5Options options) {
        this.ctx = ctx;
        this.options = options;
    }

    @Override
    public Future<List<SocketAddress>> start(StreamAcceptor acceptor) {
        List<InetSocketAddress> targets;
        try {
            targets = options.address().resolveAll();
        } catch (UnknownHostException e) {
            return GlobalEventExecutor.INSTANCE.newFailedFuture(new UnknownHostException(
                    "cannot resolve listen address " + options.address() + ": " + e.getMessage()));
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(ctx.network().acceptorGroup(), ctx.network().workerGroup())
                .channel(ctx.network().serverSocketChannelClass())
                .childOption(ChannelOption.ALLOCATOR, ctx.allocator())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Socks5Handshake.install(ch, options, ctx.rejections(), acceptor);
                    }
                });
        options.applyTo(b);
        List<SocketAddress> bound = new ArrayList<>();
        for (InetSocketAddress target : targets) {
            // One port for every address, as the tcp listener does: "localhost:0" binds 127.0.0.1 and ::1 alike.
            InetSocketAddress t = target.getPort() == 0 && !bound.isEmpty()
                    ? new InetSocketAddress(target.getAddress(), ((InetSocketAddress) bound.get(0)).getPort()) : target;
            ChannelFuture f = b.bind(t).awaitUninterruptibly();
            if (!f.isSuccess()) {
                close();
                return GlobalEventExecutor.INSTANCE.newFailedFuture(
                        new IOException("cannot bind socks5 " + t + ": " + f.cause().getMessage(), f.cause()));
            }
            servers.add(f.channel());
            bound.add(f.channel().localAddress());
        }
        return GlobalEventExecutor.INSTANCE.newSucceededFuture(bound);
    }

    @Override
    public Future<?> stopAccepting() {
        return close();
    }

    @Override
    public Future<?> close() {
        for (Channel c : servers) {
            c.close().awaitUninterruptibly();
        }
        servers.clear();
        return GlobalEventExecutor.INSTANCE.newSucceededFuture(null);
    }
}
