package dev.tcptoany.transport.ws;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.Destination;
import dev.tcptoany.api.DialFailedException;
import dev.tcptoany.api.DialFailure;
import dev.tcptoany.api.HoldUntilFirstRead;
import dev.tcptoany.api.PeerRejections;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dialer side of the opening handshake: sends the upgrade request once the connection (and
 * the proxy tunnel and TLS beneath it) is up, checks the 101 answer, swaps the HTTP codec for the
 * WebSocket frame codec and completes the dial with a {@link WebSocketByteStream}.
 *
 * <p>Netty's {@code WebSocketClientHandshaker} is not used because it fails when a server answers
 * without the subprotocol we offered, and answering without it is exactly how a plain WebSocket
 * server (the original tool) says "plain binary messages only".
 */
final class ClientHandshakeHandler extends ChannelInboundHandlerAdapter {
    private final DialerSettings settings;
    private final Promise<ByteStream> promise;
    private final PeerRejections rejections;
    private final String description;
    /** Named in the request (forward-destination); the exit then answers only after its dial. */
    private final Optional<Destination> destination;
    private String key;

    ClientHandshakeHandler(DialerSettings settings, Promise<ByteStream> promise, PeerRejections rejections, String description) {
        this(settings, promise, rejections, description, Optional.empty());
    }

    ClientHandshakeHandler(DialerSettings settings, Promise<ByteStream> promise, PeerRejections rejections, String description,
                           Optional<Destination> destination) {
        this.settings = settings;
        this.promise = promise;
        this.rejections = rejections;
        this.description = destination.map(d -> description + " to " + d).orElse(description);
        this.destination = destination;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Proxy handler and TLS queue this until their own handshakes are done.
        key = Handshakes.newKey();
        WebSocketUrl url = settings.url();
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, url.pathAndQuery(),
                Unpooled.EMPTY_BUFFER);
        req.headers().set(HttpHeaderNames.HOST, url.hostHeader())
                .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, key)
                .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
        if (!settings.subprotocol().isEmpty()) {
            req.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, settings.subprotocol());
        }
        for (Map.Entry<String, String> h : settings.headers().entrySet()) {
            req.headers().set(h.getKey(), h.getValue());
        }
        destination.ifPresent(d -> req.headers().set(DestinationHeaders.DESTINATION, d.toString()));
        ctx.writeAndFlush(req).addListener(f -> {
            if (!f.isSuccess()) {
                fail(ctx, "cannot send the upgrade request: " + rootMessage(f.cause()));
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpResponse response) || promise.isDone()) {
            ReferenceCountUtil.release(msg);
            if (!promise.isDone()) {
                fail(ctx, "unexpected " + msg.getClass().getSimpleName() + " during the handshake");
            }
            return;
        }
        try {
            finish(ctx, response);
        } finally {
            response.release();
        }
    }

    private void finish(ChannelHandlerContext ctx, FullHttpResponse r) {
        if (r.decoderResult().isFailure()) {
            fail(ctx, "malformed HTTP answer: " + r.decoderResult().cause().getMessage());
            return;
        }
        if (!r.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
            String why = "HTTP " + r.status().code() + " " + r.status().reasonPhrase() + " instead of 101 Switching Protocols";
            if (destination.isPresent()) {
                DialFailure failure = DestinationHeaders.failure(r.status().code(), r.headers().get(DestinationHeaders.DIAL_FAILURE));
                promise.tryFailure(new DialFailedException(failure, description + ": the exit answered " + failure.key()
                        + " (" + why + ")"));
                ctx.close();
                return;
            }
            fail(ctx, why);
            return;
        }
        if (!Handshakes.isWebSocketUpgrade(r.headers())) {
            fail(ctx, "101 answer without Upgrade: websocket / Connection: upgrade");
            return;
        }
        String accept = r.headers().get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
        if (accept == null || !accept.trim().equals(Handshakes.accept(key))) {
            fail(ctx, "wrong Sec-WebSocket-Accept in the 101 answer");
            return;
        }
        List<String> selected = Handshakes.tokens(r.headers(), HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        boolean ours = !settings.subprotocol().isEmpty() && selected.equals(List.of(settings.subprotocol()));
        if (!selected.isEmpty() && !ours) {
            fail(ctx, "server selected subprotocol " + selected + " that was not offered");
            return;
        }
        if (destination.isPresent() && (!ours || !destination.get().toString().equals(
                r.headers().get(DestinationHeaders.DESTINATION, "").trim()))) {
            // A plain server, or a listener of ours that predates destinations, upgraded without
            // looking at it: it would relay to its own fixed target. Never send payload there.
            promise.tryFailure(new DialFailedException(DialFailure.UNREACHABLE, description + ": the listener upgraded"
                    + " without confirming the destination (a plain WebSocket server, or a node that knows no"
                    + " destinations): refusing to relay to its fixed target"));
            ctx.close();
            return;
        }

        // No frame may reach the pipeline tail before the host's handler: reads stop here, and the
        // holder keeps what was already read (frames behind the 101) until the host's first read().
        // It goes in before the codec swap, which passes those bytes on.
        ctx.channel().config().setAutoRead(false);
        WebSocketStreamHandler stream = new WebSocketStreamHandler(ours, settings.frames(), description);
        ChannelPipeline p = ctx.pipeline();
        p.replace(this, "ws-hold", new HoldUntilFirstRead());
        p.addAfter("ws-hold", "ws-keep-alive", new WebSocketKeepAlive(settings.frames(), rejections, description));
        p.addAfter("ws-keep-alive", "ws-stream", stream);
        // Replacing the codec passes the bytes it already read past the 101 to the frame decoder.
        p.replace(HttpClientCodec.class, "ws-decoder", settings.frames().newFrameDecoder(false));
        // The encoder sits before the decoder so the Close the decoder sends on a protocol violation
        // (1002, 1007, 1009) is encoded.
        p.addBefore("ws-decoder", "ws-encoder", new InPlaceMaskingFrameEncoder());
        if (p.get(HttpObjectAggregator.class) != null) {
            p.remove(HttpObjectAggregator.class);
        }
        if (!promise.trySuccess(new WebSocketByteStream(ctx.channel(), stream, description))) {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        promise.tryFailure(new java.io.IOException(description + ": connection closed before the WebSocket handshake completed"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ProxyConnectException) {
            fail(ctx, "proxy refused: " + cause.getMessage());
        } else {
            fail(ctx, rootMessage(cause));
        }
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        promise.tryFailure(new WebSocketDialException(description + ": " + why));
        ctx.close();
    }

    /**
     * The failure and, when it differs, its innermost cause: the OpenSSL engine reports a refused
     * certificate as "General OpenSslEngine problem" and keeps the reason (a name mismatch, a
     * wrong pin) in the cause.
     */
    private static String rootMessage(Throwable t) {
        Throwable top = t instanceof DecoderException && t.getCause() != null ? t.getCause() : t;
        Throwable root = top;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String topMessage = top.getMessage() != null ? top.getMessage() : top.toString();
        String rootMessage = root.getMessage() != null ? root.getMessage() : root.toString();
        return root == top || topMessage.contains(rootMessage) ? topMessage : topMessage + ": " + rootMessage;
    }
}
