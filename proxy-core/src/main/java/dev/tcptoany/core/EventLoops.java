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
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's event loops: epoll when its native library loads (and is not disabled), NIO
 * otherwise, chosen once. Channel classes are derived from the same choice, so a loop and a channel
 * of different kinds can never meet.
 */
public final class EventLoops implements NetworkChannels, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventLoops.class);

    private final boolean epoll;
    private final int workerThreads;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;

    /**
     * @param preferNative   use epoll when available
     * @param workerThreads  loops carrying connections; 0 means one per available processor
     */
    public EventLoops(boolean preferNative, int workerThreads) {
        this.epoll = preferNative && Epoll.isAvailable();
        if (preferNative && !epoll) {
            log.info("Native epoll transport unavailable ({}); using NIO", Epoll.unavailabilityCause() == null
                    ? "not Linux" : Epoll.unavailabilityCause().toString());
        }
        this.workerThreads = workerThreads > 0 ? workerThreads : Runtime.getRuntime().availableProcessors();
        String kind = kind();
        this.acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tcp2any-" + kind + "-accept", true), ioHandler());
        this.workers = new MultiThreadIoEventLoopGroup(this.workerThreads, new DefaultThreadFactory("tcp2any-" + kind + "-io", true), ioHandler());
    }

    private IoHandlerFactory ioHandler() {
        return epoll ? new EpollRegistrationFix() : NioIoHandler.newFactory();
    }

    @Override
    public String kind() {
        return epoll ? "epoll" : "nio";
    }

    @Override
    public boolean isEpoll() {
        return epoll;
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
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    @Override
    public Class<? extends SocketChannel> socketChannelClass() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    @Override
    public Class<? extends DatagramChannel> datagramChannelClass() {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
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
