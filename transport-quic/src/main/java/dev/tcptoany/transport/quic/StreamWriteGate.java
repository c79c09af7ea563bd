package dev.tcptoany.transport.quic;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * Hands writes to a QUIC stream no faster than quiche takes them, so the stream's writability is
 * the truth and nothing queues without bound.
 *
 * <p>Why: Netty's {@code QuicStreamChannel} accepts any write; what quiche cannot take yet waits
 * in the channel's own queue, and once that queue is non-empty the channel can report itself
 * writable while the queue keeps growing (measured: 512 MiB of direct memory gone in seconds under
 * iperf3). This gate forwards at most {@code bytesBeforeUnwritable()} bytes (quiche's send
 * capacity, bounded by flow control and the congestion window) and keeps the rest itself. The
 * channel then turns unwritable exactly when quiche's capacity is used up, so the relay stops
 * reading; what the gate holds is at most what the relay wrote in one read loop.
 *
 * <p>It also orders the FIN after every byte: the stream's own {@code shutdownOutput()} sends the
 * FIN at once, ahead of anything still queued, which would truncate the transfer. Use
 * {@link #shutdownOutput(ChannelPromise)} instead.
 *
 * <p>A write failing with {@link ChannelOutputShutdownException} means the peer sent STOP_SENDING;
 * the gate fires it as {@code exceptionCaught}, which the relay treats as an abort.
 */
final class StreamWriteGate extends ChannelDuplexHandler {

    private record Held(ByteBuf buf, ChannelPromise promise) {
    }

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private ChannelPromise pendingFin;
    private boolean finRequested;
    private boolean draining;
    private boolean failed;
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
        long n = 0;
        for (Held h : held) {
            n += h.buf.readableBytes();
        }
        return n;
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
        drain();
    }

    /** Sends FIN once every byte written before has been handed to quiche. Event loop only. */
    void shutdownOutput(ChannelPromise promise) {
        if (finRequested) {
            promise.trySuccess();
            return;
        }
        finRequested = true;
        pendingFin = promise;
        drain();
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

    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
            while (!held.isEmpty() && forwardedPending == 0 && !failed) {
                if (!stream.isActive()) {
                    break;
                }
                long capacity = stream.bytesBeforeUnwritable();
                Held next = held.peek();
                int readable = next.buf.readableBytes();
                if (capacity <= 0) {
                    // Capacity is unknown until quiche has seen the stream (it learns of it on the
                    // first write) and may be stale; the channel's own flag is then the guide. Hand
                    // over one write: what quiche cannot take waits in the channel, which turns
                    // unwritable, and we forward nothing more until that write completes.
                    if (!stream.isWritable()) {
                        break;
                    }
                    held.poll();
                    forward(next.buf, next.promise);
                } else if (readable <= capacity) {
                    held.poll();
                    forward(next.buf, next.promise);
                } else {
                    forward(next.buf.readRetainedSlice((int) capacity), null);
                }
            }
            if (held.isEmpty() && forwardedPending == 0 && pendingFin != null && !failed) {
                ChannelPromise fin = pendingFin;
                pendingFin = null;
                stream.shutdownOutput(fin);
            }
        } finally {
            draining = false;
        }
    }

    private void forward(ByteBuf buf, ChannelPromise original) {
        forwardedPending++;
        ChannelPromise forwarded = ctx.newPromise();
        boolean[] inline = {true};
        forwarded.addListener((ChannelFuture f) -> {
            forwardedPending--;
            if (f.isSuccess()) {
                if (original != null) {
                    original.trySuccess();
                }
                if (!inline[0]) {
                    // quiche took a queued write from inside its writable-streams loop: continue
                    // outside it.
                    ctx.executor().execute(this::drainAndPropagate);
                }
            } else {
                if (original != null) {
                    original.tryFailure(f.cause());
                }
                onWriteFailure(f.cause());
            }
        });
        int n = buf.readableBytes();
        ctx.write(buf, forwarded);
        inline[0] = false;
        if (QuicListener.LOG.isTraceEnabled()) {
            QuicListener.LOG.trace("gate {} forwarded {} bytes, done={}, writable={}, capacity={}", ctx.channel(), n,
                    forwarded.isDone(), ctx.channel().isWritable(), ctx.channel().bytesBeforeUnwritable());
        }
    }

    private void drainAndPropagate() {
        drain();
        propagateWritability();
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

    /** Drops everything held, for an abort. */
    void discard(Throwable cause) {
        failed = true;
        failHeld(cause);
    }

    private void failHeld(Throwable cause) {
        Held h;
        while ((h = held.poll()) != null) {
            h.buf.release();
            h.promise.tryFailure(cause);
        }
        if (pendingFin != null) {
            pendingFin.tryFailure(cause);
            pendingFin = null;
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
