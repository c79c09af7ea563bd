package dev.tcptoany.core;

import dev.tcptoany.api.NetworkChannels;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify(3) without a native library of our own: when systemd sets {@code NOTIFY_SOCKET}, the
 * state lines ({@code READY=1}, {@code STOPPING=1}, {@code STATUS=...}) go as one datagram to that
 * Unix socket through Netty's epoll domain datagram channel, on the proxy's own loops. A leading
 * {@code @} names the abstract namespace. io_uring loops have no Unix datagram channel: there the
 * notifier runs one epoll loop of its own (epoll loads wherever io_uring does). With NIO loops
 * there is no such channel: one log line, then nothing is sent (a {@code Type=notify} unit would
 * time out, which the line explains).
 */
public final class ServiceManagerNotifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceManagerNotifier.class);
    private static final ServiceManagerNotifier OFF = new ServiceManagerNotifier(null, null, null);

    private final Channel channel;
    private final DomainSocketAddress target;
    /** The notifier's own epoll loop when the proxy's loops are not epoll; null otherwise. */
    private final EventLoopGroup ownLoop;

    private ServiceManagerNotifier(Channel channel, DomainSocketAddress target, EventLoopGroup ownLoop) {
        this.channel = channel;
        this.target = target;
        this.ownLoop = ownLoop;
    }

    /**
     * @param notifySocket the value of {@code NOTIFY_SOCKET}, or null/empty when not run by systemd
     * @return a notifier that sends nothing when there is no socket or no epoll
     */
    public static ServiceManagerNotifier connect(String notifySocket, NetworkChannels network) {
        if (notifySocket == null || notifySocket.isEmpty()) {
            return OFF;
        }
        EventLoopGroup ownLoop = null;
        if (!network.isEpoll()) {
            // NIO was asked for (or nothing native loads): no native loop of ours then.
            if (!network.kind().equals(EventLoopKind.IO_URING.text()) || !Epoll.isAvailable()) {
                log.warn("NOTIFY_SOCKET is set but the event loops are {}: systemd notifications (READY=1, STOPPING=1) "
                        + "need epoll; none will be sent (use Type=exec, or proxy.event-loop.kind = auto on Linux)",
                        network.kind());
                return OFF;
            }
            ownLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tcp2any-sd-notify", true),
                    EpollIoHandler.newFactory());
        }
        // unix(7): a socket name starting with NUL is in the abstract namespace; systemd writes it as '@'.
        String path = notifySocket.startsWith("@") ? "\0" + notifySocket.substring(1) : notifySocket;
        // Connected, as a datagram channel must be before Netty lets it write: every datagram goes there.
        DomainSocketAddress target = new DomainSocketAddress(path);
        ChannelFuture connected = new Bootstrap().group(ownLoop != null ? ownLoop : network.workerGroup())
                .channel(EpollDomainDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(target).awaitUninterruptibly();
        if (!connected.isSuccess()) {
            log.warn("NOTIFY_SOCKET {}: cannot reach it: {}; no systemd notifications will be sent", notifySocket,
                    connected.cause().toString());
            if (ownLoop != null) {
                ownLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            return OFF;
        }
        return new ServiceManagerNotifier(connected.channel(), target, ownLoop);
    }

    /** True when notifications are actually sent. */
    public boolean isOn() {
        return channel != null;
    }

    /**
     * Sends state lines as one datagram, e.g. {@code send("READY=1", "STATUS=2 routes")}, and
     * waits briefly: READY=1 must have left before anything else happens.
     */
    public void send(String... lines) {
        if (channel == null) {
            return;
        }
        String text = String.join("\n", lines) + "\n";
        ChannelFuture f = channel.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)).awaitUninterruptibly();
        if (!f.isSuccess()) {
            log.warn("systemd notification {} not sent to {}: {}", lines[0], target.path().replace("\0", "@"),
                    f.cause().toString());
        } else {
            log.debug("systemd notified: {}", String.join(", ", lines));
        }
    }

    /**
     * {@code MONOTONIC_USEC=...}, sent with RELOADING=1: CLOCK_MONOTONIC in microseconds, which is
     * what {@link System#nanoTime()} reads on Linux.
     */
    public static String monotonicUsec() {
        return "MONOTONIC_USEC=" + TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        if (ownLoop != null) {
            ownLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }
}
