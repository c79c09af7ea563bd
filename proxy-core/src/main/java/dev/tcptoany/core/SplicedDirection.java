package dev.tcptoany.core;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.SocketByteStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.EpollSocketChannel;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Predicate;

/**
 * One direction of a relay whose two ends are plain TCP sockets on one epoll loop, moved with
 * splice(2): socket to pipe to socket inside the kernel, never through a user-space buffer. Built on
 * Netty's {@code AbstractEpollStreamChannel.spliceTo} (deprecated in 4.2, still the only way to splice
 * on Netty's epoll loop), whose behaviour (4.2.18) decides how this class drives it:
 *
 * <ul>
 *   <li><b>One task of unbounded length</b> for the life of the direction. A task of N bytes leaves the
 *       queue once its N bytes are in, and until the next one is queued epoll reads the socket into
 *       buffers again; and a FIN in mid-task leaves it unfinished without saying how much of it moved.
 *       So the direction queues one endless task, and bytes are counted from the source's read handle
 *       ({@link ReadCountingAllocator}), which sees every splice and every read.</li>
 *   <li><b>Bounded chunks, backpressure:</b> each wake-up splices at most the source's read-buffer
 *       size into the target's pipe (64 KiB) and queues it on the target as one write. While that write
 *       waits for room in the target's socket, Netty turns the source's auto-read off, and on again once
 *       the write is done: at most one pipe of bytes per direction is in the proxy. So the source runs
 *       with auto-read on and the relay never asks it for reads: a read while the pipe is full would
 *       find nothing to do and, epoll being level-triggered, wake the loop again at once.</li>
 *   <li><b>End of input:</b> splice(2) returns 0 for "nothing yet", for "the pipe is full" and for a
 *       FIN alike. Netty shuts the input down and fires {@code ChannelInputShutdownEvent} as soon as
 *       epoll reported the peer's FIN (EPOLLRDHUP) and a splice returned 0, which may be a full pipe or
 *       the read-buffer limit with bytes still queued in the socket; it then keeps splicing them while
 *       auto-read is on. Relaying the FIN at that event would send it before those bytes. So the event
 *       only notes the FIN ({@link #finSeen()}); the input has ended once a read burst after it moved
 *       nothing while the target's queue was empty (so the pipe had room and the socket had nothing
 *       left): {@link #afterReadBurst()}. Then auto-read goes off for good, since a socket at EOF stays
 *       readable and would wake the loop forever.</li>
 *   <li><b>A burst that moved nothing while the pipe is full</b> (a second write queued behind a
 *       waiting one, after EPOLLRDHUP) would wake the loop again at once: reading pauses until an
 *       empty write queued behind the target's pending ones completes.</li>
 *   <li><b>Failures:</b> a read error (a reset) fails the task and drops it, without closing the
 *       channel or firing {@code exceptionCaught}; epoll may then read the socket into buffers, and its
 *       next read returns a plain end of input. The direction ends at the failure and the relay aborts,
 *       so that end never passes for a FIN. A write error closes the target, which the relay sees as
 *       that side closing. A source that closes fails the task with a {@code ClosedChannelException}.
 *       The pipe belongs to the target and closes with it.</li>
 * </ul>
 *
 * <p>Threading: the source's event loop, which is the target's.
 */
final class SplicedDirection {
    private final EpollSocketChannel source;
    private final EpollSocketChannel target;
    private final IntConsumer counted;
    /** Bytes taken from the source since the last read burst ended. */
    private long burst;
    private boolean finSeen;
    /** The input ended, or the task failed: nothing more is spliced. */
    private boolean ended;
    private boolean waitingForDrain;

    private SplicedDirection(EpollSocketChannel source, EpollSocketChannel target, IntConsumer counted) {
        this.source = source;
        this.target = target;
        this.counted = counted;
    }

    /**
     * Whether the bytes between {@code a} and {@code b} may bypass user space: both are plain TCP
     * sockets ({@link SocketByteStream} as the tcp transport makes them, not an entry point's) on epoll,
     * registered to one event loop, and no handler but the relay's own ({@code relayOwn}) is in their
     * pipelines (no TLS, no codec, nothing that must see or parse the bytes).
     */
    static boolean possible(ByteStream a, ByteStream b, Predicate<ChannelHandler> relayOwn) {
        return plainEpollSocket(a, relayOwn) && plainEpollSocket(b, relayOwn)
                && a.channel().eventLoop() == b.channel().eventLoop();
    }

    private static boolean plainEpollSocket(ByteStream s, Predicate<ChannelHandler> relayOwn) {
        Channel ch = s.channel();
        if (s.getClass() != SocketByteStream.class || !(ch instanceof EpollSocketChannel)) {
            return false;
        }
        for (Map.Entry<String, ChannelHandler> e : ch.pipeline()) {
            // A bare ChannelInboundHandlerAdapter passes everything on untouched (a dial bootstrap's
            // placeholder handler); anything else might need to see the bytes.
            ChannelHandler h = e.getValue();
            if (h.getClass() != ChannelInboundHandlerAdapter.class && !relayOwn.test(h)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Starts splicing {@code source} into {@code target}, on their loop, once whatever the source read
     * before has been handed to the relay. Empty when the source's reads cannot be counted (it read
     * before, see {@link ReadCountingAllocator}): the relay then carries this direction in buffers.
     *
     * @param counted every byte taken from the source's socket, spliced or read, on the loop
     * @param failed  the task failed while the direction was open: the cause, of the source's read or
     *                the target's write; called inside Netty's read loop of the source
     */
    @SuppressWarnings("deprecation") // spliceTo: see the class comment
    static Optional<SplicedDirection> start(ByteStream source, ByteStream target, IntConsumer counted,
                                            Consumer<Throwable> failed) {
        EpollSocketChannel from = (EpollSocketChannel) source.channel();
        SplicedDirection d = new SplicedDirection(from, (EpollSocketChannel) target.channel(), counted);
        if (!ReadCountingAllocator.install(from, d::taken)) {
            return Optional.empty();
        }
        from.spliceTo(d.target, Integer.MAX_VALUE).addListener(f -> {
            if (!f.isSuccess() && !d.ended) {
                d.ended = true;
                d.stopReading();
                failed.accept(f.cause());
            }
        });
        from.config().setAutoRead(true);
        return Optional.of(d);
    }

    private void taken(int bytes) {
        burst += bytes;
        counted.accept(bytes);
    }

    /** The source's {@code ChannelInputShutdownEvent}: the peer's FIN came; bytes may still be queued before it. */
    void finSeen() {
        finSeen = true;
    }

    /**
     * After each read burst of the source ({@code channelReadComplete}). True once, when the input has
     * ended: every byte before the FIN is in the target's queue, behind which the FIN may go.
     */
    boolean afterReadBurst() {
        long moved = burst;
        burst = 0;
        if (ended) {
            stopReading(); // a write that was waiting when the input ended turned auto-read back on
            return false;
        }
        if (moved > 0) {
            return false; // Netty paces the next splice on the target's progress
        }
        if (!targetDrained()) {
            awaitDrain();
            return false;
        }
        if (finSeen) {
            ended = true;
            stopReading();
            return true;
        }
        return false;
    }

    private boolean targetDrained() {
        ChannelOutboundBuffer queued = target.unsafe().outboundBuffer();
        return queued == null || queued.isEmpty();
    }

    private void awaitDrain() {
        stopReading();
        if (waitingForDrain) {
            return;
        }
        waitingForDrain = true;
        target.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            waitingForDrain = false;
            if (!ended && source.isActive()) {
                source.config().setAutoRead(true);
            }
        });
    }

    private void stopReading() {
        if (source.config().isAutoRead()) {
            source.config().setAutoRead(false);
        }
    }
}
