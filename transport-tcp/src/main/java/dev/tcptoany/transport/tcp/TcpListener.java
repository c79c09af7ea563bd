package dev.tcptoany.transport.tcp;

import dev.tcptoany.api.HostPort;
import dev.tcptoany.api.Listener;
import dev.tcptoany.api.StreamAcceptor;
import dev.tcptoany.api.TransportContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Listens on every address {@code address} resolves to ({@code localhost} is often both
 * {@code 127.0.0.1} and {@code ::1}, and a client may try only one).
 */
final class TcpListener implements Listener {
    private final TransportContext ctx;
    private final TcpSocketOptions options;
    private final HostPort address;
    private final List<Channel> servers = new CopyOnWriteArrayList<>();

    TcpListener(TransportContext ctx, TcpSocketOptions options) {
        this.ctx = ctx;
        this.options = options;
        this.address = HostPort.fromConfig(ctx.config(), "address");
    }

    @Override
    public Future<List<SocketAddress>> start(StreamAcceptor acceptor) {
        Promise<List<SocketAddress>> result = GlobalEventExecutor.INSTANCE.newPromise();
        List<InetSocketAddress> targets;
        try {
            targets = address.resolveAll();
        } catch (UnknownHostException e) {
            return result.setFailure(new UnknownHostException("cannot resolve listen address " + address + ": " + e.getMessage()));
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(ctx.network().acceptorGroup(), ctx.network().workerGroup())
                .channel(ctx.network().serverSocketChannelClass())
                .childOption(ChannelOption.ALLOCATOR, ctx.allocator())
                .childHandler(new Handover(acceptor));
        options.applyTo(b);
        List<SocketAddress> bound = new ArrayList<>();
        for (InetSocketAddress target : targets) {
            // Bind one address after another so an ephemeral port (0) chosen by the first is reused
            // for the others: "localhost:0" yields one port on both 127.0.0.1 and ::1.
            InetSocketAddress t = target;
            if (t.getPort() == 0 && !bound.isEmpty()) {
                t = new InetSocketAddress(t.getAddress(), ((InetSocketAddress) bound.get(0)).getPort());
            }
            ChannelFuture f = b.bind(t).awaitUninterruptibly();
            if (!f.isSuccess()) {
                close();
                return result.setFailure(new java.io.IOException("cannot bind tcp " + t + ": " + f.cause().getMessage(), f.cause()));
            }
            servers.add(f.channel());
            bound.add(f.channel().localAddress());
        }
        return result.setSuccess(bound);
    }

    @Override
    public Future<?> stopAccepting() {
        return close();
    }

    @Override
    public Future<?> close() {
        Promise<Void> done = GlobalEventExecutor.INSTANCE.newPromise();
        for (Channel c : servers) {
            c.close().awaitUninterruptibly();
        }
        servers.clear();
        return done.setSuccess(null);
    }

    /** Hands each accepted socket to the host once it is active; auto-read is off from the child options. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Handover extends ChannelInboundHandlerAdapter {
        private final StreamAcceptor acceptor;

        Handover(StreamAcceptor acceptor) {
            this.acceptor = acceptor;
        }

        @Override
        public void channelActive(ChannelHandlerContext c) {
            c.pipeline().remove(this);
            acceptor.accept(new TcpByteStream(c.channel()));
            c.fireChannelActive();
        }
    }
}
