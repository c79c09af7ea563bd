package dev.tcptoany.transport.quic;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Liveness of one dialed connection: it pings every {@code keep-alive}, and one that has heard
 * nothing for {@value #SUSPECT_AFTER_SILENT_PINGS} pings becomes suspect, so it is no longer given
 * new streams (a new connection is opened next to it) while quiche's idle timeout closes it.
 *
 * <p>A ping is a one-byte QUIC datagram: QUIC in Netty has no other way to send an ack-eliciting
 * packet on an idle connection. Whether anything came back is read from quiche's received-packet
 * count. Slot-loop confined.
 */
final class DialerKeepAlive {
    /** Pings without an answer before a connection gets no new streams. */
    static final int SUSPECT_AFTER_SILENT_PINGS = 2;

    private final QuicChannel channel;
    private final String upstream;
    private long lastRecvPackets = -1;
    private int silentPings;
    private ScheduledFuture<?> pings;

    DialerKeepAlive(QuicChannel channel, String upstream) {
        this.channel = channel;
        this.upstream = upstream;
    }

    /** Starts pinging; {@code becameSuspect} runs once the connection has stopped answering. */
    void start(EventLoop loop, long intervalMillis, Runnable becameSuspect) {
        pings = loop.scheduleAtFixedRate(() -> ping(becameSuspect), intervalMillis, intervalMillis,
                TimeUnit.MILLISECONDS);
    }

    void stop() {
        if (pings != null) {
            pings.cancel(false);
        }
    }

    boolean suspect() {
        return silentPings >= SUSPECT_AFTER_SILENT_PINGS;
    }

    private void ping(Runnable becameSuspect) {
        if (!channel.isActive()) {
            return;
        }
        channel.writeAndFlush(channel.alloc().directBuffer(1).writeByte(0));
        channel.collectStats().addListener(f -> {
            if (!f.isSuccess()) {
                return;
            }
            long recv = ((QuicConnectionStats) f.getNow()).recv();
            if (recv == lastRecvPackets) {
                if (++silentPings == SUSPECT_AFTER_SILENT_PINGS) {
                    QuicConnectionPool.LOG.info("{}: connection {} has not answered {} pings; new streams go elsewhere",
                            upstream, channel, SUSPECT_AFTER_SILENT_PINGS);
                    becameSuspect.run();
                }
            } else {
                lastRecvPackets = recv;
                silentPings = 0;
            }
        });
    }
}
