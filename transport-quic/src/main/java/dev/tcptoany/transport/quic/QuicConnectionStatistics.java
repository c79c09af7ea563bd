package dev.tcptoany.transport.quic;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicConnectionPathStats;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.SocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import dev.tcptoany.api.TransportMetrics;
import io.netty.channel.Channel;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The established QUIC connections of one dialer or listener, as quiche sees them: a snapshot of
 * the open ones on demand ({@link #snapshot()}), and one DEBUG line per connection when it ends, on
 * the logger {@value #LOGGER} of its own, so that a benchmark can turn on these lines alone.
 *
 * <p>The path values (RTT, congestion window, MTU, delivery rate) go when the connection goes: the
 * codec frees quiche's connection before anyone hears of the close, and keeps only the counts. So
 * each connection gets a small handler that reads the path just before a close it can see: ours (a
 * close through the pipeline) or the peer's ({@link QuicConnectionCloseEvent}, fired before the
 * codec frees). An idle timeout closes without either; its line has the counts only.
 */
final class QuicConnectionStatistics {
    static final String LOGGER = "dev.tcptoany.transport.quic.stats";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    /** How long a scrape waits for the connections' loops to answer. */
    private static final long SCRAPE_WAIT_MILLIS = 2_000;

    private final String owner;
    private final Set<QuicChannel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger openStreams = new AtomicInteger();
    /** Datagrams the sanity filter dropped: each one, where the peer-rejection log is rate-limited. */
    private final LongAdder datagramsDropped = new LongAdder();
    /**
     * Packets lost, kept monotonic for the counter: the last count seen of each open connection,
     * plus the final counts of closed ones. Guarded by {@code this}.
     */
    private final Map<QuicChannel, Long> lostSeen = new java.util.HashMap<>();
    private long lostOfClosed;

    /** @param owner how log lines name the dialer or listener, e.g. "quic listener of route r" */
    QuicConnectionStatistics(String owner) {
        this.owner = owner;
    }

    /** Starts watching an established connection, until it closes. Call on its event loop. */
    void track(QuicChannel ch) {
        long since = System.nanoTime();
        SocketAddress peer = ch.remoteSocketAddress();
        PathBeforeClose path = new PathBeforeClose();
        ch.pipeline().addLast(path);
        open.add(ch);
        ch.closeFuture().addListener(f -> {
            open.remove(ch);
            // The codec keeps the counts after the close: fold the final loss count into the total.
            ch.collectStats().addListener(counts -> {
                synchronized (this) {
                    Long seen = lostSeen.remove(ch);
                    long last = counts.isSuccess() ? ((QuicConnectionStats) counts.getNow()).lost() : 0;
                    lostOfClosed += Math.max(last, seen == null ? 0 : seen);
                }
            });
            if (LOG.isDebugEnabled()) {
                // After the close the codec answers with the counts it kept.
                ch.collectStats().addListener(counts -> {
                    if (counts.isSuccess()) {
                        QuicPathStatistics s = QuicPathStatistics.of(peer, (QuicConnectionStats) counts.getNow(),
                                path.last);
                        LOG.debug("{}: connection {} closed after {} ms: {}", owner, peer,
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since), s.describe());
                    }
                });
            }
        });
    }

    /** Open connections' statistics; a connection that closes meanwhile reports its counts only. */
    Future<List<QuicPathStatistics>> snapshot() {
        List<Future<QuicPathStatistics>> parts = open.stream().map(QuicPathStatistics::collect).toList();
        Promise<List<QuicPathStatistics>> all = GlobalEventExecutor.INSTANCE.newPromise();
        AllDone.of(parts).addListener(f -> all.setSuccess(
                parts.stream().filter(Future::isSuccess).map(Future::getNow).toList()));
        return all;
    }

    /** A stream of one of these connections was handed to the host; counted until it closes. */
    void streamOpened(Channel stream) {
        openStreams.incrementAndGet();
        stream.closeFuture().addListener(f -> openStreams.decrementAndGet());
    }

    /** The counter the sanity filter adds each dropped datagram to. */
    LongAdder datagramsDropped() {
        return datagramsDropped;
    }

    /**
     * What this listener or dialer publishes on the metrics endpoint. Reading quiche's values takes
     * a hop to each connection's loop, so the scrape (off the event loops) waits for them briefly.
     */
    TransportMetrics metrics() {
        return out -> {
            List<QuicPathStatistics> stats = List.of();
            Future<List<QuicPathStatistics>> snapshot = snapshot();
            if (snapshot.awaitUninterruptibly(SCRAPE_WAIT_MILLIS) && snapshot.isSuccess()) {
                stats = snapshot.getNow();
            }
            long rttSum = 0;
            int rttCount = 0;
            long cwnd = 0;
            for (QuicPathStatistics s : stats) {
                if (s.pathKnown()) {
                    rttSum += s.rttNanos();
                    rttCount++;
                    cwnd += s.cwnd();
                }
            }
            out.gauge("connections", "QUIC connections open", open.size());
            out.gauge("streams", "QUIC streams carrying relayed connections", openStreams.get());
            out.gauge("smoothed_rtt_seconds", "Smoothed round-trip time, mean over open connections",
                    rttCount == 0 ? 0 : rttSum / 1e9 / rttCount);
            out.gauge("congestion_window_bytes", "Congestion window, sum over open connections", cwnd);
            out.counter("packets_lost", "Packets declared lost", lostTotal(stats));
            out.counter("datagrams_dropped", "UDP datagrams dropped before the QUIC codec because they cannot be QUIC",
                    datagramsDropped.sum());
        };
    }

    private synchronized long lostTotal(List<QuicPathStatistics> stats) {
        for (QuicChannel ch : open) {
            for (QuicPathStatistics s : stats) {
                if (s.peer() != null && s.peer().equals(ch.remoteSocketAddress())) {
                    lostSeen.merge(ch, s.lost(), Math::max);
                }
            }
        }
        long total = lostOfClosed;
        for (long n : lostSeen.values()) {
            total += n;
        }
        return total;
    }

    /** Reads the path's values when a close is on its way, for the log line. Connection-loop confined. */
    private static final class PathBeforeClose extends ChannelDuplexHandler {
        QuicConnectionPathStats last;

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            if (!LOG.isDebugEnabled()) {
                ctx.close(promise);
                return;
            }
            QuicPathStatistics.collectPath((QuicChannel) ctx.channel()).addListener(f -> {
                keep(f);
                ctx.close(promise);
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof QuicConnectionCloseEvent && LOG.isDebugEnabled()) {
                QuicPathStatistics.collectPath((QuicChannel) ctx.channel()).addListener(this::keep);
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void keep(Future<?> f) {
            if (f.isSuccess()) {
                last = (QuicConnectionPathStats) f.getNow();
            }
        }
    }
}
