package dev.tcptoany.transport.quic;

import dev.tcptoany.api.PeerRejections;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

/**
 * Drops datagrams that cannot be QUIC before the codec sees them, and counts them: the codec
 * would drop them silently. A QUIC packet has the fixed bit (0x40) set in its first byte and is
 * at least a few bytes long (RFC 9000, 17.2 and 17.3).
 *
 * <p>Reports go to {@link PeerRejections} at most every {@value #REPORT_INTERVAL_NANOS} ns per
 * socket, with the number dropped since, so a flood cannot flood the log.
 */
final class DatagramSanityFilter extends ChannelInboundHandlerAdapter {
    private static final long REPORT_INTERVAL_NANOS = 1_000_000_000L;
    private static final int MIN_PACKET_BYTES = 7;

    private final PeerRejections rejections;
    private final String where;
    private final java.util.concurrent.atomic.LongAdder droppedTotal;
    private long dropped;
    private long lastReport = System.nanoTime() - REPORT_INTERVAL_NANOS;

    /** @param droppedTotal counts every dropped datagram, for the metrics (the log is rate-limited) */
    DatagramSanityFilter(PeerRejections rejections, String where, java.util.concurrent.atomic.LongAdder droppedTotal) {
        this.rejections = rejections;
        this.where = where;
        this.droppedTotal = droppedTotal;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket packet) {
            ByteBuf content = packet.content();
            if (content.readableBytes() < MIN_PACKET_BYTES
                    || (content.getByte(content.readerIndex()) & 0x40) == 0) {
                dropped++;
                droppedTotal.increment();
                long now = System.nanoTime();
                if (now - lastReport >= REPORT_INTERVAL_NANOS) {
                    lastReport = now;
                    rejections.record("quic-garbage", packet.sender(),
                            where + ": dropped " + dropped + " datagram(s) that are not QUIC");
                    dropped = 0;
                }
                packet.release();
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
