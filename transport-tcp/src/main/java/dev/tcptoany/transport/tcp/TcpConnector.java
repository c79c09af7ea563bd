package dev.tcptoany.transport.tcp;

import dev.tcptoany.api.SocketByteStream;
import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.DialRequest;
import dev.tcptoany.api.TransportContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Opens one TCP connection for a dial, on the requesting connection's event loop: no thread hop in the relay. */
final class TcpConnector {
    /**
     * Everything a dial's bootstrap shares with every other dial of this dialer, built once: each dial
     * clones it for its loop instead of building the option map and its values again.
     */
    private final Bootstrap template;

    TcpConnector(TransportContext ctx, TcpSocketOptions options) {
        this.template = new Bootstrap()
                .channel(ctx.network().socketChannelClass())
                .option(ChannelOption.ALLOCATOR, ctx.allocator())
                .handler(NoHandler.INSTANCE)
                .resolver(ctx.addressResolvers()); // an unresolved target: the host's DNS, on the dial's loop
        options.applyTo(template);
    }

    /**
     * The bootstrap needs a handler; the relay adds its own once the dial is done, and this one is
     * taken out then, so a dialled socket's pipeline holds only what the host puts there (the relay
     * splices only between sockets whose pipelines carry nothing but its own handlers).
     */
    @ChannelHandler.Sharable
    private static final class NoHandler extends ChannelInboundHandlerAdapter {
        static final NoHandler INSTANCE = new NoHandler();
    }

    /**
     * Connects to {@code target} (resolved or not) and completes {@code promise}; a cancelled promise
     * (the host's deadline passed) closes the connection.
     *
     * @param label how failures name the target: "tcp 127.0.0.1:5201"
     */
    void connect(DialRequest request, InetSocketAddress target, String label, Promise<ByteStream> promise) {
        Bootstrap b = template.clone(request.eventLoop())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, request.connectTimeout().toMillis()));
        ChannelFuture f = b.connect(target);
        f.addListener(done -> {
            if (done.isSuccess()) {
                if (connectedToItself(f.channel())) {
                    // TCP simultaneous open: dialling a free port in the ephemeral range on this host can pick
                    // that same port as the source and connect the socket to itself, which then echoes every
                    // byte back. Nothing listens there, so it is a refusal (Go's net package checks the same).
                    f.channel().close();
                    promise.tryFailure(new IOException(label + ": connection refused (connected to itself: nothing listens on "
                            + target.getPort() + ")"));
                    return;
                }
                f.channel().pipeline().remove(NoHandler.INSTANCE);
                if (!promise.trySuccess(new SocketByteStream(f.channel(), "tcp"))) {
                    f.channel().close(); // cancelled meanwhile
                }
            } else {
                promise.tryFailure(new IOException(label + ": " + done.cause().getMessage(), done.cause()));
            }
        });
        promise.addListener(p -> {
            if (p.isCancelled()) {
                f.cancel(false);
                f.channel().close();
            }
        });
    }

    static boolean connectedToItself(Channel channel) {
        SocketAddress local = channel.localAddress();
        return local != null && local.equals(channel.remoteAddress());
    }
}
