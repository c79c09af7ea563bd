package dev.tcptoany.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
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
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link Listener} for transports that accept plain TCP sockets (tcp itself, entry points such as
 * socks5 and http-connect): binds every address {@code address} resolves to ({@code localhost} is
 * often both {@code 127.0.0.1} and {@code ::1}, and a client may try only one) on the host's loops,
 * and gives each accepted socket the transport's child handler, which sets up the connection and,
 * when the stream is ready, hands it to the host's acceptor.
 */
public final class SocketListener implements Listener {
    private final TransportContext ctx;
    private final HostPort address;
    private final String label;
    private final Consumer<ServerBootstrap> options;
    private final Function<StreamAcceptor, ChannelHandler> childHandler;
    private final List<Channel> servers = new CopyOnWriteArrayList<>();
    private boolean clientsNameDestinations;

    /**
     * @param label      the transport's name in errors: "cannot bind socks5 127.0.0.1:1080: ..."
     * @param options    socket options for the listening sockets and (as child options) the accepted ones
     * @param childHandler made once per start for the host's acceptor: the accepted channels' handler
     *                     (shared, or a {@code ChannelInitializer} that builds each pipeline)
     */
    public SocketListener(TransportContext ctx, HostPort address, String label, Consumer<ServerBootstrap> options,
                          Function<StreamAcceptor, ChannelHandler> childHandler) {
        this.ctx = ctx;
        this.address = address;
        this.label = label;
        this.options = options;
        this.childHandler = childHandler;
    }

    /** For an entry point whose every client names its destination ({@link Listener#clientsNameDestinations()}). */
    public SocketListener namingDestinations() {
        clientsNameDestinations = true;
        return this;
    }

    @Override
    public boolean clientsNameDestinations() {
        return clientsNameDestinations;
    }

    @Override
    public Future<List<SocketAddress>> start(StreamAcceptor acceptor) {
        List<InetSocketAddress> targets;
        try {
            targets = address.resolveAll();
        } catch (UnknownHostException e) {
            return GlobalEventExecutor.INSTANCE.newFailedFuture(new UnknownHostException(
                    "cannot resolve listen address " + address + ": " + e.getMessage()));
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(ctx.network().acceptorGroup(), ctx.network().workerGroup())
                .channel(ctx.network().serverSocketChannelClass())
                .childOption(ChannelOption.ALLOCATOR, ctx.allocator())
                .childHandler(childHandler.apply(acceptor));
        options.accept(b);
        List<SocketAddress> bound = new ArrayList<>();
        for (InetSocketAddress target : targets) {
            // Bind one address after another so an ephemeral port (0) chosen by the first is reused
            // for the others: "localhost:0" yields one port on both 127.0.0.1 and ::1.
            InetSocketAddress t = target.getPort() == 0 && !bound.isEmpty()
                    ? new InetSocketAddress(target.getAddress(), ((InetSocketAddress) bound.get(0)).getPort()) : target;
            ChannelFuture f = b.bind(t).awaitUninterruptibly();
            if (!f.isSuccess()) {
                close();
                return GlobalEventExecutor.INSTANCE.newFailedFuture(
                        new IOException("cannot bind " + label + " " + t + ": " + f.cause().getMessage(), f.cause()));
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
