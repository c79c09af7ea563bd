package dev.tcptoany.transport.quic;

import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionPathStats;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.SocketAddress;

/**
 * What quiche knows about one QUIC connection and its path at one moment: packet and byte counts
 * for the whole connection, and the current path's round-trip time, congestion window, MTU and
 * delivery rate. Names follow quiche's {@code Stats} and {@code PathStats}.
 *
 * <p>The counts are always known, even after the connection closed (the codec keeps them). The path
 * values are only known while the connection is open; once it is freed they are -1 ({@link
 * #pathKnown()} is false).
 *
 * @param peer               the UDP address of the other end
 * @param sent               packets sent
 * @param recv               packets received
 * @param lost               packets declared lost
 * @param retrans            packets sent that carried retransmitted data
 * @param sentBytes          bytes sent
 * @param recvBytes          bytes received
 * @param lostBytes          bytes lost
 * @param streamRetransBytes stream bytes sent again
 * @param rttNanos           smoothed round-trip time
 * @param cwnd               congestion window, bytes
 * @param pmtu               path MTU quiche uses, bytes
 * @param deliveryRate       latest delivery rate estimate, bytes per second
 */
record QuicPathStatistics(
        SocketAddress peer,
        long sent,
        long recv,
        long lost,
        long retrans,
        long sentBytes,
        long recvBytes,
        long lostBytes,
        long streamRetransBytes,
        long rttNanos,
        long cwnd,
        long pmtu,
        long deliveryRate) {

    /** The path statistics quiche keeps about its first (and, without migration, only) path. */
    private static final int FIRST_PATH = 0;

    static QuicPathStatistics of(SocketAddress peer, QuicConnectionStats counts, QuicConnectionPathStats path) {
        boolean known = path != null;
        return new QuicPathStatistics(peer, counts.sent(), counts.recv(), counts.lost(), counts.retrans(),
                counts.sentBytes(), counts.recvBytes(), counts.lostBytes(), counts.streamRetransBytes(),
                known ? path.rtt() : -1, known ? path.cwnd() : -1, known ? path.pmtu() : -1,
                known ? path.deliveryRate() : -1);
    }

    /** Collects a connection's statistics on its event loop. Fails only when quiche cannot say. */
    static Future<QuicPathStatistics> collect(QuicChannel ch) {
        Promise<QuicPathStatistics> result = ch.eventLoop().newPromise();
        SocketAddress peer = ch.remoteSocketAddress();
        ch.collectStats().addListener(counts -> {
            if (!counts.isSuccess()) {
                result.setFailure(counts.cause());
                return;
            }
            collectPath(ch).addListener(path -> result.setSuccess(of(peer, (QuicConnectionStats) counts.getNow(),
                    path.isSuccess() ? (QuicConnectionPathStats) path.getNow() : null)));
        });
        return result;
    }

    /** The path part alone; fails once the connection is closed. */
    static Future<QuicConnectionPathStats> collectPath(QuicChannel ch) {
        return ch.collectPathStats(FIRST_PATH);
    }

    boolean pathKnown() {
        return rttNanos >= 0;
    }

    /** One line of key=value pairs, for logs that benchmarks parse. */
    String describe() {
        StringBuilder b = new StringBuilder()
                .append("sent=").append(sent).append(" recv=").append(recv).append(" lost=").append(lost)
                .append(" retrans=").append(retrans).append(" sentBytes=").append(sentBytes)
                .append(" recvBytes=").append(recvBytes).append(" lostBytes=").append(lostBytes)
                .append(" streamRetransBytes=").append(streamRetransBytes);
        if (pathKnown()) {
            b.append(" rttMicros=").append(rttNanos / 1_000).append(" cwnd=").append(cwnd).append(" pmtu=").append(pmtu)
                    .append(" deliveryRate=").append(deliveryRate);
        }
        return b.toString();
    }
}
