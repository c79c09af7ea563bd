package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.TransportContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QUIC connections of one dialer to its upstream, and the streams opened on them.
 *
 * <p>{@code connections} slots ({@link ConnectionSlot}), each its own UDP socket on its own event
 * loop (a QUIC connection is served by one thread, so slots are how a node uses more cores); by
 * default one per event loop. A dial goes to a slot on the dialing stream's own loop when there is
 * one, so the relay between the client's TCP connection and its QUIC stream never crosses threads:
 * handing every write and flush to another loop cost half the throughput (measured on loopback,
 * 1 stream: 0.5 Gbit/s with the client on the other loop, 1.1 with both on one). Without a slot on
 * that loop, dials are spread over the slots round-robin. A slot gives each dial a stream on a
 * connection with stream credit left, or opens another connection and lets the dial wait for it.
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
    /** The slots on each event loop, for dials from that loop. */
    private final Map<EventLoop, ConnectionSlot[]> slotsByLoop = new HashMap<>();
    private final AtomicInteger nextSlot = new AtomicInteger();
    private volatile boolean closed;

    QuicConnectionPool(TransportContext context, QuicDialerSettings settings, QuicSslContext ssl,
                       QuicConnectionStatistics statistics) {
        this.upstream = new QuicUpstream(context, settings, ssl, statistics);
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor e : context.network().workerGroup()) {
            loops.add((EventLoop) e);
        }
        int count = settings.connections() == QuicDialerSettings.CONNECTIONS_PER_LOOP ? loops.size() : settings.connections();
        this.slots = new ConnectionSlot[count];
        Map<EventLoop, List<ConnectionSlot>> byLoop = new HashMap<>();
        for (int i = 0; i < slots.length; i++) {
            EventLoop loop = loops.get(i % loops.size());
            slots[i] = new ConnectionSlot(i, loop, upstream);
            byLoop.computeIfAbsent(loop, l -> new ArrayList<>()).add(slots[i]);
        }
        byLoop.forEach((loop, list) -> slotsByLoop.put(loop, list.toArray(new ConnectionSlot[0])));
    }

    /**
     * Opens one stream, on a slot of {@code preferredLoop} when there is one; completes on the
     * stream's event loop.
     */
    Future<ByteStream> openStream(EventLoop preferredLoop, String description) {
        return openStream(preferredLoop, description, java.util.Optional.empty());
    }

    /** As above; a destination travels to the exit in the stream header (forward-destination). */
    Future<ByteStream> openStream(EventLoop preferredLoop, String description,
                                  java.util.Optional<dev.tcptoany.api.Destination> destination) {
        ConnectionSlot[] candidates = slotsByLoop.getOrDefault(preferredLoop, slots);
        ConnectionSlot slot = candidates[Math.floorMod(nextSlot.getAndIncrement(), candidates.length)];
        Promise<ByteStream> promise = destination.isPresent() ? new ForwardingDial(slot.loop(), destination.get())
                : slot.loop().newPromise();
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
