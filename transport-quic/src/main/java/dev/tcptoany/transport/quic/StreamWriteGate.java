package dev.tcptoany.transport.quic;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionPathStats;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;

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
 * <p><b>Whole batches of packets.</b> While the congestion window limits sending, quiche's capacity
 * grows by what each ACK freed, often a single packet; handing that over at once made every ACK
 * produce one small send, the receiver answer each packet with an ACK, and both nodes spend their
 * CPU on per-packet wake-ups and system calls (measured on a 1500-MTU veth path: one
 * {@code recvmsg} per wake-up, one {@code sendto} per packet). So when the held bytes do not fit, the
 * gate waits until quiche can take a batch ({@link #SEND_BATCH_DATAGRAMS} datagrams, at most
 * {@link #MAX_SEND_BATCH_BYTES}, at most half the congestion window) and then hands over all of it:
 * quiche sends the batch in one segmented (GSO) send, the receiver reads it in one (GRO) read and
 * acknowledges it once. The wait ends at the end of a batch of received datagrams
 * ({@link DatagramBatchEnd}) that left the capacity where it was (the window stopped growing), and
 * after {@link #MAX_BATCH_WAIT_NANOS} at the latest. Writes that fit go at once, so small
 * request/response traffic is not delayed. Whatever goes is handed over as one write
 * ({@link ForwardBatch}), so it leaves as one segmented send.
 *
 * <p><b>Writers on other event loops.</b> The relay writes from the other side's loop; its bytes
 * reach this handler only when the stream's loop runs the write, which is late when that loop is
 * the busy one. {@link #countCrossLoopWrite} counts them on the writer's thread first and turns the
 * stream unwritable there, so the bound holds for writes still on their way ({@link CrossLoopWrite}).
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
    /** Written by the stream's loop only; volatile so writers on other loops read it. */
    private volatile long heldBytes;
    /** Bytes counted by writers on other loops that have not reached {@link #write} yet. */
    private final AtomicLong crossing = new AtomicLong();
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
    /**
     * The writability the relay sees ({@link QuicByteStream#isWritable()}): false once
     * {@link #HIGH_WATER} bytes are held, true again at {@link #LOW_WATER}. Volatile: the relay
     * reads it from the other side's loop.
     */
    private volatile boolean writable = true;

    /**
     * Bytes held ahead of quiche before the relay must stop. Keeping a backlog means quiche always
     * has data when an ACK opens its window; handing it only its current capacity made every window
     * update a round trip through the relay, the connection stayed application-limited and the
     * congestion window never grew (measured: under 0.4 Gbit/s on loopback).
     */
    static final int HIGH_WATER = 1024 * 1024;
    static final int LOW_WATER = 512 * 1024;

    /**
     * Datagrams per batch: 32 x 1,452 bytes is about 46 KB per segmented send. Measured on the veth
     * path (1 stream, cubic): 1 datagram 0.10 Gbit/s, 8 0.26, 16 0.56, 32 0.77-0.80, 44 0.76.
     */
    static final int SEND_BATCH_DATAGRAMS = 32;
    static final int MAX_SEND_BATCH_BYTES = 64 * 1024;
    /** The longest a write waits for a batch's worth of window. */
    static final long MAX_BATCH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long a computed batch size is used before the path's window and MTU are read again. */
    private static final long BATCH_SIZE_REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /**
     * Per QUIC connection: how many of its streams' gates hold a backlog. Streams share the
     * connection's congestion window, and quiche's per-stream capacity is stale once another stream
     * took the window, so holding for a batch only works for a connection's only busy writer
     * (measured on loopback, 4 streams: 0.19-0.24 Gbit/s with every gate holding, against 0.97 before
     * the batching). Connection-loop confined.
     */
    private static final AttributeKey<int[]> BUSY_WRITERS = AttributeKey.valueOf(StreamWriteGate.class, "busyWriters");
    private int[] busyWriters;
    private boolean busy;
    private DatagramBatchEnd batchEnd;
    /** Held back for a fuller window; a batch end or the timer re-checks. */
    private boolean waitingForBatch;
    private boolean batchEndRegistered;
    private boolean batchTimerArmed;
    private long capacityAtLastBatchEnd = -1;
    private long batchBytes;
    private long batchBytesReadAt;
    private final Runnable onBatchEnd = this::onBatchEnd;
    private final Runnable onBatchTimer = this::onBatchTimer;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.batchEnd = DatagramBatchEnd.of((QuicStreamChannel) ctx.channel());
        Attribute<int[]> counter = ctx.channel().parent().attr(BUSY_WRITERS);
        int[] c = counter.get();
        if (c == null) {
            c = new int[1];
            counter.set(c);
        }
        this.busyWriters = c;
    }

    /** Keeps {@link #BUSY_WRITERS} up to date: this gate is busy while it holds bytes. */
    private void trackBusy() {
        boolean now = !held.isEmpty();
        if (now != busy && busyWriters != null) {
            busy = now;
            busyWriters[0] += now ? 1 : -1;
        }
    }

    /** Whether the relay may write more: the held backlog is below its bound. */
    boolean isWritable() {
        return writable && !failed;
    }

    /** Bytes accepted from the relay and not yet given to quiche, including those still crossing loops. */
    long heldBytes() {
        return heldBytes + crossing.get();
    }

    /**
     * Any thread, before a write of {@code n} bytes from another event loop: counts them now and
     * turns the stream unwritable once the backlog reaches {@link #HIGH_WATER}; the stream's loop
     * turns it writable again (with the event) at {@link #LOW_WATER}.
     */
    void countCrossLoopWrite(int n) {
        if (crossing.addAndGet(n) + heldBytes >= HIGH_WATER) {
            writable = false;
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean crossed = false;
        if (msg instanceof CrossLoopWrite w) {
            crossed = true;
            msg = w.content();
            crossing.addAndGet(-((ByteBuf) msg).readableBytes());
        }
        if (!(msg instanceof ByteBuf buf)) {
            ctx.write(msg, promise);
            return;
        }
        if (failed || finRequested) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(failed ? new ClosedChannelException()
                    : new ChannelOutputShutdownException("output was shut down"));
            if (crossed) {
                propagateWritability();
            }
            return;
        }
        if (!buf.isReadable()) {
            buf.release();
            promise.trySuccess();
            if (crossed) {
                propagateWritability();
            }
            return;
        }
        held.add(new Held(buf, promise));
        heldBytes += buf.readableBytes();
        trackBusy();
        unflushed++;
        if (heldBytes > COALESCE_LIMIT) {
            unflushed = 1;
            drain();
        }
        if (crossed || writable && heldBytes + crossing.get() >= HIGH_WATER) {
            propagateWritability();
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
        long backlog = heldBytes + crossing.get();
        boolean now = writable ? backlog < HIGH_WATER : backlog <= LOW_WATER;
        if (now != writable) {
            writable = now;
            ctx.fireChannelWritabilityChanged();
        }
    }

    private void drainAndPropagate() {
        drainScheduled = false;
        drain();
        propagateWritability();
    }

    private void drain() {
        drain(true);
    }

    /** @param mayHold false when the wait for a batch is over (released, timed out, aborting) */
    private void drain(boolean mayHold) {
        if (draining) {
            return;
        }
        draining = true;
        try {
            QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
            long capacity = stream.bytesBeforeUnwritable();
            if (mayHold && holdForBatch(stream, capacity, false)) {
                return;
            }
            waitingForBatch = false;
            capacityAtLastBatchEnd = -1;
            boolean forwardedAny = false;
            if (capacity <= 0) {
                // Capacity is unknown until quiche has seen the stream (it learns of it on the
                // first write) and may be stale; the channel's own flag is then the guide. Hand
                // over one write: what quiche cannot take waits in the channel, which turns
                // unwritable, and we forward nothing more until that write completes.
                if (held.size() > unflushed && !failed && stream.isActive()
                        && forwardedPending == 0 && stream.isWritable()) {
                    Held next = held.poll();
                    heldBytes -= next.buf.readableBytes();
                    forward(next.buf, List.of(next.promise), held.isEmpty() && pendingFin != null);
                    forwardedAny = true;
                }
            } else {
                // Everything that fits goes to quiche as ONE write: the codec runs quiche's send
                // after every stream write, so each write ended in its own short packet and its own
                // segmented send (measured: 48 KB forwarded per drain left as 12 KB sends).
                ForwardBatch batch = new ForwardBatch();
                while (held.size() > unflushed && !failed && stream.isActive() && capacity > 0) {
                    Held next = held.peek();
                    int readable = next.buf.readableBytes();
                    if (readable <= capacity) {
                        held.poll();
                        batch.add(ctx.alloc(), next.buf, next.promise);
                        capacity -= readable;
                        heldBytes -= readable;
                    } else {
                        batch.add(ctx.alloc(), next.buf.readRetainedSlice((int) capacity), null);
                        heldBytes -= capacity;
                        capacity = 0;
                    }
                }
                if (!batch.isEmpty()) {
                    forward(batch.content(), batch.promises(), held.isEmpty() && pendingFin != null);
                    forwardedAny = true;
                }
            }
            if (forwardedAny) {
                // Everything forwarded fits quiche's capacity: one flush hands it all over now
                // (without it the writes would wait in the stream channel for an unrelated flush).
                ctx.flush();
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
            trackBusy();
        }
    }

    /**
     * Whether to keep the held bytes until quiche can take a whole batch of them (class comment).
     *
     * @param atBatchEnd called at the end of a batch of received datagrams
     */
    private boolean holdForBatch(QuicStreamChannel stream, long capacity, boolean atBatchEnd) {
        boolean hold = busyWriters != null && busyWriters[0] <= 1 && !failed && pendingFin == null
                && capacity > 0 && heldBytes > capacity && held.size() > unflushed
                && capacity < batchBytes(stream)
                && !(atBatchEnd && capacity == capacityAtLastBatchEnd);
        if (!hold) {
            return false;
        }
        if (atBatchEnd) {
            capacityAtLastBatchEnd = capacity;
        }
        waitingForBatch = true;
        if (batchEnd != null && !batchEndRegistered) {
            batchEndRegistered = true;
            batchEnd.runAfterBatch(onBatchEnd);
        }
        if (!batchTimerArmed) {
            batchTimerArmed = true;
            ctx.executor().schedule(onBatchTimer, MAX_BATCH_WAIT_NANOS, TimeUnit.NANOSECONDS);
        }
        return true;
    }

    private void onBatchEnd() {
        batchEndRegistered = false;
        if (waitingForBatch && !draining) {
            QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
            if (!holdForBatch(stream, stream.bytesBeforeUnwritable(), true)) {
                drain(false);
                propagateWritability();
            }
        }
    }

    private void onBatchTimer() {
        batchTimerArmed = false;
        if (waitingForBatch && !draining) {
            // Waited long enough: forward what fits now.
            drain(false);
            propagateWritability();
        }
    }

    /**
     * A batch's worth of bytes for this path: {@link #SEND_BATCH_DATAGRAMS} datagrams of the path's
     * current size, at least one and at most {@link #MAX_SEND_BATCH_BYTES}, and never more than half
     * the congestion window (with a small window, waiting for more would stall the flow).
     */
    private long batchBytes(QuicStreamChannel stream) {
        long now = System.nanoTime();
        if (batchBytes > 0 && now - batchBytesReadAt < BATCH_SIZE_REFRESH_NANOS) {
            return batchBytes;
        }
        batchBytesReadAt = now;
        var stats = ((QuicChannel) stream.parent()).collectPathStats(0);
        if (!stats.isSuccess()) {
            batchBytes = 1;
            return batchBytes;
        }
        QuicConnectionPathStats path = stats.getNow();
        long datagram = Math.max(1, path.pmtu());
        long batch = Math.max(datagram, Math.min(datagram * SEND_BATCH_DATAGRAMS, MAX_SEND_BATCH_BYTES));
        batchBytes = Math.max(1, Math.min(batch, path.cwnd() / 2));
        return batchBytes;
    }

    /** @param originals the promises of the relay's writes that {@code buf} completes */
    private void forward(ByteBuf buf, List<ChannelPromise> originals, boolean withFin) {
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
                ForwardBatch.complete(originals, null);
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
                ForwardBatch.complete(originals, f.cause());
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
        drain(false);
    }

    /** Drops everything held, for an abort. */
    void discard(Throwable cause) {
        failed = true;
        waitingForBatch = false;
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
        trackBusy();
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
