package dev.tcptoany.api;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;

/**
 * The host's event loops and the channel classes that run on them. The host picks epoll, io_uring
 * or NIO once per process ({@code proxy.event-loop.kind}), so a transport never mixes a channel
 * class with a loop of another kind.
 */
public interface NetworkChannels {

    /** {@code "epoll"}, {@code "io_uring"} or {@code "nio"}. */
    String kind();

    /**
     * True when the loops are native epoll loops: epoll-only options (SO_REUSEPORT, UDP GRO) apply.
     * False on io_uring loops, whose channels take none of the {@code EpollChannelOption}s.
     */
    boolean isEpoll();

    /** Loops that accept connections (server channels register here). */
    EventLoopGroup acceptorGroup();

    /** Loops that carry connections; accepted and dialled channels register here. */
    EventLoopGroup workerGroup();

    /** Number of loops in {@link #workerGroup()}. */
    int workerThreads();

    Class<? extends ServerChannel> serverSocketChannelClass();

    Class<? extends SocketChannel> socketChannelClass();

    Class<? extends DatagramChannel> datagramChannelClass();
}
