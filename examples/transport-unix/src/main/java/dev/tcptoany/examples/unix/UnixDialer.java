package dev.tcptoany.examples.unix;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.DialRequest;
import dev.tcptoany.api.Dialer;
import dev.tcptoany.api.TransportContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;

/**
 * Connects to the socket file on the requesting connection's event loop, as the tcp dialer does:
 * the relay then runs on one thread. Holds no connections, so it is trivially thread-safe.
 */
final class UnixDialer implements Dialer {
    private final TransportContext ctx;
    private final UnixOptions options;
    private final DomainSocketAddress address;

    UnixDialer(TransportContext ctx, UnixOptions options) {
        this.ctx = ctx;
        this.options = options;
        this.address = new DomainSocketAddress(options.path().toString());
    }

    @Override
    public Future<ByteStream> dial(DialRequest request) {
        Promise<ByteStream> promise = request.eventLoop().newPromise();
        if (!ctx.network().isEpoll()) {
            return promise.setFailure(UnixOptions.notEpollLoops(ctx));
        }
        Bootstrap b = new Bootstrap()
                .group(request.eventLoop())
                .channel(EpollDomainSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, ctx.allocator())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, request.connectTimeout().toMillis()))
                .handler(new ChannelInboundHandlerAdapter());
        options.applyTo(b);
        ChannelFuture f = b.connect(address);
        f.addListener(done -> {
            if (done.isSuccess()) {
                if (!promise.trySuccess(new UnixByteStream(f.channel(), options.path()))) {
                    f.channel().close(); // cancelled meanwhile
                }
            } else {
                // e.g. "unix /run/app.sock: connect(..) failed: No such file or directory"
                promise.tryFailure(new IOException("unix " + options.path() + ": " + done.cause().getMessage(), done.cause()));
            }
        });
        promise.addListener(p -> {
            if (p.isCancelled()) {
                f.cancel(false);
                f.channel().close();
            }
        });
        return promise;
    }

    @Override
    public Future<?> close() {
        return GlobalEventExecutor.INSTANCE.newSucceededFuture(null);
    }
}
