package dev.tcptoany.transport.ws;

import dev.tcptoany.api.Destination;
import dev.tcptoany.api.DialFailure;
import dev.tcptoany.api.HoldUntilFirstRead;
import dev.tcptoany.api.PeerRejections;
import dev.tcptoany.api.StreamAcceptor;
import dev.tcptoany.api.policy.AuthenticatedClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener side of the opening handshake: answers health checks and non-upgrade requests,
 * refuses wrong paths, foreign origins and missing tokens, then answers 101, swaps the HTTP codec
 * for the WebSocket frame codec and hands the connection to the host as a {@link WebSocketByteStream}.
 *
 * <p>The handshake is done here rather than with Netty's {@code WebSocketServerHandshaker} so the
 * pipeline switch happens synchronously, with auto-read already off, before the host sees the
 * stream.
 */
final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ServerHandshakeHandler.class);

    private final String route;
    private final String transport;
    private final ListenerSettings settings;
    private final StreamAcceptor acceptor;
    private final PeerRejections rejections;
    private ScheduledFuture<?> timeout;
    private boolean done;

    ServerHandshakeHandler(String route, String transport, ListenerSettings settings, StreamAcceptor acceptor,
                           PeerRejections rejections) {
        this.route = route;
        this.transport = transport;
        this.settings = settings;
        this.acceptor = acceptor;
        this.rejections = rejections;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> {
            if (!done && ctx.channel().isActive()) {
                done = true;
                rejections.record("ws-handshake-timeout", ctx.channel().remoteAddress(),
                        "no WebSocket upgrade within " + settings.handshakeTimeout());
                ctx.close();
            }
        }, settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timeout.cancel(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timeout.cancel(false);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            handle(ctx, request);
        } finally {
            request.release();
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            Throwable cause = req.decoderResult().cause();
            if (cause instanceof TooLongHttpHeaderException) {
                reject(ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "ws-header-too-large",
                        "request headers exceed max-header-size " + settings.maxHeaderSize());
            } else if (cause instanceof TooLongHttpLineException) {
                reject(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG, "ws-bad-request", "request line too long");
            } else if (cause instanceof TooLongFrameException) {
                reject(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "ws-bad-request", "request too large");
            } else {
                reject(ctx, HttpResponseStatus.BAD_REQUEST, "ws-bad-request", "malformed HTTP request: " + cause.getMessage());
            }
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        boolean upgrade = Handshakes.isWebSocketUpgrade(req.headers());
        if (!upgrade) {
            if (!settings.healthPath().isEmpty() && settings.healthPath().equals(path)
                    && (req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD))) {
                done = true;
                respond(ctx, HttpResponseStatus.OK, "ok\n");
                return;
            }
            if (settings.upgradesPath(path)) {
                FullHttpResponse r = response(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "this is a WebSocket endpoint\n");
                r.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
                send(ctx, r, "ws-not-upgrade", req.method() + " " + path + " without a WebSocket upgrade");
            } else {
                reject(ctx, HttpResponseStatus.NOT_FOUND, "ws-not-upgrade", req.method() + " " + path + " without a WebSocket upgrade");
            }
            return;
        }
        if (!settings.upgradesPath(path)) {
            reject(ctx, HttpResponseStatus.NOT_FOUND, "ws-bad-path", "upgrade to path " + path + " (this listener serves " + settings.path() + ")");
            return;
        }
        if (!req.method().equals(HttpMethod.GET)) {
            reject(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "ws-bad-request", "upgrade with method " + req.method());
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (!settings.origins().allows(origin)) {
            reject(ctx, HttpResponseStatus.FORBIDDEN, "ws-forbidden-origin",
                    "origin '" + origin + "' is not in allowed-origins");
            return;
        }
        // Per request: each upgrade is one relayed connection, judged by its own token's allow list.
        Optional<AuthenticatedClient> client = settings.token().enabled() ? settings.token().match(req.headers())
                : Optional.empty();
        if (settings.token().enabled() && client.isEmpty()) {
            FullHttpResponse r = response(ctx, HttpResponseStatus.UNAUTHORIZED, "missing or wrong token\n");
            if (settings.token().header().equalsIgnoreCase("Authorization")) {
                r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            }
            if (req.headers().contains(DestinationHeaders.DESTINATION)) {
                // node 1 answers its client "not allowed" (SOCKS 0x02, HTTP 403), not "unreachable"
                r.headers().set(DestinationHeaders.DIAL_FAILURE, DialFailure.NOT_ALLOWED.key());
            }
            send(ctx, r, "ws-unauthorized", "missing or wrong token in header " + settings.token().header());
            return;
        }
        if (settings.clients().required()) {
            // TLS verified the certificate against tls.ca; auth.clients says whose it is.
            client = settings.clients().match(peerCertificates(ctx));
            if (client.isEmpty()) {
                FullHttpResponse r = response(ctx, HttpResponseStatus.FORBIDDEN, "client certificate not listed\n");
                if (req.headers().contains(DestinationHeaders.DESTINATION)) {
                    r.headers().set(DestinationHeaders.DIAL_FAILURE, DialFailure.NOT_ALLOWED.key());
                }
                send(ctx, r, "ws-unknown-client", "client certificate not listed in auth.clients");
                return;
            }
        }
        if (!"13".equals(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "").trim())) {
            FullHttpResponse r = response(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "WebSocket version 13 required\n");
            r.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            send(ctx, r, "ws-bad-request", "unsupported WebSocket version " + req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION));
            return;
        }
        String key = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (!Handshakes.isValidKey(key)) {
            reject(ctx, HttpResponseStatus.BAD_REQUEST, "ws-bad-request", "missing or malformed Sec-WebSocket-Key");
            return;
        }
        boolean ours = !settings.subprotocol().isEmpty()
                && Handshakes.tokens(req.headers(), HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL).contains(settings.subprotocol());
        Optional<Destination> destination = Optional.empty();
        String named = req.headers().get(DestinationHeaders.DESTINATION);
        if (named != null) {
            if (!ours) {
                reject(ctx, HttpResponseStatus.BAD_REQUEST, "ws-bad-request",
                        "a destination needs the subprotocol " + settings.subprotocol());
                return;
            }
            try {
                destination = Optional.of(Destination.parse(named.trim()));
            } catch (IllegalArgumentException e) {
                reject(ctx, HttpResponseStatus.BAD_REQUEST, "ws-bad-request", "bad destination: " + e.getMessage());
                return;
            }
        }
        upgrade(ctx, key.trim(), ours, path, destination, client);
    }

    private void upgrade(ChannelHandlerContext ctx, String key, boolean ours, String path, Optional<Destination> destination,
                         Optional<AuthenticatedClient> client) {
        done = true;
        timeout.cancel(false);
        // No byte after the 101 may be read before the host's handler is in place.
        ctx.channel().config().setAutoRead(false);
        String description = "route " + route + ": " + transport + " " + ctx.channel().remoteAddress() + " " + path;
        WebSocketStreamHandler stream = new WebSocketStreamHandler(ours, settings.frames(), description);
        WebSocketByteStream byteStream = new WebSocketByteStream(ctx.channel(), stream, description, client);
        if (destination.isPresent()) {
            // The 101 waits for the host's dial: the client learns what the far end did.
            acceptor.accept(new DestinedWebSocketStream(byteStream, destination.get(),
                    () -> switchProtocols(ctx, key, ours, stream, description, destination),
                    failure -> refuseDestination(ctx, failure)));
            return;
        }
        io.netty.channel.ChannelFuture written = switchProtocols(ctx, key, ours, stream, description, destination);
        // Hand over once the 101 is on its way, after the compression extension (if any) has
        // placed its frame codecs.
        io.netty.channel.Channel ch = ctx.channel();
        written.addListener(f -> {
            if (f.isSuccess() && ch.isActive()) {
                acceptor.accept(byteStream);
            } else {
                ch.close();
            }
        });
    }

    /** The exit's dial failed: 403, 502 or 504, saying which failure, then close. */
    private void refuseDestination(ChannelHandlerContext ctx, DialFailure failure) {
        HttpResponseStatus status = DestinationHeaders.status(failure);
        FullHttpResponse r = response(ctx, status, "destination " + failure.key() + "\n");
        r.headers().set(DestinationHeaders.DIAL_FAILURE, failure.key());
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    /** Writes the 101 and swaps the HTTP codec for frames; returns the write of the 101. */
    private io.netty.channel.ChannelFuture switchProtocols(ChannelHandlerContext ctx, String key, boolean ours,
                                                          WebSocketStreamHandler stream, String description,
                                                          Optional<Destination> destination) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
                Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .set(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, Handshakes.accept(key));
        if (ours) {
            r.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, settings.subprotocol());
        }
        // The echo tells node 1 this listener understood the destination (DestinationHeaders).
        destination.ifPresent(d -> r.headers().set(DestinationHeaders.DESTINATION, d.toString()));

        // The response goes through the HTTP encoder now; then the pipeline speaks frames only.
        ChannelPipeline p = ctx.pipeline();
        io.netty.channel.ChannelFuture written = ctx.writeAndFlush(r);
        // Frame handling goes in before the codec swap: the swap passes on the bytes the HTTP
        // decoder read past the request (frames a client pipelined behind it), and they must find
        // the holder there, not this handler, which would drop them.
        p.replace(this, "ws-hold", new HoldUntilFirstRead());
        p.addAfter("ws-hold", "ws-keep-alive", new WebSocketKeepAlive(settings.frames(), rejections, description));
        p.addAfter("ws-keep-alive", "ws-stream", stream);
        p.replace(HttpServerCodec.class, "ws-decoder", settings.frames().newFrameDecoder(true));
        // The encoder sits before the decoder so the Close the decoder sends on a protocol violation
        // (1002, 1007, 1009) is encoded.
        p.addBefore("ws-decoder", "ws-encoder", new WebSocket13FrameEncoder(false));
        if (p.get(HttpObjectAggregator.class) != null) {
            p.remove(HttpObjectAggregator.class);
        }
        log.debug("{}: upgraded ({})", description, ours ? Subprotocol.NAME : "plain binary");
        return written;
    }

    private static java.security.cert.Certificate[] peerCertificates(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        try {
            return tls == null ? null : tls.engine().getSession().getPeerCertificates();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private void reject(ChannelHandlerContext ctx, HttpResponseStatus status, String reason, String detail) {
        send(ctx, response(ctx, status, status.reasonPhrase() + "\n"), reason, detail);
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse r, String reason, String detail) {
        done = true;
        rejections.record(reason, ctx.channel().remoteAddress(),
                "route " + route + ": " + transport + " listener answered " + r.status().code() + ": " + detail);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        ctx.writeAndFlush(response(ctx, status, body)).addListener(ChannelFutureListener.CLOSE);
    }

    private static FullHttpResponse response(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        ByteBuf content = ctx.alloc().buffer().writeBytes(body.getBytes(StandardCharsets.UTF_8));
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done) {
            done = true;
            Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            if (root instanceof SSLException || root instanceof NotSslRecordException) {
                rejections.record("tls-handshake", ctx.channel().remoteAddress(),
                        "route " + route + ": " + transport + " TLS handshake failed: " + root.getMessage());
            } else {
                log.debug("route {}: {} handshake with {} failed: {}", route, transport, ctx.channel().remoteAddress(), root.toString());
            }
        }
        ctx.close();
    }
}
