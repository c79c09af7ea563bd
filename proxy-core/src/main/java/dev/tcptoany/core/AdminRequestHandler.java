package dev.tcptoany.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /metrics}, {@code /health}, {@code /ready} and {@code /routes}. A scrape runs on
 * the endpoint's own thread, not on the event loop: transports may need a hop to their loops to
 * read their values (QUIC asks each connection's loop), and waiting for that on a loop could
 * wait for itself.
 */
final class AdminRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminRequestHandler.class);
    private static final ExpositionFormats FORMATS = ExpositionFormats.init();

    /** What the endpoint reports; the proxy supplies it. */
    interface Endpoints {
        PrometheusRegistry registry();

        /** Null when every route is bound and the proxy is not draining; else why not, one line. */
        String notReadyBecause();

        /** The JSON document of {@code /routes}. */
        String routesJson();
    }

    private final Endpoints endpoints;
    private final java.util.concurrent.Executor scrapes;

    AdminRequestHandler(Endpoints endpoints, java.util.concurrent.Executor scrapes) {
        this.endpoints = endpoints;
        this.scrapes = scrapes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            send(ctx, request, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8", text("bad request\n"));
            return;
        }
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse r = response(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                    text("only GET and HEAD\n"));
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            write(ctx, request, r);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        switch (path) {
            case "/metrics" -> metrics(ctx, request);
            case "/health" -> send(ctx, request, HttpResponseStatus.OK, "text/plain; charset=utf-8", text("ok\n"));
            case "/ready" -> {
                String why = endpoints.notReadyBecause();
                if (why == null) {
                    send(ctx, request, HttpResponseStatus.OK, "text/plain; charset=utf-8", text("ready\n"));
                } else {
                    send(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                            text("not ready: " + why + "\n"));
                }
            }
            case "/routes" -> send(ctx, request, HttpResponseStatus.OK, "application/json",
                    text(endpoints.routesJson() + "\n"));
            default -> send(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                    text("not found; try /metrics, /health, /ready or /routes\n"));
        }
    }

    /** Prometheus text by default; OpenMetrics when the scraper's Accept asks for it. */
    private void metrics(ChannelHandlerContext ctx, FullHttpRequest request) {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
        ExpositionFormatWriter writer = accept.contains("application/openmetrics-text")
                ? FORMATS.getOpenMetricsTextFormatWriter() : FORMATS.getPrometheusTextFormatWriter();
        // The request is released when this method returns: keep what the answer needs.
        FullHttpRequest head = new io.netty.handler.codec.http.DefaultFullHttpRequest(request.protocolVersion(),
                request.method(), request.uri(), io.netty.buffer.Unpooled.EMPTY_BUFFER, request.headers().copy(),
                io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
        scrapes.execute(() -> {
            ByteBuf body = ctx.alloc().buffer();
            try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
                writer.write(out, endpoints.registry().scrape());
            } catch (IOException | RuntimeException e) {
                body.release();
                log.warn("admin endpoint: /metrics failed: {}", e.toString());
                send(ctx, head, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                        text("metrics failed: " + e + "\n"));
                return;
            }
            send(ctx, head, HttpResponseStatus.OK, writer.getContentType(), body);
        });
    }

    private static ByteBuf text(String s) {
        return io.netty.buffer.Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private static FullHttpResponse response(ChannelHandlerContext ctx, HttpResponseStatus status, String type, ByteBuf body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        HttpUtil.setContentLength(r, body.readableBytes());
        return r;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String type,
                             ByteBuf body) {
        write(ctx, request, response(ctx, status, type, body));
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        if (request.method().equals(HttpMethod.HEAD)) {
            // HEAD: the headers of the GET (Content-Length included), no body.
            response.content().clear();
        }
        HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
        var f = ctx.writeAndFlush(response);
        if (!HttpUtil.isKeepAlive(request)) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin endpoint: {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
