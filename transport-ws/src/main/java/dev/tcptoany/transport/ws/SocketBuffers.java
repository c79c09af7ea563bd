package dev.tcptoany.transport.ws;

import com.typesafe.config.Config;
import dev.tcptoany.api.ConfigProblems;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;

/**
 * How much the TCP connection under a WebSocket reads at once and may queue for writing, with the
 * keys and defaults of the tcp transport ({@code read-buffer}, {@code write-buffer-high-water-mark},
 * {@code write-buffer-low-water-mark}).
 *
 * <p>Netty's default marks (32 KiB / 64 KiB) made a single 64 KiB frame enough to stop the relay
 * reading its other side: every read then cost a flush and a pause and resumption of reading, where
 * a TCP hop queues up to a mebibyte and flushes once per read burst. The fixed read size keeps
 * memory per connection bounded, as on the tcp transport.
 *
 * @param readBuffer bytes per socket read
 * @param writeLow   the relay resumes reading the other side below this many queued bytes
 * @param writeHigh  and stops above this many
 */
record SocketBuffers(int readBuffer, int writeLow, int writeHigh) {

    static SocketBuffers fromConfig(Config c) {
        int read = ConfigValues.size(c, "read-buffer", 1024, 16 << 20);
        int high = ConfigValues.size(c, "write-buffer-high-water-mark", 1024, 1 << 30);
        int low = ConfigValues.size(c, "write-buffer-low-water-mark", 0, 1 << 30);
        if (low > high) {
            throw ConfigProblems.badValue(c, "write-buffer-low-water-mark", "must not exceed write-buffer-high-water-mark");
        }
        return new SocketBuffers(read, low, high);
    }

    /** On a listener: the accepted connections' options. */
    ServerBootstrap applyTo(ServerBootstrap b) {
        return b.childOption(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(readBuffer))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(writeLow, writeHigh));
    }

    /** On a dialer: the connection's options. */
    Bootstrap applyTo(Bootstrap b) {
        return b.option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(readBuffer))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(writeLow, writeHigh));
    }
}
