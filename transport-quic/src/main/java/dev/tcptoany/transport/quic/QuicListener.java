package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.DialFailure;
import dev.tcptoany.api.policy.AuthenticatedClient;
import dev.tcptoany.api.Listener;
import dev.tcptoany.api.PeerRejections;
import dev.tcptoany.api.StreamAcceptor;
import dev.tcptoany.api.TransportContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.codec.quic.QuicCodecDispatcher;
import io.netty.handler.codec.quic.QuicConnectionIdGenerator;
import io.netty.handler.codec.quic.QuicTokenHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts QUIC connections on one UDP socket per bound address and hands every bidirectional
 * stream to the host as one TCP connection's worth of bytes.
 *
 * <p>Under ALPN {@value Alpn#TCP_TO_ANY_V1} a stream is handed over once its {@link StreamHeader}
 * arrived, which the dialer sends at once, so node 2 dials its target before the client says
 * anything. Under {@value Alpn#ORIGINAL} (the original Go tool) a stream carries raw bytes and is
 * handed over when its first byte arrives.
 */
public final class QuicListener implements Listener {
    static final Logger LOG = LoggerFactory.getLogger(QuicListener.class);
    private static final long CLOSE_GRACE_MILLIS = 2_000;

    private final TransportContext context;
    private final QuicListenerSettings settings;
    private final QuicTlsContexts.Server tls;
    private final List<DatagramChannel> sockets = new ArrayList<>();
    private final Set<QuicChannel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final QuicConnectionStatistics statistics;
    /** One token key per listener: every socket of it must accept the others' tokens. */
    private final QuicTokenHandler tokens;
    private final int socketsPerAddress;
    private volatile StreamAcceptor acceptor;
    private volatile boolean accepting = true;
    private volatile boolean closed;

    QuicListener(TransportContext context, QuicListenerSettings settings) {
        this.context = context;
        this.settings = settings;
        this.statistics = new QuicConnectionStatistics("quic listener of route " + context.routeName());
        context.publishMetrics(statistics.metrics());
        // Built once: the key is loaded or generated here, never per connection.
        this.tls = QuicTlsContexts.forListener(context.tls(), settings);
        this.tokens = settings.retryTokens() ? new RetryTokenHandler() : RetryTokenHandler.disabled();
        int sockets = settings.sockets();
        if (sockets > 1 && !context.network().isEpoll()) {
            LOG.warn("quic route {}: sockets = {} needs epoll (SO_REUSEPORT); using 1 socket on {}",
                    context.routeName(), sockets, context.network().kind());
            sockets = 1;
        }
        this.socketsPerAddress = sockets;
    }

    String routeName() {
        return context.routeName();
    }

    PeerRejections rejections() {
        return context.rejections();
    }

    QuicConnectionStatistics statistics() {
        return statistics;
    }

    /** The SHA-256 fingerprint of the certificate this listener presents (what dialers pin). */
    public String certificateFingerprint() {
        return tls.identity().sha256Fingerprint();
    }

    @Override
    public Future<List<SocketAddress>> start(StreamAcceptor acceptor) {
        this.acceptor = acceptor;
        Promise<List<SocketAddress>> result = GlobalEventExecutor.INSTANCE.newPromise();
        List<InetSocketAddress> addresses;
        try {
            addresses = settings.address().resolveAll();
        } catch (Exception e) {
            return result.setFailure(new IllegalStateException("quic listener for route " + context.routeName()
                    + ": cannot resolve " + settings.address() + ": " + e.getMessage(), e));
        }
        bindNext(addresses, 0, new ArrayList<>(), result);
        return result;
    }

    private void bindNext(List<InetSocketAddress> addresses, int i, List<SocketAddress> bound,
                          Promise<List<SocketAddress>> result) {
        if (i == addresses.size()) {
            LOG.info("quic route {}: listening on {} (ALPN {}, {} socket(s) per address), certificate SHA-256 {}",
                    context.routeName(), bound, settings.alpn(), socketsPerAddress, tls.identity().sha256Fingerprint());
            result.setSuccess(List.copyOf(bound));
            return;
        }
        InetSocketAddress address = addresses.get(i);
        boolean loopback = address.getAddress().isLoopbackAddress();
        // With several sockets on one port (SO_REUSEPORT), the kernel spreads datagrams by address
        // hash; the dispatcher sends each packet to the socket whose codec owns its connection ID.
        ChannelHandler dispatcher = socketsPerAddress == 1 ? null : new QuicCodecDispatcher() {
            @Override
            protected void initChannel(Channel ch, int localConnectionIdLength, QuicConnectionIdGenerator ids) {
                ch.pipeline().addLast(new DatagramBatchEnd(), serverCodec(loopback, localConnectionIdLength, ids));
            }
        };
        bindSocket(address, loopback, dispatcher, 0, result, bound, () -> bindNext(addresses, i + 1, bound, result));
    }

    private void bindSocket(InetSocketAddress address, boolean loopback, ChannelHandler dispatcher, int n,
                            Promise<List<SocketAddress>> result, List<SocketAddress> bound, Runnable next) {
        Bootstrap b = UdpSockets.bootstrap(context.network().workerGroup(), context.network(), context.allocator(),
                        settings.tuning())
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramSanityFilter(context.rejections(),
                                "quic route " + context.routeName(), statistics.datagramsDropped()));
                        if (dispatcher != null) {
                            ch.pipeline().addLast(dispatcher);
                        } else {
                            ch.pipeline().addLast(new DatagramBatchEnd(), serverCodec(loopback, -1, null));
                        }
                    }
                });
        if (dispatcher != null) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        b.bind(address).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                closeSockets();
                result.tryFailure(new IllegalStateException("quic listener for route " + context.routeName()
                        + ": cannot bind UDP " + address + ": " + f.cause().getMessage(), f.cause()));
                return;
            }
            DatagramChannel ch = (DatagramChannel) f.channel();
            synchronized (sockets) {
                sockets.add(ch);
            }
            if (n == 0) {
                UdpSockets.warnIfClamped(ch, settings.tuning(), "quic route " + context.routeName());
                bound.add(ch.localAddress());
            }
            if (n + 1 < socketsPerAddress) {
                // The others join the port the first one got (which matters when 0 was asked).
                bindSocket(ch.localAddress(), loopback, dispatcher, n + 1, result, bound, next);
            } else {
                next.run();
            }
        });
    }

    /**
     * @param connectionIdLength with a dispatcher, the length it expects (it encodes the socket's
     *                           index in the IDs); -1 otherwise
     * @param ids                with a dispatcher, its ID generator; null otherwise
     */
    private ChannelHandler serverCodec(boolean loopback, int connectionIdLength, QuicConnectionIdGenerator ids) {
        QuicServerCodecBuilder b = new QuicServerCodecBuilder()
                .sslContext(tls.context())
                .maxIdleTimeout(settings.idleTimeoutMillis(), TimeUnit.MILLISECONDS)
                .initialMaxStreamsBidirectional(settings.maxStreamsPerConnection())
                .activeMigration(settings.activeMigration())
                // Lets our dialers ping with a tiny datagram: QUIC in Netty has no other way to send
                // an ack-eliciting packet on an idle connection.
                .datagram(16, 16)
                .tokenHandler(tokens)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        ch.pipeline().addLast(new ListenerConnectionHandler(QuicListener.this));
                    }
                })
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        String alpn = stream.parent().sslEngine().getApplicationProtocol();
                        boolean original = Alpn.isOriginal(alpn);
                        StreamWriteGate gate = new StreamWriteGate();
                        stream.pipeline().addLast(new StreamReadCompleteBatcher(), gate, new InboundStreamOpener(!original,
                                (st, header) -> handOver(st, gate, original, header)));
                    }
                });
        QuicChannelOptions.forPeer(settings.tuning(), context.network().isEpoll(), loopback).applyTo(b);
        if (ids != null) {
            b.localConnectionIdLength(connectionIdLength).connectionIdAddressGenerator(ids);
        }
        return settings.tuning().applyTo(b, loopback).build();
    }

    /** Admits a new connection, or says why not. */
    String admit(QuicChannel ch) {
        if (!accepting) {
            return "listener is shutting down";
        }
        if (connectionCount.incrementAndGet() > settings.maxConnections()) {
            connectionCount.decrementAndGet();
            return "listener is at its limit of " + settings.maxConnections() + " connections (max-connections)";
        }
        connections.add(ch);
        ch.closeFuture().addListener(f -> {
            connections.remove(ch);
            connectionCount.decrementAndGet();
        });
        return null;
    }

    private void handOver(QuicStreamChannel stream, StreamWriteGate gate, boolean original, StreamHeader.Parsed header) {
        if (!accepting) {
            stream.shutdown(QuicErrorCodes.STREAM_REFUSED).addListener(f -> stream.close());
            return;
        }
        Optional<AuthenticatedClient> client = Optional.empty();
        if (settings.tokens().required()) {
            // Per stream, not per connection: streams of one connection may carry different tokens.
            client = settings.tokens().match(header.token().orElse(null));
            if (client.isEmpty()) {
                refuseUnauthorized(stream, gate, header, "quic-unauthorized", header.token().isEmpty()
                        ? "its stream header carries no token (dial { token = ... })"
                        : "its token is not one this listener accepts (auth.token / auth.tokens)");
                return;
            }
        }
        if (settings.clients().required()) {
            // TLS verified the certificate against tls.ca; auth.clients says whose it is.
            client = settings.clients().match(peerCertificates(stream));
            if (client.isEmpty()) {
                refuseUnauthorized(stream, gate, header, "quic-unknown-client",
                        "its certificate is not listed in auth.clients");
                return;
            }
        }
        ByteStream byteStream = new QuicByteStream(stream, gate, !original, header.destination(), client);
        statistics.streamOpened(stream);
        acceptor.accept(byteStream);
    }

    /**
     * A stream without a token or certificate this listener knows: counted and logged as a rejected peer; a stream
     * that named a destination gets the answer "not allowed" (node 1's client then hears it, e.g.
     * SOCKS reply 0x02), any other is reset.
     */
    private void refuseUnauthorized(QuicStreamChannel stream, StreamWriteGate gate, StreamHeader.Parsed header,
                                    String reason, String why) {
        context.rejections().record(reason, stream.parent().remoteSocketAddress(), "route "
                + context.routeName() + ": quic stream " + stream.streamId() + " refused: " + why
                + header.destination().map(d -> " (asked for " + d + ")").orElse(""));
        if (header.destination().isPresent()) {
            new QuicByteStream(stream, gate, true, header.destination(), Optional.empty())
                    .upstreamFailed(DialFailure.NOT_ALLOWED, why);
        } else {
            stream.shutdown(QuicErrorCodes.STREAM_UNAUTHORIZED).addListener(f -> stream.close());
        }
    }

    private static java.security.cert.Certificate[] peerCertificates(QuicStreamChannel stream) {
        try {
            return stream.parent().sslEngine().getSession().getPeerCertificates();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** Open QUIC connections (approximate; for tests and metrics). */
    public int openConnections() {
        return connectionCount.get();
    }

    /** What quiche knows about each open connection's path (for tests; the metrics API comes later). */
    Future<List<QuicPathStatistics>> pathStatistics() {
        return statistics.snapshot();
    }

    /**
     * Test support: drops the UDP sockets without telling peers, as a crashed process would, so
     * peers must notice by themselves.
     */
    Future<Void> closeWithoutNotice() {
        closed = true;
        accepting = false;
        return closeSockets();
    }

    @Override
    public Future<?> stopAccepting() {
        accepting = false;
        return GlobalEventExecutor.INSTANCE.newSucceededFuture(null);
    }

    @Override
    public Future<?> close() {
        Promise<Void> done = GlobalEventExecutor.INSTANCE.newPromise();
        if (closed) {
            return done.setSuccess(null);
        }
        closed = true;
        accepting = false;
        // Application close first, so peers learn at once instead of after their idle timeout;
        // the UDP sockets close once those packets are out.
        List<Future<?>> closes = new ArrayList<>();
        for (QuicChannel ch : List.copyOf(connections)) {
            closes.add(ch.close(true, QuicErrorCodes.NO_ERROR, ListenerConnectionHandler.reason("listener closed")));
        }
        Promise<Void> connectionsClosed = GlobalEventExecutor.INSTANCE.newPromise();
        AllDone.of(closes).addListener(f -> connectionsClosed.trySuccess(null));
        GlobalEventExecutor.INSTANCE.schedule(() -> connectionsClosed.trySuccess(null), CLOSE_GRACE_MILLIS,
                TimeUnit.MILLISECONDS);
        connectionsClosed.addListener(f -> closeSockets().addListener(g -> done.trySuccess(null)));
        return done;
    }

    private Future<Void> closeSockets() {
        List<Future<?>> closes = new ArrayList<>();
        synchronized (sockets) {
            for (Channel ch : sockets) {
                closes.add(ch.close());
            }
            sockets.clear();
        }
        return AllDone.of(closes);
    }
}
