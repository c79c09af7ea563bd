package dev.tcptoany.transport.quic;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Watches one QUIC connection a listener accepted: enforces the connection limit, counts failed
 * handshakes (wrong certificate, wrong ALPN, no client certificate) as rejected peers, and drops
 * the keep-alive datagrams dialers send.
 */
final class ListenerConnectionHandler extends ChannelInboundHandlerAdapter {
    private final QuicListener listener;
    private boolean handshakeDone;
    private boolean rejectionRecorded;

    ListenerConnectionHandler(QuicListener listener) {
        this.listener = listener;
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
        QuicChannel ch = (QuicChannel) ctx.channel();
        String refusal = listener.admit(ch);
        if (refusal != null) {
            rejectionRecorded = true;
            listener.rejections().record("quic-connection-limit", ch.remoteSocketAddress(), refusal);
            ch.close(true, QuicErrorCodes.CONNECTION_REFUSED,
                    Unpooled.copiedBuffer(refusal, StandardCharsets.US_ASCII));
        }
        super.channelRegistered(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        handshakeDone = true;
        QuicChannel ch = (QuicChannel) ctx.channel();
        listener.statistics().track(ch);
        QuicListener.LOG.debug("quic route {}: connection from {} established, ALPN {}", listener.routeName(),
                ch.remoteSocketAddress(), ch.sslEngine() == null ? null : ch.sslEngine().getApplicationProtocol());
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof io.netty.buffer.ByteBuf)) {
            // A new stream: the codec's pipeline tail registers it with the stream handler.
            ctx.fireChannelRead(msg);
            return;
        }
        // A datagram on the connection itself: a dialer's keep-alive ping. Receiving it is the point.
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        QuicChannel ch = (QuicChannel) ctx.channel();
        if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess()) {
            reject(ch, "TLS handshake failed: " + hs.cause().getMessage());
        } else if (evt instanceof QuicConnectionCloseEvent close && !handshakeDone && close.isTlsError()) {
            reject(ch, "peer aborted the TLS handshake (alert " + QuicConnectionCloseEvent.extractTlsError(close.error())
                    + "), e.g. it does not trust our certificate");
        }
        super.userEventTriggered(ctx, evt);
    }

    private void reject(QuicChannel ch, String detail) {
        if (!rejectionRecorded) {
            rejectionRecorded = true;
            listener.rejections().record("quic-tls-handshake", ch.remoteSocketAddress(),
                    "route " + listener.routeName() + ": " + detail);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        QuicListener.LOG.debug("quic route {}: connection from {}: {}", listener.routeName(),
                ((QuicChannel) ctx.channel()).remoteSocketAddress(), cause.toString());
    }

    static ByteBuf reason(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }
}
