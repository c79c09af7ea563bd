package dev.tcptoany.transport.tcp;

import com.typesafe.config.Config;
import dev.tcptoany.api.ConfigProblems;
import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.internal.PlatformDependent;

/**
 * Socket options shared by the TCP listener's accepted sockets and the dialer's sockets.
 *
 * <p>Reads use a fixed-size buffer: Netty's adaptive allocator grows its guess under a fast sender
 * and, across thousands of connections, held far more direct memory than the bytes in flight.
 */
record TcpSocketOptions(boolean noDelay, boolean keepAlive, int readBuffer, int writeLow, int writeHigh,
                        int backlog, int sendBuffer, int receiveBuffer) {

    static TcpSocketOptions fromConfig(Config c) {
        int read = bytes(c, "read-buffer", 1024, 16 << 20);
        int high = bytes(c, "write-buffer-high-water-mark", 1024, 1 << 30);
        int low = bytes(c, "write-buffer-low-water-mark", 0, 1 << 30);
        if (low > high) {
            throw ConfigProblems.badValue(c, "write-buffer-low-water-mark", "must not exceed write-buffer-high-water-mark");
        }
        int backlog = c.hasPath("backlog") ? c.getInt("backlog") : 1024;
        return new TcpSocketOptions(c.getBoolean("nodelay"), c.getBoolean("keepalive"), read, low, high, backlog,
                bytes(c, "send-buffer", 0, 1 << 30), bytes(c, "receive-buffer", 0, 1 << 30));
    }

    private static int bytes(Config c, String key, long min, long max) {
        long v = c.getBytes(key);
        if (v < min || v > max) {
            throw ConfigProblems.badValue(c, key, "must be between " + min + " and " + max + " bytes");
        }
        return (int) v;
    }

    /** Applies to the connection sockets (child options for a server). */
    void applyTo(AbstractBootstrap<?, ?> b) {
        if (b instanceof ServerBootstrap sb) {
            sb.option(ChannelOption.SO_BACKLOG, backlog);
            sb.option(ChannelOption.SO_REUSEADDR, true);
            applyToConnections(sb::childOption);
        } else {
            applyToConnections(b::option);
        }
    }

    /** Where a connection option goes: a bootstrap's option or a server bootstrap's childOption. */
    private interface OptionSink {
        <T> Object set(ChannelOption<T> option, T value);
    }

    private void applyToConnections(OptionSink sink) {
        if (noDelay != PlatformDependent.canEnableTcpNoDelayByDefault()) {
            // Netty's socket channels (epoll, io_uring, NIO) set TCP_NODELAY to this default when they are
            // created; setting it again cost one setsockopt per socket, two per relayed connection per node.
            sink.set(ChannelOption.TCP_NODELAY, noDelay);
        }
        sink.set(ChannelOption.SO_KEEPALIVE, keepAlive);
        sink.set(ChannelOption.ALLOW_HALF_CLOSURE, true);
        sink.set(ChannelOption.AUTO_READ, false);
        sink.set(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(readBuffer));
        sink.set(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(writeLow, writeHigh));
        if (sendBuffer > 0) {
            sink.set(ChannelOption.SO_SNDBUF, sendBuffer);
        }
        if (receiveBuffer > 0) {
            sink.set(ChannelOption.SO_RCVBUF, receiveBuffer);
        }
    }
}
