package dev.tcptoany.transport.quic;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.quic.EpollQuicUtils;
import io.netty.handler.codec.quic.QuicChannelBootstrap;
import io.netty.handler.codec.quic.QuicChannelOption;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;

/**
 * The channel options both sides give a QUIC connection and the streams the peer opens on it:
 * streams that half-close and read only when asked, and segmented sends (GSO) where
 * {@link QuicTuning#gsoFor} says they pay. The listener sets them on its codec, the dialer on each
 * connection's bootstrap.
 *
 * <p>Stream options reach only peer-opened streams: Netty applies none to a stream made with
 * {@code QuicChannel.createStream}, which is how the dialer opens all of its own, so the dialer
 * gives each of those the same options with {@link #applyToLocallyOpened}.
 */
record QuicChannelOptions(boolean segmentedDatagrams) {
    /**
     * Datagrams per segmented (GSO) send: 44 x 1,452 bytes stays under the kernel's 64 KiB limit per
     * send, and covers the largest batch {@link StreamWriteGate} hands quiche at once (measured: 32
     * segments with 32-datagram batches gave 0.60 Gbit/s where 44 gave 0.77, since quiche's bursts
     * after a larger ACK exceed the batch).
     */
    private static final int MAX_SEGMENTS = 44;

    /** Where an option goes: a connection option or a stream option of a codec or a bootstrap. */
    private interface OptionSink {
        <T> Object set(ChannelOption<T> option, T value);
    }

    static QuicChannelOptions forPeer(QuicTuning tuning, boolean epoll, boolean loopbackPeer) {
        return new QuicChannelOptions(tuning.gsoFor(epoll, loopbackPeer));
    }

    QuicServerCodecBuilder applyTo(QuicServerCodecBuilder b) {
        applyToConnections(b::option);
        applyToStreams(b::streamOption);
        return b;
    }

    QuicChannelBootstrap applyTo(QuicChannelBootstrap b) {
        applyToConnections(b::option);
        applyToStreams(b::streamOption);
        return b;
    }

    /**
     * Gives a stream this side opened the options peer-opened streams get. Without it the stream
     * reads on its own (Netty's default auto-read) before the host has a handler on it, and what
     * a server-first peer sends in that window (a banner) ends in the pipeline's tail, dropped.
     */
    static void applyToLocallyOpened(QuicStreamChannel stream) {
        applyToStreams(stream.config()::setOption);
    }

    private void applyToConnections(OptionSink sink) {
        if (segmentedDatagrams) {
            sink.set(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR,
                    EpollQuicUtils.newSegmentedAllocator(MAX_SEGMENTS));
        }
    }

    private static void applyToStreams(OptionSink sink) {
        sink.set(ChannelOption.ALLOW_HALF_CLOSURE, true);
        sink.set(ChannelOption.AUTO_READ, false);
        // One buffer per read request: with auto-read off Netty stops after one read whatever
        // maxMessagesPerRead says (its handle checks auto-read first), and the relay asks again.
        sink.set(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 64 * 1024));
    }
}
