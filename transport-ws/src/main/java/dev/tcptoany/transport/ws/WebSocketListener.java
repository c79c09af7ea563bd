package dev.tcptoany.transport.ws;

import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.Listener;
import dev.tcptoany.api.StreamAcceptor;
import dev.tcptoany.api.TlsEngine;
import dev.tcptoany.api.TlsIdentity;
import dev.tcptoany.api.TlsSettings;
import dev.tcptoany.api.TransportContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts WebSocket connections ({@code ws}) or WebSocket inside TLS ({@code wss}) on every
 * address {@code address} resolves to, and hands each upgraded connection to the host.
 *
 * <p>Pipeline of an accepted connection until the upgrade: [TLS] → HTTP codec (header size
 * bounded) → aggregator (small: upgrades carry no body) → [permessage-deflate negotiation] →
 * {@link ServerHandshakeHandler}. After it: [TLS] → frame decoder/encoder → [deflate] →
 * {@link WebSocketStreamHandler} → the host's relay.
 */
public final class WebSocketListener implements Listener {
    private static final Logger log = LoggerFactory.getLogger(WebSocketListener.class);

    /** Requests that are not upgrades carry at most this much body; they are answered and closed anyway. */
    private static final int MAX_REQUEST_BODY = 8192;

    private final TransportContext context;
    private final ListenerSettings settings;
    private final SslContext sslContext;
    private final ChannelGroup servers = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final HandshakeRejections handshakeRejections;

    WebSocketListener(TransportContext context, boolean tls) throws SSLException {
        this.context = context;
        this.handshakeRejections = new HandshakeRejections(context.rejections());
        if (!tls && tlsIsSet(context.config())) {
            throw ConfigProblems.badValue(context.config(), "tls", "tls { } applies to transport wss; this route listens on plain ws");
        }
        this.settings = ListenerSettings.fromConfig(context.config());
        this.sslContext = tls ? serverSslContext(context) : null;
        context.publishMetrics(handshakeRejections.metrics());
    }

    private static SslContext serverSslContext(TransportContext context) throws SSLException {
        TlsSettings tls = TlsSettings.fromConfig(context.config(), "tls");
        TlsIdentity identity = context.tls().serverIdentity(tls, "wss");
        SslContextBuilder b = SslContextBuilder.forServer(identity.key(), identity.chainArray())
                .sslProvider(context.tls().engine() == TlsEngine.OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK);
        var clientTrust = context.tls().clientTrust(tls);
        if (clientTrust.isPresent()) {
            b.trustManager(clientTrust.get());
            b.clientAuth(tls.clientAuth() == TlsSettings.ClientAuth.REQUIRE ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        }
        log.info("route {}: wss listener certificate SHA-256 {}{}", context.routeName(), identity.sha256Fingerprint(),
                identity.generated() ? " (generated, self-signed)" : "");
        return b.build();
    }

    @Override
    public Future<List<SocketAddress>> start(StreamAcceptor acceptor) {
        Promise<List<SocketAddress>> result = ImmediateEventExecutor.INSTANCE.newPromise();
        List<java.net.InetSocketAddress> addresses;
        try {
            addresses = settings.address().resolveAll();
        } catch (Exception e) {
            return result.setFailure(new IllegalStateException("cannot resolve " + settings.address() + ": " + e.getMessage(), e));
        }
        ServerBootstrap b = settings.buffers().applyTo(new ServerBootstrap())
                .group(context.network().acceptorGroup(), context.network().workerGroup())
                .channel(context.network().serverSocketChannelClass())
                .option(ChannelOption.ALLOCATOR, context.allocator())
                .childOption(ChannelOption.ALLOCATOR, context.allocator())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        initConnection(ch, acceptor);
                    }
                });
        List<ChannelFuture> binds = new ArrayList<>();
        for (var address : addresses) {
            binds.add(b.bind(address));
        }
        // Bind futures complete on different loops: count them with an atomic, not a PromiseCombiner.
        AtomicInteger pending = new AtomicInteger(binds.size());
        for (ChannelFuture bind : binds) {
            bind.addListener(f -> {
                if (pending.decrementAndGet() == 0) {
                    bindsDone(addresses, binds, result);
                }
            });
        }
        return result;
    }

    private void bindsDone(List<java.net.InetSocketAddress> addresses, List<ChannelFuture> binds,
                           Promise<List<SocketAddress>> result) {
        List<SocketAddress> local = new ArrayList<>();
        for (int i = 0; i < binds.size(); i++) {
            ChannelFuture bf = binds.get(i);
            if (!bf.isSuccess()) {
                binds.forEach(x -> x.channel().close());
                result.tryFailure(new IllegalStateException("route " + context.routeName() + ": cannot bind "
                        + context.transportName() + " listener to " + addresses.get(i) + ": " + bf.cause().getMessage(), bf.cause()));
                return;
            }
            servers.add(bf.channel());
            local.add(bf.channel().localAddress());
        }
        log.info("route {}: {} listener on {}{}", context.routeName(), context.transportName(), local,
                settings.path().isEmpty() ? "" : " path " + settings.path());
        result.trySuccess(local);
    }

    private void initConnection(Channel ch, StreamAcceptor acceptor) {
        ChannelPipeline p = ch.pipeline();
        if (sslContext != null) {
            p.addLast("tls", sslContext.newHandler(ch.alloc()));
        }
        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(Math.min(settings.maxHeaderSize(), 8192))
                .setMaxHeaderSize(settings.maxHeaderSize())));
        p.addLast("http-aggregator", new HttpObjectAggregator(MAX_REQUEST_BODY));
        if (settings.frames().compression()) {
            // Bounds what one compressed message may inflate to, as max-frame-size bounds a frame.
            p.addLast("ws-compression", new WebSocketServerCompressionHandler(settings.frames().maxFrameSize()));
        }
        p.addLast("ws-handshake", new ServerHandshakeHandler(context.routeName(), context.transportName(), settings,
                acceptor, handshakeRejections));
    }

    @Override
    public Future<?> stopAccepting() {
        return servers.close();
    }

    @Override
    public Future<?> close() {
        if (!closed.compareAndSet(false, true)) {
            return connections.newCloseFuture();
        }
        Promise<Void> done = ImmediateEventExecutor.INSTANCE.newPromise();
        AtomicInteger pending = new AtomicInteger(2);
        io.netty.util.concurrent.GenericFutureListener<Future<Void>> one = f -> {
            if (pending.decrementAndGet() == 0) {
                done.trySuccess(null);
            }
        };
        servers.close().addListener(one);
        connections.close().addListener(one);
        return done;
    }

    /** Whether the user set anything under tls { }: reference.conf declares its keys as null. */
    private static boolean tlsIsSet(com.typesafe.config.Config c) {
        return c.hasPath("tls") && !c.getConfig("tls").entrySet().isEmpty();
    }
}
