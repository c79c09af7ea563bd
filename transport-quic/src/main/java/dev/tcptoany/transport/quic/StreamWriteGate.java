package dev.tcptoany.transport.quic;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * Hands writes to a QUIC stream no faster than quiche takes them, so the stream's writability is
 * the truth and nothing queues without bound; and sends the FIN after the last byte, with it when
 * it can.
 *
 * <p><b>Bounded writes.</b> Netty's {@code QuicStreamChannel} accepts any write; what quiche cannot
 * take yet waits in the channel's own queue, and once that queue is non-empty the channel can report
 * itself writable while the queue keeps growing (measured: 512 MiB of direct memory gone in seconds
 * under iperf3). This gate forwards at most {@code bytesBeforeUnwritable()} bytes (quiche's send
 * capacity, bounded by flow control and the congestion window) and keeps the rest. The channel then
 * turns unwritable exactly when quiche's capacity is used up, so the relay stops reading; what the
 * gate holds is at most what the relay wrote in one read loop.
 *
 * <p><b>FIN after the data, riding on it.</b> The stream's own {@code shutdownOutput()} sends the
 * FIN at once, ahead of anything still queued, which would truncate the transfer; use
 * {@link #shutdownOutput(ChannelPromise)}. Writes are forwarded one event-loop task after the
 * flush, so a FIN requested in the same task (a TCP read that ends with EOF) travels in the same
 * STREAM frame as the last bytes. That matters beyond saving a packet: the bundled quiche (0.29)
 * does not retransmit a lost zero-length FIN frame once the data before it was acknowledged, which
 * left half-closed streams hanging after packet loss.
 *
 * <p><b>STOP_SENDING.</b> A write failing with {@link ChannelOutputShutdownException} means the
 * peer sent STOP_SENDING; the gate fires it as {@code exceptionCaught}, which the relay treats as an
 * abort.
 */
final class StreamWriteGate extends ChannelDuplexHandler {

    private record Held(ByteBuf buf, ChannelPromise promise) {
    }

    /**
     * Above this many held bytes, writes go to quiche without waiting for the flush, so a writer that
     * never flushes still meets backpressure; only the newest write waits for its FIN.
     */
    static final int COALESCE_LIMIT = 64 * 1024;

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long heldBytes;
    private ChannelHandlerContext ctx;
    private ChannelPromise pendingFin;
    private boolean finRequested;
    private boolean finHandedOver;
    private boolean draining;
    private boolean drainScheduled;
    private boolean failed;
    /** Writes received but not flushed yet; the next flush makes them eligible. */
    private int unflushed;
    /** Forwarded writes quiche has not fully taken yet (it queued them inside the channel). */
    private int forwardedPending;
    /** The writability the handlers after us last saw, so they get clean edges. */
    private boolean propagatedWritable = true;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        propagatedWritable = ctx.channel().isWritable();
    }

    /** Bytes accepted from the relay and not yet given to quiche. */
    long heldBytes() {
        return heldBytes;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.write(msg, promise);
            return;
        }
        if (failed || finRequested) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(failed ? new ClosedChannelException()
                    : new ChannelOutputShutdownException("output was shut down"));
            return;
        }
        if (!buf.isReadable()) {
            buf.release();
            promise.trySuccess();
            return;
        }
        held.add(new Held(buf, promise));
        heldBytes += buf.readableBytes();
        unflushed++;
        if (heldBytes > COALESCE_LIMIT) {
            unflushed = 1;
            drain();
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        unflushed = 0;
        scheduleDrain();
    }

    /** Sends FIN once every byte written before has been handed to quiche. Event loop only. */
    void shutdownOutput(ChannelPromise promise) {
        if (finRequested) {
            promise.trySuccess();
            return;
        }
        finRequested = true;
        pendingFin = promise;
        // Whatever was written before the FIN goes with it, flushed or not.
        unflushed = 0;
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (!drainScheduled && !held.isEmpty() || pendingFin != null) {
            if (!drainScheduled) {
                drainScheduled = true;
                ctx.executor().execute(this::drainAndPropagate);
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        drain();
        propagateWritability();
    }

    private void propagateWritability() {
        boolean now = ctx.channel().isWritable();
        if (now != propagatedWritable) {
            propagatedWritable = now;
            ctx.fireChannelWritabilityChanged();
        }
    }

    private void drainAndPropagate() {
        drainScheduled = false;
        drain();
        propagateWritability();
    }

    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
            while (held.size() > unflushed && forwardedPending == 0 && !failed) {
                if (!stream.isActive()) {
                    break;
                }
                long capacity = stream.bytesBeforeUnwritable();
                Held next = held.peek();
                int readable = next.buf.readableBytes();
                boolean last = held.size() == 1;
                if (capacity <= 0) {
                    // Capacity is unknown until quiche has seen the stream (it learns of it on the
                    // first write) and may be stale; the channel's own flag is then the guide. Hand
                    // over one write: what quiche cannot take waits in the channel, which turns
                    // unwritable, and we forward nothing more until that write completes.
                    if (!stream.isWritable()) {
                        break;
                    }
                    held.poll();
                    heldBytes -= readable;
                    forward(next.buf, next.promise, last && pendingFin != null);
                } else if (readable <= capacity) {
                    held.poll();
                    heldBytes -= readable;
                    forward(next.buf, next.promise, last && pendingFin != null);
                } else {
                    heldBytes -= capacity;
                    forward(next.buf.readRetainedSlice((int) capacity), null, false);
                }
            }
            if (held.isEmpty() && forwardedPending == 0 && pendingFin != null && !failed && !finHandedOver) {
                // Nothing left to carry it: a FIN on its own.
                ChannelPromise fin = pendingFin;
                pendingFin = null;
                finHandedOver = true;
                stream.shutdownOutput(fin);
            }
        } finally {
            draining = false;
        }
    }

    private void forward(ByteBuf buf, ChannelPromise original, boolean withFin) {
        forwardedPending++;
        ChannelPromise forwarded = ctx.newPromise();
        ChannelPromise fin = null;
        if (withFin) {
            fin = pendingFin;
            pendingFin = null;
            finHandedOver = true;
        }
        ChannelPromise finPromise = fin;
        boolean[] inline = {true};
        forwarded.addListener((ChannelFuture f) -> {
            forwardedPending--;
            if (f.isSuccess()) {
                if (original != null) {
                    original.trySuccess();
                }
                if (finPromise != null) {
                    finPromise.trySuccess();
                }
                if (!inline[0]) {
                    // quiche took a queued write from inside its writable-streams loop: continue
                    // outside it.
                    scheduleDrain();
                    if (!drainScheduled) {
                        ctx.executor().execute(this::propagateWritability);
                    }
                }
            } else {
                if (original != null) {
                    original.tryFailure(f.cause());
                }
                if (finPromise != null) {
                    finPromise.tryFailure(f.cause());
                }
                onWriteFailure(f.cause());
            }
        });
        ctx.write(withFin ? new DefaultQuicStreamFrame(buf, true) : buf, forwarded);
        inline[0] = false;
    }

    private void onWriteFailure(Throwable cause) {
        if (failed) {
            return;
        }
        failed = true;
        failHeld(cause);
        if (cause instanceof ChannelOutputShutdownException) {
            // STOP_SENDING from the peer: the reader behind it is gone. Not a clean end.
            ctx.fireExceptionCaught(new QuicStreamAbortedException("peer stopped reading (STOP_SENDING)", cause));
        }
    }

    /**
     * Hands quiche what it can take right now, flushed or not: an abort keeps the bytes the relay
     * already accepted ahead of the reset, as a TCP peer would have received them.
     */
    void forwardHeldNow() {
        unflushed = 0;
        drain();
    }

    /** Drops everything held, for an abort. */
    void discard(Throwable cause) {
        failed = true;
        failHeld(cause);
    }

    private void failHeld(Throwable cause) {
        Held h;
        heldBytes = 0;
        while ((h = held.poll()) != null) {
            h.buf.release();
            h.promise.tryFailure(cause);
        }
        if (pendingFin != null) {
            pendingFin.tryFailure(cause);
            pendingFin = null;
        }
    }

    /**
     * A RESET_STREAM from the peer surfaces as Netty's {@code QuicStreamResetException} with a deep
     * native stack; the relay logs it, so pass on a one-line abort instead (still an abort).
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof QuicStreamResetException reset) {
            ctx.fireExceptionCaught(QuicStreamAbortedException.concise(
                    "peer reset the stream (application error 0x" + Long.toHexString(reset.applicationProtocolCode()) + ")"));
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        discard(new ClosedChannelException());
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discard(new ClosedChannelException());
    }
}
