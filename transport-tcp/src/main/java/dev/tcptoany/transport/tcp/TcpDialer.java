package dev.tcptoany.transport.tcp;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.DialRequest;
import dev.tcptoany.api.Dialer;
import dev.tcptoany.api.HostPort;
import dev.tcptoany.api.TransportContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;

/**
 * Connects to {@code address} on the requesting connection's event loop: no thread hop in the relay.
 * A host name is resolved by the host's resolvers on that loop, without blocking it.
 */
final class TcpDialer implements Dialer {
    private final TransportContext ctx;
    private final TcpSocketOptions options;
    private final HostPort address;

    TcpDialer(TransportContext ctx, TcpSocketOptions options) {
        this.ctx = ctx;
        this.options = options;
        this.address = HostPort.fromConfig(ctx.config(), "address");
        if (address.isWildcard()) {
            throw dev.tcptoany.api.ConfigProblems.badValue(ctx.config(), "address", "a dial address needs a host");
        }
    }

    @Override
    public Future<ByteStream> dial(DialRequest request) {
        Promise<ByteStream> promise = request.eventLoop().newPromise();
        Bootstrap b = new Bootstrap()
                .group(request.eventLoop())
                .channel(ctx.network().socketChannelClass())
                .option(ChannelOption.ALLOCATOR, ctx.allocator())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, request.connectTimeout().toMillis()))
                .handler(new ChannelInboundHandlerAdapter())
                .resolver(ctx.addressResolvers());
        options.applyTo(b);
        ChannelFuture f = b.connect(address.unresolved());
        f.addListener(done -> {
            if (done.isSuccess()) {
                if (!promise.trySuccess(new TcpByteStream(f.channel()))) {
                    f.channel().close(); // cancelled meanwhile
                }
            } else {
                promise.tryFailure(new IOException("tcp " + address + ": " + done.cause().getMessage(), done.cause()));
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
