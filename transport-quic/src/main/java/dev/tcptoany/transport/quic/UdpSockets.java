package dev.tcptoany.transport.quic;

import dev.tcptoany.api.NetworkChannels;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The UDP socket settings every QUIC listener and dialer socket gets. */
final class UdpSockets {
    private static final Logger LOG = LoggerFactory.getLogger(UdpSockets.class);

    /**
     * Receive buffer per read. Netty's default (2,048 bytes) truncates QUIC datagrams larger than
     * that; with GRO the kernel hands over up to 64 KiB of coalesced packets at once.
     */
    static final int RECEIVE_BUFFER_BYTES = 65_536;

    /**
     * Datagrams read per wake-up before the read batch ends (Netty counts each GRO segment as
     * one). A {@code FixedRecvByteBufAllocator} made by hand reads one message per wake-up unless
     * told otherwise (Netty applies its datagram default of 16 only to the allocator it creates
     * itself). One read per wake-up meant a loaded receiver sent one ACK and made one TCP write per
     * read: 0.7 Gbit/s on the veth path; 16 gave 1.4, 64 1.5-1.8, 128 1.6, 256 1.7 (hand runs, 1
     * stream); on loopback 1 gave 1.1, 64 3.2, 128 2.6. The socket buffer bounds a batch anyway.
     */
    static final int READS_PER_WAKE_UP = 64;

    private UdpSockets() {
    }

    /** The socket's pipeline: the batch boundary in front of the QUIC codec. */
    static ChannelHandler pipeline(ChannelHandler codec) {
        return new ChannelInitializer<DatagramChannel>() {
            @Override
            protected void initChannel(DatagramChannel ch) {
                install(ch.pipeline(), codec);
            }
        };
    }

    /** Adds the batch boundary and the QUIC codec at the end of {@code pipeline}. */
    static void install(ChannelPipeline pipeline, ChannelHandler codec) {
        pipeline.addLast(new DatagramBatchEnd(), codec);
    }

    /** A bootstrap for one UDP socket on the host's loops, tuned as configured. */
    static Bootstrap bootstrap(EventLoopGroup group, NetworkChannels network, ByteBufAllocator alloc,
                               QuicTuning tuning) {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(network.datagramChannelClass())
                .option(ChannelOption.ALLOCATOR, alloc)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_BUFFER_BYTES)
                        .maxMessagesPerRead(READS_PER_WAKE_UP));
        if (tuning.socketReceiveBuffer() > 0) {
            b.option(ChannelOption.SO_RCVBUF, tuning.socketReceiveBuffer());
        }
        if (tuning.socketSendBuffer() > 0) {
            b.option(ChannelOption.SO_SNDBUF, tuning.socketSendBuffer());
        }
        if (tuning.groFor(network.isEpoll())) {
            b.option(EpollChannelOption.UDP_GRO, true);
        }
        return b;
    }

    /**
     * Logs a warning when the kernel gave less than the configured socket buffers, as quic-go does:
     * Linux clamps to net.core.rmem_max / wmem_max (often 208 KiB) without an error.
     */
    static void warnIfClamped(DatagramChannel ch, QuicTuning tuning, String where) {
        int wantRcv = tuning.socketReceiveBuffer();
        int wantSnd = tuning.socketSendBuffer();
        if (wantRcv > 0) {
            int got = ch.config().getReceiveBufferSize();
            if (got < wantRcv) {
                LOG.warn("{}: UDP receive buffer is {} bytes, not the configured {}: the kernel clamped it "
                        + "(raise net.core.rmem_max, e.g. sysctl -w net.core.rmem_max={})", where, got, wantRcv, wantRcv);
            }
        }
        if (wantSnd > 0) {
            int got = ch.config().getSendBufferSize();
            if (got < wantSnd) {
                LOG.warn("{}: UDP send buffer is {} bytes, not the configured {}: the kernel clamped it "
                        + "(raise net.core.wmem_max, e.g. sysctl -w net.core.wmem_max={})", where, got, wantSnd, wantSnd);
            }
        }
    }
}
