package dev.tcptoany.transport.quic;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.util.ArrayDeque;

/**
 * Sits in front of the QUIC codec on a UDP socket and runs tasks once the codec has processed a
 * whole batch of received datagrams (one epoll wake-up: up to {@link UdpSockets#READS_PER_WAKE_UP} datagrams, GRO segments counted one each),
 * that is after quiche took every packet, sent its ACKs and updated every stream's capacity.
 *
 * <p>Why: the codec hands each received packet to its streams at once, so without a batch boundary
 * every 1,452-byte packet became one TCP write (and one cross-loop flush) on the far side, and every
 * ACK that freed one packet of congestion window became one packet sent. Work deferred to the end of
 * the batch is done once per batch instead ({@link StreamReadCompleteBatcher},
 * {@link StreamWriteGate}).
 *
 * <p>Event-loop confined: the socket, its QUIC connections and their streams share one loop.
 */
final class DatagramBatchEnd extends ChannelInboundHandlerAdapter {
    private final ArrayDeque<Runnable> afterBatch = new ArrayDeque<>();
    private boolean inBatch;

    /** The batch boundary of the socket carrying this stream, or null when there is none. */
    static DatagramBatchEnd of(QuicStreamChannel stream) {
        Channel connection = stream.parent();
        Channel socket = connection == null ? null : connection.parent();
        return socket == null ? null : socket.pipeline().get(DatagramBatchEnd.class);
    }

    /** Whether the codec is inside a batch of received datagrams, so {@link #runAfterBatch} will run soon. */
    boolean inBatch() {
        return inBatch;
    }

    /** Runs the task after the current batch; call only while {@link #inBatch()}. Event loop only. */
    void runAfterBatch(Runnable task) {
        afterBatch.add(task);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inBatch = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        try {
            ctx.fireChannelReadComplete();
        } finally {
            inBatch = false;
            // Only the tasks queued so far: a task that queues another runs it after the next batch.
            for (int n = afterBatch.size(); n > 0; n--) {
                afterBatch.poll().run();
            }
        }
    }
}
