package dev.tcptoany.api;

import com.typesafe.config.Config;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;

/**
 * The socket keys of a listen block that accepts plain TCP sockets ({@code nodelay},
 * {@code keepalive}, {@code read-buffer}, the write-buffer water marks, {@code backlog}), read and
 * checked eagerly, and applied as a {@link SocketListener} expects: half-closure allowed and
 * auto-read off (the host reads when the relay asks), reads into a fixed-size buffer so memory per
 * connection stays bounded.
 */
public record AcceptedSocketOptions(boolean noDelay, boolean keepAlive, int readBuffer, int writeLow, int writeHigh,
                                    int backlog) {

    /** @throws com.typesafe.config.ConfigException naming file, line and key of a bad value */
    public static AcceptedSocketOptions fromConfig(Config c) {
        int read = bytes(c, "read-buffer", 1024, 16 << 20);
        int high = bytes(c, "write-buffer-high-water-mark", 1024, 1 << 30);
        int low = bytes(c, "write-buffer-low-water-mark", 0, 1 << 30);
        if (low > high) {
            throw ConfigProblems.badValue(c, "write-buffer-low-water-mark", "must not exceed write-buffer-high-water-mark");
        }
        int backlog = c.getInt("backlog");
        if (backlog < 1) {
            throw ConfigProblems.badValue(c, "backlog", "must be at least 1");
        }
        return new AcceptedSocketOptions(c.getBoolean("nodelay"), c.getBoolean("keepalive"), read, low, high, backlog);
    }

    private static int bytes(Config c, String key, long min, long max) {
        long v = c.getBytes(key);
        if (v < min || v > max) {
            throw ConfigProblems.badValue(c, key, "must be between " + min + " and " + max + " bytes");
        }
        return (int) v;
    }

    /** The listening sockets' options and (as child options) the accepted sockets'. */
    public void applyTo(ServerBootstrap b) {
        b.option(ChannelOption.SO_BACKLOG, backlog)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, noDelay)
                .childOption(ChannelOption.SO_KEEPALIVE, keepAlive)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(readBuffer))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(writeLow, writeHigh));
    }
}
