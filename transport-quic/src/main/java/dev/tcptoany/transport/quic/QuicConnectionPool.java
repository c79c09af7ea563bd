package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.TransportContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.quic.EpollQuicUtils;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicChannelBootstrap;
import io.netty.handler.codec.quic.QuicChannelOption;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QUIC connections of one dialer to its upstream, and the streams opened on them.
 *
 * <p>{@code connections} slots, each its own UDP socket on its own event loop (a QUIC connection is
 * served by one thread, so slots are how a node uses more cores). Dials are spread over the slots
 * round-robin. In a slot, a stream goes to an open connection with stream credit left; when there is
 * none (not connected yet, lost, or at the peer's stream limit) the slot opens another connection
 * and the dial waits for it. Nothing is refused for lack of credit, and the wait is bounded by the
 * host's connect timeout, which cancels the dial.
 *
 * <p>When the peer picks ALPN {@value Alpn#ORIGINAL} (the original tool, whose listener serves one
 * stream per connection), every dial gets a connection of its own, closed after its stream.
 *
 * <p>Liveness: a connection pings every {@code keep-alive}; one that has heard nothing for two
 * pings is no longer given new streams (a new connection is opened next to it), and quiche's idle
 * timeout closes it. A failed connection attempt delays the next by a backoff that doubles from
 * {@code reconnect-backoff-min} up to {@code reconnect-backoff-max}.
 *
 * <p>Thread model: each slot's state is touched only on the slot's event loop.
 */
final class QuicConnectionPool {
    static final Logger LOG = LoggerFactory.getLogger(QuicConnectionPool.class);
    /** Pings without an answer before a connection gets no new streams. */
    private static final int SUSPECT_AFTER_SILENT_PINGS = 2;
    private static final long CLOSE_GRACE_MILLIS = 2_000;

    private final TransportContext context;
    private final QuicDialerSettings settings;
    private final QuicSslContext ssl;
    private final String serverName;
    private final Slot[] slots;
    private final QuicConnectionStatistics statistics;
    private final AtomicInteger nextSlot = new AtomicInteger();
    private volatile boolean closed;

    QuicConnectionPool(TransportContext context, QuicDialerSettings settings, QuicSslContext ssl,
                       QuicConnectionStatistics statistics) {
        this.context = context;
        this.settings = settings;
        this.ssl = ssl;
        this.statistics = statistics;
        this.serverName = QuicTlsContexts.serverName(settings);
        this.slots = new Slot[settings.connections()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(i, context.network().workerGroup().next());
        }
    }

    /** Opens one stream; completes on the stream's event loop. */
    Future<ByteStream> openStream(String description) {
        Slot slot = slots[Math.floorMod(nextSlot.getAndIncrement(), slots.length)];
        Promise<ByteStream> promise = slot.loop.newPromise();
        if (closed) {
            return promise.setFailure(new IllegalStateException("quic dialer of route " + context.routeName()
                    + " is closed"));
        }
        slot.loop.execute(() -> slot.enqueue(promise));
        return promise;
    }

    /** Number of open QUIC connections, for tests and metrics. Reads cross-thread, approximately. */
    int openConnections() {
        int n = 0;
        for (Slot s : slots) {
            n += s.openCount;
        }
        return n;
    }

    Future<Void> close() {
        closed = true;
        List<Future<?>> done = new ArrayList<>();
        for (Slot s : slots) {
            Promise<Void> p = s.loop.newPromise();
            s.loop.execute(() -> s.close(p));
            done.add(p);
        }
        return AllDone.of(done);
    }

    private String upstream() {
        return "quic upstream " + settings.address() + " (route " + context.routeName() + ")";
    }

    /** One QUIC connection and what the pool knows about it. Slot-loop confined. */
    private static final class Connection {
        final QuicChannel channel;
        final DialerConnectionHandler handler;
        final boolean original;
        int streams;
        int creating;
        long lastRecvPackets = -1;
        int silentPings;
        ScheduledFuture<?> keepAlive;

        Connection(QuicChannel channel, DialerConnectionHandler handler, boolean original) {
            this.channel = channel;
            this.handler = handler;
            this.original = original;
        }

        boolean canTakeStream() {
            return !original && channel.isActive() && silentPings < SUSPECT_AFTER_SILENT_PINGS
                    && channel.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) - creating > 0;
        }
    }

    /** One UDP socket, its connections and the dials waiting for a connection. */
    private final class Slot {
        final int index;
        final EventLoop loop;
        final List<Connection> connections = new ArrayList<>();
        final ArrayDeque<Promise<ByteStream>> waiting = new ArrayDeque<>();
        volatile int openCount;
        Future<DatagramChannel> udp;
        int connecting;
        int consecutiveFailures;
        long nextAttemptNanos;
        ScheduledFuture<?> retryTimer;
        boolean peerIsOriginal;
        boolean slotClosed;

        Slot(int index, EventLoop loop) {
            this.index = index;
            this.loop = loop;
        }

        void enqueue(Promise<ByteStream> promise) {
            if (slotClosed) {
                promise.tryFailure(new IllegalStateException("quic dialer of route " + context.routeName() + " is closed"));
                return;
            }
            waiting.add(promise);
            serveWaiting();
        }

        /** Gives waiting dials a stream, opening connections as needed. */
        void serveWaiting() {
            dropCancelled();
            while (!waiting.isEmpty()) {
                Connection best = null;
                for (Connection c : connections) {
                    if (c.canTakeStream() && (best == null || c.streams + c.creating < best.streams + best.creating)) {
                        best = c;
                    }
                }
                if (best != null) {
                    openStreamOn(best, waiting.poll());
                    dropCancelled();
                    continue;
                }
                int wanted = peerIsOriginal ? waiting.size() : 1;
                if (connecting >= wanted) {
                    return;
                }
                long delay = nextAttemptNanos - System.nanoTime();
                if (delay > 0) {
                    if (retryTimer == null) {
                        retryTimer = loop.schedule(() -> {
                            retryTimer = null;
                            serveWaiting();
                        }, delay, TimeUnit.NANOSECONDS);
                    }
                    return;
                }
                connect();
            }
        }

        private void dropCancelled() {
            while (!waiting.isEmpty() && waiting.peek().isDone()) {
                waiting.poll();
            }
        }

        private Promise<ByteStream> pollWaiting() {
            dropCancelled();
            return waiting.poll();
        }

        private void connect() {
            connecting++;
            InetSocketAddress remote;
            try {
                remote = resolve();
            } catch (UnknownHostException e) {
                connecting--;
                connectFailed(e);
                return;
            }
            Future<DatagramChannel> socket = socket(remote);
            socket.addListener(f -> {
                if (!f.isSuccess()) {
                    connecting--;
                    udp = null;
                    connectFailed(f.cause());
                    return;
                }
                handshake((DatagramChannel) f.getNow(), remote);
            });
        }

        private InetSocketAddress resolve() throws UnknownHostException {
            InetSocketAddress a = new InetSocketAddress(settings.address().host(), settings.address().port());
            if (a.isUnresolved()) {
                throw new UnknownHostException("cannot resolve " + settings.address().host());
            }
            return a;
        }

        /** The slot's UDP socket, bound on first use (and again if it ever closed). */
        private Future<DatagramChannel> socket(InetSocketAddress remote) {
            if (udp != null && (!udp.isDone() || (udp.isSuccess() && udp.getNow().isActive()))) {
                return udp;
            }
            boolean loopback = remote.getAddress().isLoopbackAddress();
            ChannelHandler codec = settings.tuning().applyTo(new QuicClientCodecBuilder(), loopback)
                    .sslEngineProvider(q -> ssl.newEngine(q.alloc(), serverName, settings.address().port()))
                    .maxIdleTimeout(settings.idleTimeoutMillis(), TimeUnit.MILLISECONDS)
                    // The listener never opens streams toward us.
                    .initialMaxStreamsBidirectional(0)
                    .activeMigration(false)
                    .datagram(16, 16)
                    .build();
            Bootstrap b = UdpSockets.bootstrap(loop, context.network(), context.allocator(), settings.tuning())
                    .handler(codec);
            Promise<DatagramChannel> p = loop.newPromise();
            b.bind(new InetSocketAddress(0)).addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    DatagramChannel ch = (DatagramChannel) f.channel();
                    UdpSockets.warnIfClamped(ch, settings.tuning(), upstream());
                    p.setSuccess(ch);
                } else {
                    p.setFailure(f.cause());
                }
            });
            udp = p;
            return p;
        }

        private void handshake(DatagramChannel socket, InetSocketAddress remote) {
            DialerConnectionHandler handler = new DialerConnectionHandler();
            QuicChannelBootstrap b = QuicChannel.newBootstrap(socket)
                    .handler(handler)
                    .remoteAddress(remote)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.handshakeTimeoutMillis())
                    .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .streamOption(ChannelOption.AUTO_READ, false)
                    .streamOption(ChannelOption.RCVBUF_ALLOCATOR,
                            new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 64 * 1024));
            boolean loopback = remote.getAddress().isLoopbackAddress();
            if (settings.tuning().gsoFor(context.network().isEpoll(), loopback)) {
                b.option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, EpollQuicUtils.newSegmentedAllocator(10));
            }
            b.connect().addListener(f -> {
                connecting--;
                if (f.isSuccess()) {
                    connected((QuicChannel) f.getNow(), handler);
                } else {
                    connectFailed(f.cause());
                }
            });
        }

        private void connected(QuicChannel ch, DialerConnectionHandler handler) {
            consecutiveFailures = 0;
            nextAttemptNanos = 0;
            String alpn = ch.sslEngine().getApplicationProtocol();
            boolean original = Alpn.isOriginal(alpn);
            peerIsOriginal = original;
            if (slotClosed) {
                ch.close(true, QuicErrorCodes.NO_ERROR, ListenerConnectionHandler.reason("dialer closed"));
                return;
            }
            Connection c = new Connection(ch, handler, original);
            connections.add(c);
            openCount = connections.size();
            statistics.track(ch);
            LOG.debug("{}: connection {} established on slot {}, ALPN {}", upstream(), ch, index, alpn);
            ch.closeFuture().addListener(f -> lost(c));
            if (!original && settings.keepAliveMillis() > 0) {
                c.keepAlive = loop.scheduleAtFixedRate(() -> ping(c), settings.keepAliveMillis(),
                        settings.keepAliveMillis(), TimeUnit.MILLISECONDS);
            }
            handler.onStreamLimitChanged(() -> loop.execute(this::serveWaiting));
            // The codec completes the connect before it reads the peer's stream limit; serve the
            // waiting dials once it has.
            loop.execute(() -> {
                if (original) {
                    Promise<ByteStream> w = pollWaiting();
                    if (w == null) {
                        ch.close(true, QuicErrorCodes.NO_ERROR, ListenerConnectionHandler.reason("not needed"));
                    } else {
                        openStreamOn(c, w);
                    }
                }
                serveWaiting();
            });
        }

        private void connectFailed(Throwable cause) {
            consecutiveFailures++;
            long backoff = Math.min(settings.backoffMaxMillis(),
                    settings.backoffMinMillis() << Math.min(consecutiveFailures - 1, 20));
            nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
            String why = describe(cause);
            LOG.warn("{}: cannot connect: {}; next attempt in {} ms", upstream(), why, backoff);
            if (connecting == 0) {
                // Each waiting dial had its attempt: fail it now rather than at the host's deadline.
                Promise<ByteStream> w;
                while ((w = pollWaiting()) != null) {
                    w.tryFailure(new java.net.ConnectException(upstream() + ": " + why));
                }
            }
        }

        private void lost(Connection c) {
            connections.remove(c);
            openCount = connections.size();
            if (c.keepAlive != null) {
                c.keepAlive.cancel(false);
            }
            if (!slotClosed && !c.original) {
                String reason = c.channel.isTimedOut() ? "idle timeout (no answer within "
                        + settings.idleTimeoutMillis() + " ms)" : c.handler.closeReason();
                if (c.streams > 0) {
                    LOG.warn("{}: connection lost with {} open stream(s): {}", upstream(), c.streams, reason);
                } else {
                    LOG.info("{}: connection closed: {}", upstream(), reason);
                }
            }
            serveWaiting();
        }

        private void ping(Connection c) {
            QuicChannel ch = c.channel;
            if (!ch.isActive()) {
                return;
            }
            ch.writeAndFlush(ch.alloc().directBuffer(1).writeByte(0));
            ch.collectStats().addListener(f -> {
                if (!f.isSuccess()) {
                    return;
                }
                long recv = ((QuicConnectionStats) f.getNow()).recv();
                if (recv == c.lastRecvPackets) {
                    if (++c.silentPings == SUSPECT_AFTER_SILENT_PINGS) {
                        LOG.info("{}: connection {} has not answered {} pings; new streams go elsewhere", upstream(),
                                ch, SUSPECT_AFTER_SILENT_PINGS);
                        serveWaiting();
                    }
                } else {
                    c.lastRecvPackets = recv;
                    c.silentPings = 0;
                }
            });
        }

        private void openStreamOn(Connection c, Promise<ByteStream> waiter) {
            if (waiter == null) {
                return;
            }
            StreamWriteGate gate = new StreamWriteGate();
            c.creating++;
            c.channel.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
                @Override
                protected void initChannel(QuicStreamChannel stream) {
                    stream.pipeline().addLast(gate);
                }
            }).addListener(f -> {
                c.creating--;
                if (!f.isSuccess()) {
                    if (c.channel.isActive() && c.channel.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) == 0) {
                        // Lost a race for the last stream credit: try elsewhere.
                        waiting.addFirst(waiter);
                        serveWaiting();
                    } else {
                        waiter.tryFailure(new java.net.ConnectException(upstream() + ": cannot open a stream: "
                                + describe(f.cause())));
                    }
                    return;
                }
                QuicStreamChannel stream = (QuicStreamChannel) f.getNow();
                c.streams++;
                stream.closeFuture().addListener(x -> streamClosed(c));
                if (!c.original) {
                    // At once, so the listener learns of the stream before the client speaks.
                    stream.writeAndFlush(StreamHeader.encode(stream.alloc())).addListener(h -> {
                        if (!h.isSuccess()) {
                            LOG.debug("{}: stream header not sent: {}", upstream(), h.cause().toString());
                        }
                    });
                }
                QuicByteStream byteStream = new QuicByteStream(stream, gate, !c.original);
                if (!waiter.trySuccess(byteStream)) {
                    byteStream.abort("dial cancelled");
                }
            });
        }

        private void streamClosed(Connection c) {
            c.streams--;
            if (c.original && c.streams == 0 && c.creating == 0) {
                // The original tool serves one stream per connection: done with this one. Linger so
                // the last bytes and the FIN get acknowledged before the connection goes.
                loop.schedule(() -> c.channel.close(true, QuicErrorCodes.NO_ERROR,
                        ListenerConnectionHandler.reason("stream done")), settings.originalLingerMillis(),
                        TimeUnit.MILLISECONDS);
            }
            serveWaiting();
        }

        void close(Promise<Void> done) {
            slotClosed = true;
            if (retryTimer != null) {
                retryTimer.cancel(false);
            }
            Promise<ByteStream> w;
            while ((w = pollWaiting()) != null) {
                w.tryFailure(new IllegalStateException("quic dialer of route " + context.routeName() + " is closed"));
            }
            List<Future<?>> closes = new ArrayList<>();
            for (Connection c : List.copyOf(connections)) {
                if (c.keepAlive != null) {
                    c.keepAlive.cancel(false);
                }
                closes.add(c.channel.close(true, QuicErrorCodes.NO_ERROR, ListenerConnectionHandler.reason("dialer closed")));
            }
            Promise<Void> sent = loop.newPromise();
            AllDone.of(closes).addListener(f -> sent.trySuccess(null));
            loop.schedule(() -> sent.trySuccess(null), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            sent.addListener(f -> {
                if (udp != null && udp.isSuccess()) {
                    udp.getNow().close().addListener(x -> done.trySuccess(null));
                } else if (udp != null && !udp.isDone()) {
                    udp.addListener(x -> {
                        if (udp.isSuccess()) {
                            udp.getNow().close();
                        }
                        done.trySuccess(null);
                    });
                } else {
                    done.trySuccess(null);
                }
            });
        }
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown";
        }
        String name = cause.getClass().getSimpleName();
        String msg = cause.getMessage();
        if (cause instanceof io.netty.channel.ConnectTimeoutException
                || name.equals("QuicTimeoutClosedChannelException")) {
            return "no answer (handshake timed out): " + (msg == null ? name : msg);
        }
        return msg == null ? name : name + ": " + msg;
    }
}
