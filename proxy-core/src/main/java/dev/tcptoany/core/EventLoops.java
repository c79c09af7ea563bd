package dev.tcptoany.core;

import dev.tcptoany.api.NetworkChannels;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's event loops, of the kind {@code proxy.event-loop.kind} asks for, chosen once:
 * epoll or io_uring when their native library loads, NIO otherwise. Channel classes are derived
 * from the same choice, so a loop and a channel of different kinds can never meet.
 */
public final class EventLoops implements NetworkChannels, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventLoops.class);

    /** What actually runs (never {@link EventLoopKind#AUTO}). */
    private final EventLoopKind kind;
    private final int workerThreads;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;

    /**
     * @param preferNative   epoll when available (as {@code auto}), else NIO
     * @param workerThreads  loops carrying connections; 0 means one per available processor
     */
    public EventLoops(boolean preferNative, int workerThreads) {
        this(preferNative ? EventLoopKind.AUTO : EventLoopKind.NIO, workerThreads);
    }

    /**
     * @param requested      what {@code proxy.event-loop.kind} says; a native kind that does not load
     *                       falls back (io_uring to epoll, epoll to NIO) with one log line
     * @param workerThreads  loops carrying connections; 0 means one per available processor
     */
    public EventLoops(EventLoopKind requested, int workerThreads) {
        this.kind = choose(requested);
        this.workerThreads = workerThreads > 0 ? workerThreads : Runtime.getRuntime().availableProcessors();
        String name = kind.text().replace('_', '-');
        this.acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tcp2any-" + name + "-accept", true), ioHandler());
        this.workers = new MultiThreadIoEventLoopGroup(this.workerThreads, new DefaultThreadFactory("tcp2any-" + name + "-io", true), ioHandler());
    }

    private static EventLoopKind choose(EventLoopKind requested) {
        if (requested == EventLoopKind.IO_URING) {
            if (IoUring.isAvailable()) {
                // QUIC takes the datagram channel of these loops; its UDP offloads are set up for epoll only.
                log.info("io_uring event loops (proxy.event-loop.kind = io_uring); QUIC's UDP GSO/GRO and"
                        + " multi-socket listeners (SO_REUSEPORT) are epoll-only, so QUIC routes run without them");
                return EventLoopKind.IO_URING;
            }
            // Asked for by name, so a warning: the node runs, but not as configured.
            log.warn("io_uring transport unavailable ({}); using epoll", IoUring.unavailabilityCause() == null
                    ? "not Linux" : IoUring.unavailabilityCause().toString());
            requested = EventLoopKind.EPOLL;
        }
        if (requested == EventLoopKind.EPOLL || requested == EventLoopKind.AUTO) {
            if (Epoll.isAvailable()) {
                return EventLoopKind.EPOLL;
            }
            log.info("Native epoll transport unavailable ({}); using NIO", Epoll.unavailabilityCause() == null
                    ? "not Linux" : Epoll.unavailabilityCause().toString());
        }
        return EventLoopKind.NIO;
    }

    private IoHandlerFactory ioHandler() {
        return switch (kind) {
            case EPOLL -> new EpollRegistrationFix();
            case IO_URING -> IoUringIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
    }

    @Override
    public String kind() {
        return kind.text();
    }

    /** The kind that runs: epoll, io_uring or nio. */
    public EventLoopKind eventLoopKind() {
        return kind;
    }

    @Override
    public boolean isEpoll() {
        return kind == EventLoopKind.EPOLL;
    }

    @Override
    public EventLoopGroup acceptorGroup() {
        return acceptor;
    }

    @Override
    public EventLoopGroup workerGroup() {
        return workers;
    }

    @Override
    public int workerThreads() {
        return workerThreads;
    }

    @Override
    public Class<? extends ServerChannel> serverSocketChannelClass() {
        return switch (kind) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
    }

    @Override
    public Class<? extends SocketChannel> socketChannelClass() {
        return switch (kind) {
            case EPOLL -> EpollSocketChannel.class;
            case IO_URING -> IoUringSocketChannel.class;
            default -> NioSocketChannel.class;
        };
    }

    @Override
    public Class<? extends DatagramChannel> datagramChannelClass() {
        return switch (kind) {
            case EPOLL -> EpollDatagramChannel.class;
            case IO_URING -> IoUringDatagramChannel.class;
            default -> NioDatagramChannel.class;
        };
    }

    /** Stops both groups: no quiet period (connections are closed by then), bounded wait. */
    public void shutdown(Duration timeout) {
        Future<?> a = acceptor.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
        Future<?> w = workers.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
        a.awaitUninterruptibly(timeout.toMillis());
        w.awaitUninterruptibly(timeout.toMillis());
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }
}
