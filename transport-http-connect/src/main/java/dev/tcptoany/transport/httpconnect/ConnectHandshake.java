package dev.tcptoany.transport.httpconnect;

import dev.tcptoany.api.Destination;
import dev.tcptoany.api.HoldUntilFirstRead;
import dev.tcptoany.api.PeerRejections;
import dev.tcptoany.api.StreamAcceptor;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads one HTTP request head on an accepted socket (auto-read off, one read at a time). A
 * {@code CONNECT host:port} with acceptable credentials hands the socket to the host with that
 * destination, the decoder and this handler leave the pipeline, and the answer waits for the
 * host's dial ({@link ConnectByteStream}). Anything else is answered and closed: 405 for plain
 * HTTP, 407 without the right {@code Proxy-Authorization}, 400 for a malformed request.
 *
 * <p>The decoder is removed as soon as the request head arrives, so bytes a client sent behind
 * its CONNECT are never parsed as HTTP: they come back here and go to a holder for the host.
 */
final class ConnectHandshake extends ChannelInboundHandlerAdapter {
    private static final String DECODER = "http-connect-decoder";

    private final HttpConnectOptions options;
    private final PeerRejections rejections;
    private final StreamAcceptor acceptor;
    private boolean done;
    private boolean closing;
    private ScheduledFuture<?> timeout;

    private ConnectHandshake(HttpConnectOptions options, PeerRejections rejections, StreamAcceptor acceptor) {
        this.options = options;
        this.rejections = rejections;
        this.acceptor = acceptor;
    }

    static void install(Channel ch, HttpConnectOptions options, PeerRejections rejections, StreamAcceptor acceptor) {
        ch.pipeline().addLast(DECODER, new HttpRequestDecoder());
        ch.pipeline().addLast("http-connect-handshake", new ConnectHandshake(options, rejections, acceptor));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> {
            if (!done && !closing) {
                refuse(ctx, "http-connect-timeout", "no request within " + options.handshakeTimeout(), null);
            }
        }, options.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done && msg instanceof ByteBuf) {
            ctx.fireChannelRead(msg); // tunnel bytes behind the CONNECT: to the holder
            return;
        }
        try {
            if (done || closing || !(msg instanceof HttpRequest request)) {
                return; // the request's (empty) last content, or anything after a refusal
            }
            if (request.decoderResult().isFailure()) {
                refuse(ctx, "http-connect-bad-request", "malformed request: " + request.decoderResult().cause().getMessage(),
                        ConnectResponses.badRequest(ctx.alloc(), "malformed request"));
            } else if (!HttpMethod.CONNECT.equals(request.method())) {
                refuse(ctx, "http-connect-not-connect", request.method() + " " + request.uri(),
                        ConnectResponses.methodNotAllowed(ctx.alloc(), request.method().name()));
            } else if (options.credentials().isPresent()
                    && !options.credentials().get().matches(request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION))) {
                refuse(ctx, "http-connect-auth", request.headers().contains(HttpHeaderNames.PROXY_AUTHORIZATION)
                        ? "wrong proxy credentials" : "no proxy credentials", ConnectResponses.authenticationRequired(ctx.alloc()));
            } else {
                Destination destination;
                try {
                    destination = Destination.parse(request.uri());
                } catch (IllegalArgumentException e) {
                    refuse(ctx, "http-connect-bad-request", e.getMessage(), ConnectResponses.badRequest(ctx.alloc(),
                            "CONNECT needs host:port: " + e.getMessage()));
                    return;
                }
                handOver(ctx, destination);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void handOver(ChannelHandlerContext ctx, Destination destination) {
        done = true;
        timeout.cancel(false);
        ctx.pipeline().addAfter(ctx.name(), "http-connect-hold", new HoldUntilFirstRead());
        ctx.pipeline().remove(DECODER); // its undecoded rest comes back here, then goes to the holder
        ctx.pipeline().remove(this);
        acceptor.accept(new ConnectByteStream(ctx.channel(), destination));
    }

    private void refuse(ChannelHandlerContext ctx, String reason, String detail, ByteBuf answer) {
        closing = true;
        rejections.record(reason, ctx.channel().remoteAddress(), detail);
        if (answer != null) {
            ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (done) {
            ctx.fireChannelReadComplete();
        } else if (!closing) {
            ctx.read(); // the rest of the request head
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (done) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        closing = true;
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
