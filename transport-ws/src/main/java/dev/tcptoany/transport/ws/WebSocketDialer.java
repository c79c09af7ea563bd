package dev.tcptoany.transport.ws;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.Destination;
import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.DialRequest;
import dev.tcptoany.api.Dialer;
import dev.tcptoany.api.TlsEngine;
import dev.tcptoany.api.TlsIdentity;
import dev.tcptoany.api.TlsSettings;
import dev.tcptoany.api.TransportContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens one WebSocket connection per stream ({@code ws}, or {@code wss} with TLS), optionally
 * through an HTTP proxy with CONNECT, on the event loop of the stream that asked for it.
 *
 * <p>Pipeline while dialling: [HTTP CONNECT proxy] → [TLS] → HTTP codec → aggregator →
 * [permessage-deflate negotiation] → {@link ClientHandshakeHandler}. The proxy handler sits closest
 * to the socket, so TLS runs end to end through the tunnel.
 */
public final class WebSocketDialer implements Dialer {
    private static final Logger log = LoggerFactory.getLogger(WebSocketDialer.class);

    /** A 101 answer has no body; error pages are read only for their status line. */
    private static final int MAX_RESPONSE_BODY = 64 * 1024;

    private final TransportContext context;
    private final DialerSettings settings;
    private final SslContext sslContext;
    private final String serverName;

    WebSocketDialer(TransportContext context, boolean tls, Map<String, String> env) throws SSLException {
        this.context = context;
        if (!tls && tlsIsSet(context.config())) {
            throw ConfigProblems.badValue(context.config(), "tls", "tls { } applies to transport wss; this route dials plain ws");
        }
        this.settings = DialerSettings.fromConfig(context.config(), tls, env);
        if (tls) {
            TlsSettings ts = TlsSettings.fromConfig(context.config(), "tls");
            this.serverName = ts.serverName().orElse(settings.url().host());
            // The host's engine choice; either engine caches sessions per host and port (the
            // handler is made with both), so a reconnecting dialer resumes instead of a full handshake.
            SslContextBuilder b = SslContextBuilder.forClient().trustManager(context.tls().serverTrust(ts))
                    .sslProvider(context.tls().engine() == TlsEngine.OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK);
            Optional<TlsIdentity> id = context.tls().clientIdentity(ts);
            id.ifPresent(identity -> b.keyManager(identity.key(), identity.chainArray()));
            // Pins and insecure mode replace name checks (see TlsMaterials#serverTrust).
            boolean verifyName = ts.pinSha256().isEmpty() && !ts.insecure();
            b.endpointIdentificationAlgorithm(verifyName ? "HTTPS" : null);
            this.sslContext = b.build();
        } else {
            this.sslContext = null;
            this.serverName = null;
        }
    }

    @Override
    public boolean dialsClientDestination() {
        return settings.forwardDestination();
    }

    @Override
    public Future<ByteStream> dial(DialRequest request) {
        Promise<ByteStream> promise = request.eventLoop().newPromise();
        WebSocketUrl url = settings.url();
        Optional<ProxyChoice.HttpProxy> proxy = settings.proxy().forTarget(url.host(), url.port());
        String target = url + proxy.map(p -> " via proxy " + p).orElse("");
        String description = "route " + context.routeName() + ": " + context.transportName() + " " + target;
        Duration deadline = settings.handshakeTimeout().compareTo(request.connectTimeout()) < 0
                ? settings.handshakeTimeout() : request.connectTimeout();
        ScheduledFuture<?> timer = request.eventLoop().schedule(() -> promise.tryFailure(
                        new WebSocketDialException(description + ": no WebSocket connection within " + deadline)),
                deadline.toNanos(), TimeUnit.NANOSECONDS);
        promise.addListener(f -> {
            timer.cancel(false);
            if (!f.isSuccess() && !f.isCancelled()) {
                // The host logs the failure with the route and client; this is the detail.
                log.debug("{}", f.cause().getMessage());
            }
        });
        Optional<Destination> destination = settings.forwardDestination() ? request.destination() : Optional.empty();

        if (proxy.isEmpty()) {
            // Bootstrap resolves the host with the host's resolver on this loop, then connects.
            Bootstrap b = bootstrap(request, deadline, Optional.empty(), promise, description, destination)
                    .resolver(context.addressResolvers());
            connect(b, InetSocketAddress.createUnresolved(url.host(), url.port()), promise, description);
            return promise;
        }
        // The proxy handler connects to the proxy's address, so that is resolved first (without
        // blocking the loop); the target is the proxy's to resolve: we must not try to (it may be
        // an internal name).
        context.addressResolvers().getResolver(request.eventLoop()).resolve(proxy.get().unresolved())
                .addListener(resolved -> {
                    if (!resolved.isSuccess()) {
                        promise.tryFailure(new WebSocketDialException(description + ": HTTP proxy: "
                                + resolved.cause().getMessage()));
                        return;
                    }
                    if (promise.isDone()) {
                        return; // cancelled or timed out meanwhile
                    }
                    Bootstrap b = bootstrap(request, deadline,
                            Optional.of(new ProxyAt(proxy.get(), (InetSocketAddress) resolved.getNow())), promise,
                            description, destination).resolver(NoopAddressResolverGroup.INSTANCE);
                    connect(b, InetSocketAddress.createUnresolved(url.host(), url.port()), promise, description);
                });
        return promise;
    }

    /** An HTTP proxy and the address its host name resolved to. */
    private record ProxyAt(ProxyChoice.HttpProxy proxy, InetSocketAddress address) {
    }

    private Bootstrap bootstrap(DialRequest request, Duration deadline, Optional<ProxyAt> proxy,
                                Promise<ByteStream> promise, String description, Optional<Destination> destination) {
        return settings.buffers().applyTo(new Bootstrap())
                .group(request.eventLoop())
                .channel(context.network().socketChannelClass())
                .option(ChannelOption.ALLOCATOR, context.allocator())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, Math.max(1, deadline.toMillis())))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        initConnection(ch, proxy, promise, description, destination);
                    }
                });
    }

    private static void connect(Bootstrap b, InetSocketAddress target, Promise<ByteStream> promise,
                                String description) {
        ChannelFuture connect = b.connect(target);
        Channel ch = connect.channel();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                // A resolution failure already says "cannot resolve 'host': why".
                String what = cause instanceof UnknownHostException ? "" : "cannot connect: ";
                promise.tryFailure(new WebSocketDialException(description + ": " + what + cause.getMessage()));
            }
        });
        // Cancelled by the host, timed out, or failed: the connection goes.
        promise.addListener(f -> {
            if (!f.isSuccess()) {
                ch.close();
            }
        });
    }

    private void initConnection(Channel ch, Optional<ProxyAt> proxy, Promise<ByteStream> promise,
                                String description, Optional<Destination> destination) {
        ChannelPipeline p = ch.pipeline();
        proxy.ifPresent(at -> {
            ProxyChoice.HttpProxy px = at.proxy();
            HttpProxyHandler h = px.user() == null
                    ? new HttpProxyHandler(at.address())
                    : new HttpProxyHandler(at.address(), px.user(), px.password());
            // Our own deadline covers the whole dial.
            h.setConnectTimeoutMillis(0);
            p.addLast("proxy", h);
        });
        if (sslContext != null) {
            SslHandler tls = sslContext.newHandler(ch.alloc(), serverName, settings.url().port());
            tls.setHandshakeTimeoutMillis(0);
            p.addLast("tls", tls);
        }
        p.addLast("http", new HttpClientCodec(4096, settings.maxHeaderSize(), 8192));
        p.addLast("http-aggregator", new HttpObjectAggregator(MAX_RESPONSE_BODY));
        if (settings.frames().compression()) {
            // Bounds what one compressed message may inflate to, as max-frame-size bounds a frame.
            p.addLast("ws-compression", new WebSocketClientCompressionHandler(settings.frames().maxFrameSize()));
        }
        p.addLast("ws-handshake", new ClientHandshakeHandler(settings, promise, context.rejections(), description, destination));
    }

    @Override
    public Future<?> close() {
        // Connections belong to their streams; the host closes those.
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
    }

    /** Whether the user set anything under tls { }: reference.conf declares its keys as null. */
    private static boolean tlsIsSet(com.typesafe.config.Config c) {
        return c.hasPath("tls") && !c.getConfig("tls").entrySet().isEmpty();
    }
}
