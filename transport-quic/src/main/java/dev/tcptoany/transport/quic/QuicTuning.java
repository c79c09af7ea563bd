package dev.tcptoany.transport.quic;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.tcptoany.api.ConfigProblems;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicCongestionControlAlgorithm;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The throughput options a listener and a dialer share: datagram size, flow-control windows,
 * congestion control and socket buffers. Read eagerly, so a bad value fails at start with its file
 * and line.
 *
 * @param maxUdpPayload       empty for {@code auto}
 * @param discoverPmtu        null for {@code auto}
 * @param gso                 null for {@code auto}
 * @param gro                 null for {@code auto}
 */
record QuicTuning(
        OptionalLong maxUdpPayload,
        Boolean discoverPmtu,
        long initialMaxData,
        long initialMaxStreamData,
        QuicCongestionControlAlgorithm congestionControl,
        int initialCongestionWindowPackets,
        int socketReceiveBuffer,
        int socketSendBuffer,
        Boolean gso,
        Boolean gro) {

    /** Largest payload quiche accepts and our receive buffers hold: a full UDP datagram over IPv4. */
    static final int LARGEST_UDP_PAYLOAD = 65_527;
    /** What `auto` picks for a loopback peer: the measured sweet spot, below the 64 KiB GSO/GRO limit. */
    static final int LOOPBACK_UDP_PAYLOAD = 65_000;
    /** What `auto` picks elsewhere: fits a 1500-byte MTU with IPv6 headers; PMTU discovery may adjust. */
    static final int INTERNET_UDP_PAYLOAD = 1_452;
    /** QUIC's floor (RFC 9000 section 14). */
    static final int MIN_UDP_PAYLOAD = 1_200;

    static QuicTuning fromConfig(Config c) {
        OptionalLong payload = OptionalLong.empty();
        if (!isAuto(c, "max-udp-payload")) {
            long v = intIn(c, "max-udp-payload", MIN_UDP_PAYLOAD, LARGEST_UDP_PAYLOAD);
            payload = OptionalLong.of(v);
        }
        return new QuicTuning(
                payload,
                autoBoolean(c, "discover-pmtu"),
                bytes(c, "initial-max-data", 1, Long.MAX_VALUE / 2),
                bytes(c, "initial-max-stream-data", 1, Long.MAX_VALUE / 2),
                congestionControl(c),
                intIn(c, "initial-congestion-window-packets", 1, 10_000),
                (int) bytes(c, "socket-receive-buffer", 0, Integer.MAX_VALUE),
                (int) bytes(c, "socket-send-buffer", 0, Integer.MAX_VALUE),
                autoBoolean(c, "gso"),
                autoBoolean(c, "gro"));
    }

    /** The payload size for a peer: the configured number, or `auto`'s choice. */
    int udpPayloadFor(boolean loopbackPeer) {
        if (maxUdpPayload.isPresent()) {
            return (int) maxUdpPayload.getAsLong();
        }
        return loopbackPeer ? LOOPBACK_UDP_PAYLOAD : INTERNET_UDP_PAYLOAD;
    }

    /**
     * Path-MTU discovery: on for non-loopback peers with `auto` (start small, grow), off on
     * loopback, where the MTU is known and probing measured 3-4x slower.
     */
    boolean discoverPmtuFor(boolean loopbackPeer) {
        return discoverPmtu != null ? discoverPmtu : !loopbackPeer;
    }

    /** GSO batches several packets into one send; it only pays when packets are small. */
    boolean gsoFor(boolean epoll, boolean loopbackPeer) {
        if (!epoll) {
            return false;
        }
        return gso != null ? gso : udpPayloadFor(loopbackPeer) <= 1_500;
    }

    boolean groFor(boolean epoll) {
        return epoll && (gro == null || gro);
    }

    /** Applies the options that live on the codec (shared by client and server codecs). */
    <B extends QuicCodecBuilder<B>> B applyTo(B builder, boolean loopbackPeer) {
        int payload = udpPayloadFor(loopbackPeer);
        return builder
                .maxSendUdpPayloadSize(payload)
                // Receive whatever the peer is willing to send, up to a whole datagram: the peer
                // picks min(its send size, this), so both sides' send settings decide.
                .maxRecvUdpPayloadSize(LARGEST_UDP_PAYLOAD)
                .discoverPmtu(discoverPmtuFor(loopbackPeer))
                .initialMaxData(initialMaxData)
                .initialMaxStreamDataBidirectionalLocal(initialMaxStreamData)
                .initialMaxStreamDataBidirectionalRemote(initialMaxStreamData)
                .initialMaxStreamDataUnidirectional(0)
                .initialMaxStreamsUnidirectional(0)
                .congestionControlAlgorithm(congestionControl)
                .initialCongestionWindowPackets(initialCongestionWindowPackets);
    }

    private static boolean isAuto(Config c, String path) {
        return c.hasPath(path) && c.getValue(path).unwrapped() instanceof String s
                && s.trim().equalsIgnoreCase("auto");
    }

    private static Boolean autoBoolean(Config c, String path) {
        if (!c.hasPath(path) || isAuto(c, path)) {
            return null;
        }
        try {
            return c.getBoolean(path);
        } catch (ConfigException.WrongType e) {
            throw ConfigProblems.badValue(c, path, "expected auto, true or false");
        }
    }

    static int intIn(Config c, String path, long min, long max) {
        if (!c.hasPath(path)) {
            throw ConfigProblems.missing(c, path);
        }
        long v;
        try {
            v = c.getLong(path);
        } catch (ConfigException.WrongType e) {
            throw ConfigProblems.badValue(c, path, "expected a number between " + min + " and " + max);
        }
        if (v < min || v > max) {
            throw ConfigProblems.badValue(c, path, v + " is out of range " + min + "-" + max);
        }
        return (int) v;
    }

    static long bytes(Config c, String path, long min, long max) {
        if (!c.hasPath(path)) {
            throw ConfigProblems.missing(c, path);
        }
        long v;
        try {
            v = c.getBytes(path);
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw ConfigProblems.badValue(c, path, "expected a size such as 2MiB");
        }
        if (v < min || v > max) {
            throw ConfigProblems.badValue(c, path, v + " bytes is out of range " + min + "-" + max);
        }
        return v;
    }

    static long millis(Config c, String path, long minMillis) {
        if (!c.hasPath(path)) {
            throw ConfigProblems.missing(c, path);
        }
        long v;
        try {
            v = c.getDuration(path).toMillis();
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw ConfigProblems.badValue(c, path, "expected a duration such as 8s or 500ms");
        }
        if (v < minMillis) {
            throw ConfigProblems.badValue(c, path, "must be at least " + minMillis + "ms");
        }
        return v;
    }

    private static QuicCongestionControlAlgorithm congestionControl(Config c) {
        String v = c.getString("congestion-control").trim().toUpperCase(Locale.ROOT);
        try {
            return QuicCongestionControlAlgorithm.valueOf(v);
        } catch (IllegalArgumentException e) {
            throw ConfigProblems.badValue(c, "congestion-control", "expected reno, cubic or bbr");
        }
    }
}
