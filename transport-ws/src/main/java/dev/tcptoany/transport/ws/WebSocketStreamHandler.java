package dev.tcptoany.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseCombiner;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an established WebSocket connection into the byte stream the relay expects: binary and
 * continuation frames in become {@code ByteBuf}s (fragments passed on as they arrive), {@code ByteBuf}s
 * out become binary messages of at most {@link FrameSettings#outgoingFrameSize(boolean)}, and the ends of the
 * stream map to our subprotocol's messages or, for plain peers, to Close frames.
 *
 * <p>Pings and pongs are handled in front of it by {@link WebSocketKeepAlive}; frames that arrive
 * before the host's first {@code read()} wait in a {@link dev.tcptoany.api.HoldUntilFirstRead}
 * in front of both.
 *
 * <p>All state is touched on the channel's event loop only.
 */
final class WebSocketStreamHandler extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(WebSocketStreamHandler.class);

    private final boolean halfClose;
    private final FrameSettings settings;
    /** Largest payload of one outgoing message: frame-size for our nodes, plain-frame-size for plain peers. */
    private final int outgoingFrameSize;
    private final String description;

    private ChannelHandlerContext ctx;

    private boolean inputShut;
    private boolean outputShut;
    private boolean closeSent;
    private boolean closeReceived;
    /** Set once the stream ends without a clean end of input: further inbound data is dropped. */
    private boolean aborted;

    /** A text message being assembled from fragments (control messages), or null. */
    private StringBuilder text;

    /** The Close frame we sent, so a close() from the host lets it reach the socket first. */
    private ChannelFuture closeFrameWritten;
    private ScheduledFuture<?> closeTimer;

    /**
     * @param halfClose   true when both ends agreed on {@link Subprotocol#NAME}
     * @param description for log lines: route and peer
     */
    WebSocketStreamHandler(boolean halfClose, FrameSettings settings, String description) {
        this.halfClose = halfClose;
        this.settings = settings;
        this.outgoingFrameSize = settings.outgoingFrameSize(halfClose);
        this.description = description;
    }

    boolean supportsHalfClose() {
        return halfClose;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelCloseTimer();
    }

    // ---- inbound ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            // Nothing else should arrive here; never let a stray object reach the relay.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (frame instanceof BinaryWebSocketFrame || (frame instanceof ContinuationWebSocketFrame && text == null)) {
            onData(frame); // takes ownership of the content
            return;
        }
        try {
            if (frame instanceof TextWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
                onText(frame);
            } else if (frame instanceof CloseWebSocketFrame close) {
                onClose(close.statusCode(), close.reasonText());
            }
            // Pings and pongs are WebSocketKeepAlive's; none gets here.
        } finally {
            frame.release();
        }
    }

    private void onData(WebSocketFrame frame) {
        ByteBuf content = frame.content();
        if (aborted || closeSent && !halfClose || inputShut) {
            content.release();
            if (inputShut && !aborted && !closeReceived) {
                protocolError(WebSocketCloseStatus.PROTOCOL_ERROR, "data after fin");
            }
            return;
        }
        if (!content.isReadable()) {
            content.release();
            return;
        }
        ctx.fireChannelRead(content);
    }

    private void onText(WebSocketFrame frame) {
        if (!halfClose) {
            protocolError(WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
                    "text messages are not accepted; send binary messages");
            return;
        }
        if (text == null) {
            if (!(frame instanceof TextWebSocketFrame)) {
                return;
            }
            text = new StringBuilder();
        }
        text.append(frame.content().toString(StandardCharsets.UTF_8));
        if (text.length() > Subprotocol.MAX_CONTROL_MESSAGE) {
            text = null;
            protocolError(WebSocketCloseStatus.PROTOCOL_ERROR, "control message too long");
            return;
        }
        if (frame.isFinalFragment()) {
            String message = text.toString();
            text = null;
            onControl(message);
        }
    }

    private void onControl(String message) {
        if (Subprotocol.FIN.equals(message)) {
            if (inputShut || aborted) {
                return;
            }
            inputShut = true;
            ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            if (outputShut) {
                startClose(WebSocketCloseStatus.NORMAL_CLOSURE.code(), "");
            }
        } else {
            // Unknown control messages are ignored so a later version can add some.
            log.debug("{}: ignoring control message '{}'", description, message);
        }
    }

    private void onClose(int code, String reason) {
        if (closeReceived) {
            return;
        }
        closeReceived = true;
        boolean clean;
        if (halfClose) {
            // Between our nodes a clean end was announced by fin; a Close before it truncates.
            clean = inputShut && code == WebSocketCloseStatus.NORMAL_CLOSURE.code();
        } else {
            // A plain peer ends its side with a normal close (or one without a status).
            clean = code == WebSocketCloseStatus.NORMAL_CLOSURE.code()
                    || code == WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code() || code == -1
                    || code == WebSocketCloseStatus.EMPTY.code();
            if (clean && !inputShut && !aborted) {
                inputShut = true;
                ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
        }
        if (!clean) {
            if (code >= 4000 || !inputShut) {
                log.debug("{}: peer ended the stream with close {} {}", description, code, reason);
            }
            aborted = true;
        }
        if (closeSent) {
            ctx.close();
        } else {
            closeSent = true;
            int answer = code > 0 && WebSocketCloseStatus.isValidStatusCode(code) ? code : WebSocketCloseStatus.NORMAL_CLOSURE.code();
            closeFrameWritten = ctx.writeAndFlush(new CloseWebSocketFrame(answer, ""));
            closeFrameWritten.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Refuses the peer's protocol use with a Close carrying {@code status}, then keeps reading and
     * discarding until the peer answers or closes (or a short linger passes). Closing at once
     * would reset a peer that is still sending, and it would never see why.
     */
    private void protocolError(WebSocketCloseStatus status, String why) {
        log.info("{}: protocol error, closing with {}: {}", description, status.code(), why);
        aborted = true;
        if (closeSent) {
            ctx.close();
            return;
        }
        closeSent = true;
        outputShut = true;
        closeFrameWritten = ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), truncateReason(why)));
        ctx.channel().config().setAutoRead(true);
        long linger = Math.min(settings.closeTimeout().toNanos(), TimeUnit.SECONDS.toNanos(1));
        closeTimer = ctx.executor().schedule(() -> {
            ctx.close();
        }, linger, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelCloseTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The stream ends without an end-of-input event: the relay treats that as an abort.
        if (cause instanceof CorruptedWebSocketFrameException bad) {
            // Oversized frame (1009), bad UTF-8 (1007), unmasked client frame (1002)...: the
            // decoder now discards everything; tell the peer why.
            protocolError(bad.closeStatus(), bad.getMessage() == null ? bad.closeStatus().reasonText() : bad.getMessage());
            return;
        }
        log.debug("{}: {}", description, cause.toString());
        aborted = true;
        ctx.close();
    }

    // ---- outbound ----

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.write(msg, promise);
            return;
        }
        if (outputShut || closeSent) {
            buf.release();
            promise.tryFailure(new ClosedChannelException());
            return;
        }
        int length = buf.readableBytes();
        if (length <= outgoingFrameSize) {
            if (length == 0) {
                buf.release();
                promise.trySuccess();
            } else {
                ctx.write(new BinaryWebSocketFrame(buf), promise);
            }
            return;
        }
        // Cut large writes into bounded messages; the promise completes when every piece is written.
        PromiseCombiner pieces = new PromiseCombiner(ctx.executor());
        try {
            while (buf.isReadable()) {
                int n = Math.min(outgoingFrameSize, buf.readableBytes());
                pieces.add(ctx.write(new BinaryWebSocketFrame(buf.readRetainedSlice(n))));
            }
        } finally {
            buf.release();
        }
        pieces.finish(promise);
    }

    /**
     * The host closes the channel (both directions finished, or an idle timeout): say so with a
     * Close frame first, and let a Close already sent reach the socket, instead of dropping the
     * TCP connection under it. Never waits longer than close-timeout.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!ctx.channel().isActive()) {
            ctx.close(promise);
            return;
        }
        if (!closeSent) {
            closeSent = true;
            boolean clean = halfClose ? inputShut && outputShut : inputShut || outputShut;
            closeFrameWritten = ctx.writeAndFlush(new CloseWebSocketFrame(
                    clean ? WebSocketCloseStatus.NORMAL_CLOSURE.code() : WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), ""));
        }
        if (closeFrameWritten == null || closeFrameWritten.isDone()) {
            ctx.close(promise);
            return;
        }
        scheduleForcedClose();
        closeFrameWritten.addListener(f -> ctx.close(promise));
    }

    /** See {@link dev.tcptoany.api.ByteStream#shutdownOutput()}. Event loop only. */
    ChannelFuture shutdownOutput() {
        if (outputShut || closeSent) {
            return ctx.newSucceededFuture();
        }
        outputShut = true;
        if (!halfClose) {
            // Plain peers know only Close, which ends both directions.
            return startClose(WebSocketCloseStatus.NORMAL_CLOSURE.code(), "");
        }
        ChannelFuture fin = ctx.writeAndFlush(new TextWebSocketFrame(Subprotocol.FIN));
        if (inputShut) {
            startClose(WebSocketCloseStatus.NORMAL_CLOSURE.code(), "");
        }
        return fin;
    }

    /** See {@link dev.tcptoany.api.ByteStream#abort(String)}. Event loop only; idempotent. */
    void abort(String reason) {
        aborted = true;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (closeSent) {
            ctx.close();
            return;
        }
        closeSent = true;
        outputShut = true;
        closeFrameWritten = ctx.writeAndFlush(new CloseWebSocketFrame(Subprotocol.ABORT_CODE, truncateReason(reason)));
        closeFrameWritten.addListener(ChannelFutureListener.CLOSE);
        scheduleForcedClose();
    }

    private ChannelFuture startClose(int code, String reason) {
        if (closeSent) {
            return ctx.newSucceededFuture();
        }
        closeSent = true;
        ChannelFuture f = ctx.writeAndFlush(new CloseWebSocketFrame(code, reason));
        closeFrameWritten = f;
        if (closeReceived) {
            f.addListener(ChannelFutureListener.CLOSE);
        } else {
            scheduleForcedClose();
        }
        return f;
    }

    private void scheduleForcedClose() {
        if (closeTimer == null) {
            closeTimer = ctx.executor().schedule(() -> {
                if (ctx.channel().isActive()) {
                    log.debug("{}: no close answer within {}, dropping the connection", description, settings.closeTimeout());
                    ctx.close();
                }
            }, settings.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Close reasons are limited to 123 bytes of UTF-8 by RFC 6455. */
    static String truncateReason(String reason) {
        if (reason == null) {
            return "";
        }
        byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= 123) {
            return reason;
        }
        int end = Math.min(reason.length(), 123);
        while (end > 0 && reason.substring(0, end).getBytes(StandardCharsets.UTF_8).length > 123) {
            end--;
        }
        return reason.substring(0, end);
    }

    private void cancelCloseTimer() {
        if (closeTimer != null) {
            closeTimer.cancel(false);
            closeTimer = null;
        }
    }
}
