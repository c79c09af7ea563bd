package dev.tcptoany.transport.quic;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicStreamLimitChangedEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Watches one QUIC connection a dialer opened: remembers why it closed (for the log line) and drops
 * stray datagrams.
 */
final class DialerConnectionHandler extends ChannelInboundHandlerAdapter {
    private volatile String closeReason;
    private volatile Throwable lastError;
    private Runnable streamLimitChanged = () -> { };

    /** Called (on the connection's loop) when the peer grants more streams. */
    void onStreamLimitChanged(Runnable r) {
        streamLimitChanged = r;
    }

    /** Why the connection ended, as well as it is known. */
    String closeReason() {
        if (closeReason != null) {
            return closeReason;
        }
        if (lastError != null) {
            return lastError.toString();
        }
        return "closed";
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof io.netty.buffer.ByteBuf)) {
            // A new stream: the codec's pipeline tail registers it with the stream handler.
            ctx.fireChannelRead(msg);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof QuicStreamLimitChangedEvent) {
            streamLimitChanged.run();
        } else if (evt instanceof QuicConnectionCloseEvent close) {
            byte[] raw = close.reason();
            String reason = raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
            closeReason = "peer closed the connection (" + (close.isApplicationClose() ? "application" : "transport")
                    + " error " + close.error() + (reason.isEmpty() ? "" : ": " + reason) + ")";
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        lastError = cause;
        QuicConnectionPool.LOG.debug("quic connection {}: {}", ctx.channel(), cause.toString());
    }
}
