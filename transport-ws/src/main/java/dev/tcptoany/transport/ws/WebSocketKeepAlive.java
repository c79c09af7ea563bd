package dev.tcptoany.transport.ws;

import dev.tcptoany.api.PeerRejections;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pings and pongs of an established WebSocket connection; every other frame passes on to the
 * {@link WebSocketStreamHandler} behind it.
 *
 * <p>Answers: each ping is answered with a pong, but at most one pong waits in the outbound buffer.
 * Reads on this channel are paced by the other side of the relay, not by this channel's
 * writability, so a peer that pings and never reads would otherwise grow our memory without
 * bound. While a pong is queued, a newer ping replaces the one owed (RFC 6455 lets an endpoint
 * answer only the latest). A peer above {@code max-pings-per-second} is refused with 1008.
 *
 * <p>Keep-alive: after {@code ping-interval} without hearing anything it pings, and drops the
 * connection when nothing at all arrives within {@code pong-timeout}. Silence while the host is
 * not reading (backpressure, or before its first read) proves nothing and is not held against
 * the peer.
 *
 * <p>Event loop only.
 */
final class WebSocketKeepAlive extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(WebSocketKeepAlive.class);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final FrameSettings settings;
    private final PeerRejections rejections;
    private final String description;
    private ChannelHandlerContext ctx;

    /** True between the host's read() and the end of that read burst: silence then means the peer is quiet. */
    private boolean readRequested;
    private long lastHeardNanos = System.nanoTime();
    private long pingSentNanos;
    private ScheduledFuture<?> ticker;

    /** Once a Close went out, pings are no longer answered (RFC 6455: nothing may follow a Close). */
    private boolean closeSent;
    /** True once the peer exceeded its ping budget: its pings are dropped while the Close is under way. */
    private boolean flooded;
    private long pingWindowStart = System.nanoTime();
    private int pingsInWindow;

    /** A pong is in the outbound buffer, not yet written to the socket. */
    private boolean pongQueued;
    /** Payload of the latest ping not yet answered, sent when the queued pong is written; or null. */
    private ByteBuf owedPong;

    WebSocketKeepAlive(FrameSettings settings, PeerRejections rejections, String description) {
        this.settings = settings;
        this.rejections = rejections;
        this.description = description;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        long interval = settings.pingInterval().toNanos();
        if (interval > 0) {
            // Tick often enough to notice both a quiet period and a missing pong in time.
            long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(interval, settings.pongTimeout().toNanos()) / 2);
            ticker = ctx.executor().scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    private void stop() {
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
        if (owedPong != null) {
            owedPong.release();
            owedPong = null;
        }
    }

    // ---- inbound ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof WebSocketFrame) {
            lastHeardNanos = System.nanoTime();
        }
        if (msg instanceof PingWebSocketFrame ping) {
            try {
                onPing(ping.content());
            } finally {
                ping.release();
            }
        } else if (msg instanceof PongWebSocketFrame pong) {
            pong.release(); // it proved liveness, recorded above
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void onPing(ByteBuf payload) {
        if (closeSent || flooded) {
            return;
        }
        long now = System.nanoTime();
        if (now - pingWindowStart >= SECOND) {
            pingWindowStart = now;
            pingsInWindow = 0;
        }
        if (++pingsInWindow > settings.maxPingsPerSecond()) {
            flooded = true;
            String why = "more than " + settings.maxPingsPerSecond() + " pings in one second";
            rejections.record("ws-ping-flood", ctx.channel().remoteAddress(), description + ": " + why);
            // The stream handler owns the Close: it answers 1008 and lingers, as for any protocol error.
            ctx.fireExceptionCaught(new CorruptedWebSocketFrameException(WebSocketCloseStatus.POLICY_VIOLATION, why));
            return;
        }
        if (pongQueued) {
            if (owedPong != null) {
                owedPong.release();
            }
            owedPong = payload.retain();
            return;
        }
        sendPong(payload.retain());
    }

    private void sendPong(ByteBuf payload) {
        pongQueued = true;
        ctx.writeAndFlush(new PongWebSocketFrame(payload)).addListener(written -> {
            pongQueued = false;
            ByteBuf next = owedPong;
            owedPong = null;
            if (next == null) {
                return;
            }
            if (written.isSuccess() && !closeSent && ctx.channel().isActive()) {
                sendPong(next);
            } else {
                next.release();
            }
        });
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readRequested = false;
        ctx.fireChannelReadComplete();
    }

    // ---- outbound ----

    @Override
    public void read(ChannelHandlerContext ctx) {
        readRequested = true;
        ctx.read();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof CloseWebSocketFrame) {
            closeSent = true;
            if (owedPong != null) {
                owedPong.release();
                owedPong = null;
            }
        }
        ctx.write(msg, promise);
    }

    // ---- keep-alive ----

    private void tick() {
        if (!ctx.channel().isActive() || closeSent) {
            return;
        }
        long now = System.nanoTime();
        if (!(readRequested || ctx.channel().config().isAutoRead())) {
            // Reads are paused (backpressure, or the host has not started): a pong may be sitting
            // unread in the socket, so silence proves nothing. Start over when reads resume.
            pingSentNanos = 0;
            return;
        }
        if (pingSentNanos != 0) {
            if (lastHeardNanos - pingSentNanos >= 0) {
                pingSentNanos = 0;
            } else if (now - pingSentNanos >= settings.pongTimeout().toNanos()) {
                log.info("{}: no answer to ping within {}, aborting", description, settings.pongTimeout());
                // Straight to the socket: no Close handshake with a peer that does not answer.
                ctx.close();
                return;
            }
        }
        if (pingSentNanos == 0 && now - lastHeardNanos >= settings.pingInterval().toNanos()) {
            pingSentNanos = now;
            ctx.writeAndFlush(new PingWebSocketFrame(ctx.alloc().buffer(0)));
        }
    }
}
