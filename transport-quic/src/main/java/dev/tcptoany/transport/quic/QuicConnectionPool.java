package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.TransportContext;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QUIC connections of one dialer to its upstream, and the streams opened on them.
 *
 * <p>{@code connections} slots ({@link ConnectionSlot}), each its own UDP socket on its own event
 * loop (a QUIC connection is served by one thread, so slots are how a node uses more cores). Dials
 * are spread over the slots round-robin; a slot gives each a stream on a connection with stream
 * credit left, or opens another connection and lets the dial wait for it.
 *
 * <p>When the peer picks ALPN {@value Alpn#ORIGINAL}, every dial gets a connection of its own
 * ({@link OneStreamPerConnection}). Liveness is the {@link DialerKeepAlive}'s; a failed connection
 * attempt delays the next by the {@link ReconnectBackoff}.
 */
final class QuicConnectionPool {
    /** The logger of the whole dialer side (slots, connections, streams): one name to configure. */
    static final Logger LOG = LoggerFactory.getLogger(QuicConnectionPool.class);

    private final QuicUpstream upstream;
    private final ConnectionSlot[] slots;
    private final AtomicInteger nextSlot = new AtomicInteger();
    private volatile boolean closed;

    QuicConnectionPool(TransportContext context, QuicDialerSettings settings, QuicSslContext ssl,
                       QuicConnectionStatistics statistics) {
        this.upstream = new QuicUpstream(context, settings, ssl, statistics);
        this.slots = new ConnectionSlot[settings.connections()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new ConnectionSlot(i, context.network().workerGroup().next(), upstream);
        }
    }

    /** Opens one stream; completes on the stream's event loop. */
    Future<ByteStream> openStream(String description) {
        ConnectionSlot slot = slots[Math.floorMod(nextSlot.getAndIncrement(), slots.length)];
        Promise<ByteStream> promise = slot.loop().newPromise();
        if (closed) {
            return promise.setFailure(upstream.dialerClosed());
        }
        slot.loop().execute(() -> slot.enqueue(promise));
        return promise;
    }

    /** Number of open QUIC connections, for tests and metrics. Reads cross-thread, approximately. */
    int openConnections() {
        int n = 0;
        for (ConnectionSlot s : slots) {
            n += s.openCount();
        }
        return n;
    }

    Future<Void> close() {
        closed = true;
        List<Future<?>> done = new ArrayList<>();
        for (ConnectionSlot s : slots) {
            Promise<Void> p = s.loop().newPromise();
            s.loop().execute(() -> s.close(p));
            done.add(p);
        }
        return AllDone.of(done);
    }
}
