package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One UDP socket of a dialer on one event loop, the QUIC connections on it and the dials waiting
 * for a connection.
 *
 * <p>A stream goes to the open connection with the fewest streams that has stream credit left;
 * when there is none (not connected yet, lost, suspect, or at the peer's stream limit) the slot
 * opens another connection and the dial waits for it. Nothing is refused for lack of credit, and the
 * wait is bounded by the host's connect timeout, which cancels the dial.
 *
 * <p>Thread model: touched only on the slot's event loop, but for {@link #openCount()}.
 */
final class ConnectionSlot {
    private static final long CLOSE_GRACE_MILLIS = 2_000;

    private final int index;
    private final EventLoop loop;
    private final QuicUpstream upstream;
    private final DialerUdpSocket socket;
    private final ReconnectBackoff backoff;
    private final DialerStreamOpener streams;
    private final OneStreamPerConnection oneStreamPerConnection;
    private final List<PooledConnection> connections = new ArrayList<>();
    private final WaitingDials waiting = new WaitingDials();
    private volatile int openCount;
    private int connecting;
    private ScheduledFuture<?> retryTimer;
    private boolean peerIsOriginal;
    private boolean closed;

    ConnectionSlot(int index, EventLoop loop, QuicUpstream upstream) {
        this.index = index;
        this.loop = loop;
        this.upstream = upstream;
        this.socket = new DialerUdpSocket(loop, upstream);
        this.backoff = new ReconnectBackoff(upstream.settings().backoffMinMillis(),
                upstream.settings().backoffMaxMillis());
        this.streams = new DialerStreamOpener(upstream, this::retryElsewhere, this::streamClosed);
        this.oneStreamPerConnection = new OneStreamPerConnection(loop, upstream.settings().originalLingerMillis(),
                streams);
    }

    EventLoop loop() {
        return loop;
    }

    /** Open connections; read from any thread, approximately. */
    int openCount() {
        return openCount;
    }

    void enqueue(Promise<ByteStream> dial) {
        if (closed) {
            dial.tryFailure(upstream.dialerClosed());
            return;
        }
        waiting.add(dial);
        serveWaiting();
    }

    /** Gives waiting dials a stream, opening connections as needed. */
    private void serveWaiting() {
        waiting.dropCancelled();
        while (!waiting.isEmpty()) {
            PooledConnection best = leastLoaded();
            if (best != null) {
                streams.open(best, waiting.next());
                waiting.dropCancelled();
                continue;
            }
            // The original tool takes one stream per connection: a connection for each waiting dial.
            int wanted = peerIsOriginal ? waiting.size() : 1;
            if (connecting >= wanted) {
                return;
            }
            long delay = backoff.nanosUntilNextAttempt();
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

    private PooledConnection leastLoaded() {
        PooledConnection best = null;
        for (PooledConnection c : connections) {
            if (c.canTakeStream() && (best == null || c.load() < best.load())) {
                best = c;
            }
        }
        return best;
    }

    private void connect() {
        connecting++;
        upstream.resolve(loop).addListener(resolved -> {
            if (!resolved.isSuccess()) {
                connecting--;
                connectFailed(resolved.cause());
            } else if (closed) {
                connecting--; // the socket is closed (or closing): open nothing
            } else {
                handshake((InetSocketAddress) resolved.getNow());
            }
        });
    }

    private void handshake(InetSocketAddress remote) {
        DialerConnectionHandler handler = new DialerConnectionHandler();
        socket.connect(remote, handler).addListener(f -> {
            connecting--;
            if (f.isSuccess()) {
                connected((QuicChannel) f.getNow(), handler);
            } else {
                connectFailed(f.cause());
            }
        });
    }

    private void connected(QuicChannel ch, DialerConnectionHandler handler) {
        backoff.succeeded();
        String alpn = ch.sslEngine().getApplicationProtocol();
        boolean original = Alpn.isOriginal(alpn);
        peerIsOriginal = original;
        if (closed) {
            ch.close(true, QuicErrorCodes.NO_ERROR, ListenerConnectionHandler.reason("dialer closed"));
            return;
        }
        PooledConnection c = new PooledConnection(ch, handler, original, new DialerKeepAlive(ch, upstream.describe()));
        connections.add(c);
        openCount = connections.size();
        upstream.statistics().track(ch);
        QuicConnectionPool.LOG.debug("{}: connection {} established on slot {}, ALPN {}", upstream.describe(), ch,
                index, alpn);
        ch.closeFuture().addListener(f -> lost(c));
        long keepAliveMillis = upstream.settings().keepAliveMillis();
        if (!original && keepAliveMillis > 0) {
            c.keepAlive().start(loop, keepAliveMillis, this::serveWaiting);
        }
        handler.onStreamLimitChanged(() -> loop.execute(this::serveWaiting));
        // The codec completes the connect before it reads the peer's stream limit; serve the
        // waiting dials once it has.
        loop.execute(() -> {
            if (original) {
                oneStreamPerConnection.takeDial(c, waiting.next());
            }
            serveWaiting();
        });
    }

    private void connectFailed(Throwable cause) {
        long backoffMillis = backoff.failed();
        String why = QuicUpstream.describeFailure(cause);
        QuicConnectionPool.LOG.warn("{}: cannot connect: {}; next attempt in {} ms", upstream.describe(), why,
                backoffMillis);
        if (connecting == 0) {
            // Each waiting dial had its attempt: fail it now rather than at the host's deadline.
            waiting.failAll(() -> new ConnectException(upstream.describe() + ": " + why));
        }
    }

    private void lost(PooledConnection c) {
        connections.remove(c);
        openCount = connections.size();
        c.keepAlive().stop();
        if (!closed && !c.original()) {
            String reason = c.closeReason(upstream.settings().idleTimeoutMillis());
            if (c.openStreams() > 0) {
                QuicConnectionPool.LOG.warn("{}: connection lost with {} open stream(s): {}", upstream.describe(),
                        c.openStreams(), reason);
            } else {
                QuicConnectionPool.LOG.info("{}: connection closed: {}", upstream.describe(), reason);
            }
        }
        serveWaiting();
    }

    private void retryElsewhere(Promise<ByteStream> dial) {
        waiting.putBack(dial);
        serveWaiting();
    }

    private void streamClosed(PooledConnection c) {
        c.streamClosed();
        if (c.original()) {
            oneStreamPerConnection.streamClosed(c);
        }
        serveWaiting();
    }

    void close(Promise<Void> done) {
        closed = true;
        if (retryTimer != null) {
            retryTimer.cancel(false);
        }
        waiting.failAll(upstream::dialerClosed);
        List<Future<?>> closes = new ArrayList<>();
        // A copy: a close may remove its connection from the list at once (see lost).
        for (PooledConnection c : List.copyOf(connections)) {
            c.keepAlive().stop();
            closes.add(c.channel().close(true, QuicErrorCodes.NO_ERROR,
                    ListenerConnectionHandler.reason("dialer closed")));
        }
        Promise<Void> sent = loop.newPromise();
        AllDone.of(closes).addListener(f -> sent.trySuccess(null));
        loop.schedule(() -> sent.trySuccess(null), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        sent.addListener(f -> socket.close(done));
    }
}
