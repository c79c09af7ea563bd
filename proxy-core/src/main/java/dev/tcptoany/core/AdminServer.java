package dev.tcptoany.core;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The admin endpoint: HTTP/1.1 with Netty's codec on the host's own event loops, so operations
 * add no second server library and no thread pool. Requests are tiny GETs; anything larger than
 * {@value #MAX_REQUEST_BYTES} bytes or idle for {@value #IDLE_SECONDS} s is dropped.
 */
final class AdminServer implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    private static final int IDLE_SECONDS = 30;

    private final Channel channel;
    private final java.util.concurrent.ExecutorService scrapes;

    private AdminServer(Channel channel, java.util.concurrent.ExecutorService scrapes) {
        this.channel = channel;
        this.scrapes = scrapes;
    }

    /** Binds, or throws naming the address and the cause. */
    static AdminServer start(InetSocketAddress address, EventLoops loops, AdminRequestHandler.Endpoints endpoints) {
        // One thread: scrapes are rare and short, and one at a time keeps a slow transport from piling them up.
        java.util.concurrent.ExecutorService scrapes = java.util.concurrent.Executors.newSingleThreadExecutor(
                new io.netty.util.concurrent.DefaultThreadFactory("tcp2any-metrics", true));
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.acceptorGroup(), loops.workerGroup())
                .channel(loops.serverSocketChannelClass())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS),
                                new HttpServerCodec(),
                                new HttpObjectAggregator(MAX_REQUEST_BYTES), new AdminRequestHandler(endpoints, scrapes));
                    }
                });
        var bind = b.bind(address).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            scrapes.shutdown();
            throw new IllegalStateException("admin endpoint: cannot listen on " + address + " (proxy.admin.address): "
                    + bind.cause().getMessage(), bind.cause());
        }
        return new AdminServer(bind.channel(), scrapes);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        scrapes.shutdownNow();
    }
}
