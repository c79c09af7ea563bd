package dev.tcptoany.examples.unix;

import dev.tcptoany.api.Listener;
import dev.tcptoany.api.StreamAcceptor;
import dev.tcptoany.api.TransportContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the socket file and accepts on it. Netty deletes the file when the server channel
 * closes, so {@link #stopAccepting()} also makes new clients fail at once ("no such file").
 */
final class UnixListener implements Listener {
    private static final Logger log = LoggerFactory.getLogger(UnixListener.class);

    private final TransportContext ctx;
    private final UnixOptions options;
    private volatile Channel server;

    UnixListener(TransportContext ctx, UnixOptions options) {
        this.ctx = ctx;
        this.options = options;
    }

    @Override
    public Future<List<SocketAddress>> start(StreamAcceptor acceptor) {
        Promise<List<SocketAddress>> result = GlobalEventExecutor.INSTANCE.newPromise();
        if (!ctx.network().isEpoll()) {
            return result.setFailure(UnixOptions.notEpollLoops(ctx));
        }
        Path path = options.path();
        try {
            clearStaleSocket(path);
        } catch (IOException e) {
            return result.setFailure(e);
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(ctx.network().acceptorGroup(), ctx.network().workerGroup())
                .channel(EpollServerDomainSocketChannel.class)
                .childOption(ChannelOption.ALLOCATOR, ctx.allocator())
                .childHandler(new Handover(acceptor, path));
        options.applyTo(b);
        ChannelFuture f = b.bind(new DomainSocketAddress(path.toString())).awaitUninterruptibly();
        if (!f.isSuccess()) {
            return result.setFailure(new IOException("cannot bind unix " + path + ": " + f.cause().getMessage(), f.cause()));
        }
        server = f.channel();
        if (options.mode().isPresent()) {
            try {
                Files.setPosixFilePermissions(path, options.mode().get());
            } catch (IOException | UnsupportedOperationException e) {
                close();
                return result.setFailure(new IOException("unix " + path + ": cannot set mode: " + e.getMessage(), e));
            }
        }
        return result.setSuccess(List.of(f.channel().localAddress()));
    }

    /**
     * A socket file outlives a process that was killed. If one is in the way and nothing accepts on
     * it, remove it (when {@code delete-existing}); never remove a live socket or a non-socket.
     */
    private void clearStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isOther()) {
            throw new IOException("cannot bind unix " + path + ": the file exists and is not a socket; refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new IOException("cannot bind unix " + path + ": another process is accepting connections on it");
        } catch (ConnectException stale) {
            if (!options.deleteExisting()) {
                throw new IOException("cannot bind unix " + path + ": a stale socket file is in the way (nothing accepts on it);"
                        + " delete it, or set delete-existing = true");
            }
            Files.deleteIfExists(path);
            log.info("route {}: removed stale socket file {}", ctx.routeName(), path);
        }
    }

    @Override
    public Future<?> stopAccepting() {
        return close();
    }

    @Override
    public Future<?> close() {
        Channel s = server;
        server = null;
        if (s != null) {
            s.close().awaitUninterruptibly(); // Netty deletes the socket file here
        }
        return GlobalEventExecutor.INSTANCE.newSucceededFuture(null);
    }

    /** Hands each accepted socket to the host once it is active; auto-read is off from the child options. */
    @ChannelHandler.Sharable
    private static final class Handover extends ChannelInboundHandlerAdapter {
        private final StreamAcceptor acceptor;
        private final Path path;

        Handover(StreamAcceptor acceptor, Path path) {
            this.acceptor = acceptor;
            this.path = path;
        }

        @Override
        public void channelActive(ChannelHandlerContext c) {
            c.pipeline().remove(this);
            acceptor.accept(new UnixByteStream(c.channel(), path));
            c.fireChannelActive();
        }
    }
}
