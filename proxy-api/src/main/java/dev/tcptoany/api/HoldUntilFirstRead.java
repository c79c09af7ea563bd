package dev.tcptoany.api;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Keeps whatever a channel delivers until the first {@code read()} from the handlers behind it
 * (the host), then hands it on in the order it came and leaves the pipeline.
 *
 * <p>Why: a stream reaches the host with auto-read off, but bytes can arrive before the host's
 * handler is there: data that shared a segment with a handshake answer (a WebSocket 101, a QUIC
 * stream header), frames a client pipelined behind its upgrade request, the one read epoll makes
 * on a peer's FIN even with auto-read off. Without a holder they reach the pipeline tail and are
 * dropped. Install it before any codec swap, so what the swap passes on lands here.
 *
 * <p>Messages, user events (such as the end-of-input event) and exceptions are kept in order;
 * read-complete signals are replayed once after each run of messages. If the channel goes
 * inactive first, what is held is released and the host learns of the close only: a stream that
 * ended before anyone read it is an abort. Not sharable: one per channel, event loop only.
 */
public final class HoldUntilFirstRead extends ChannelDuplexHandler {
    /** Inbound items in arrival order; null once handed over. */
    private ArrayDeque<Object> held = new ArrayDeque<>();
    /** True while handing over, so items that arrive meanwhile queue behind the held ones. */
    private boolean handingOver;

    private record HeldEvent(Object event) {
    }

    private record HeldFailure(Throwable cause) {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (held == null) {
            ctx.fireChannelRead(msg);
        } else {
            held.add(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (held == null) {
            ctx.fireChannelReadComplete();
        } // else: the hand-over signals the end of each run of messages it replays
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (held == null) {
            ctx.fireUserEventTriggered(evt);
        } else {
            held.add(new HeldEvent(evt));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (held == null) {
            ctx.fireExceptionCaught(cause);
        } else {
            held.add(new HeldFailure(cause));
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (held != null && !handingOver) {
            handOver(ctx);
        }
        ctx.read();
    }

    private void handOver(ChannelHandlerContext ctx) {
        handingOver = true;
        // Whatever the host does with an item may read again, and some channels (QUIC streams)
        // deliver synchronously inside read(): that lands behind the held items and is drained
        // here too, read-complete signals included, so order is kept.
        while (!held.isEmpty()) {
            boolean readSome = false;
            for (Object o; (o = held.poll()) != null; ) {
                if (!(o instanceof HeldEvent || o instanceof HeldFailure)) {
                    ctx.fireChannelRead(o);
                    readSome = true;
                    continue;
                }
                if (readSome) { // an event or a failure ends a run of messages
                    ctx.fireChannelReadComplete();
                    readSome = false;
                }
                if (o instanceof HeldEvent e) {
                    ctx.fireUserEventTriggered(e.event());
                } else {
                    ctx.fireExceptionCaught(((HeldFailure) o).cause());
                }
            }
            if (readSome) {
                ctx.fireChannelReadComplete();
            }
        }
        held = null;
        if (!ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    private void releaseHeld() {
        if (held != null && !handingOver) {
            for (Object o; (o = held.poll()) != null; ) {
                if (o instanceof HeldEvent e) {
                    ReferenceCountUtil.release(e.event());
                } else if (!(o instanceof HeldFailure)) {
                    ReferenceCountUtil.release(o);
                }
            }
        }
    }
}
