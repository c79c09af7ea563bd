package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.IoUringAvailable;
import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;
import io.netty.channel.uring.IoUringDatagramChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * tcp -> quic -> tcp with both nodes on io_uring loops ({@code proxy.event-loop.kind = io_uring}):
 * QUIC takes the loops' io_uring datagram channel, without the epoll-only GSO/GRO, and the relay
 * suite passes as on epoll. Here rather than in transport-quic because it is about the host's
 * event-loop choice, and this module has every transport on its test class path.
 */
@ExtendWith(IoUringAvailable.class)
class IoUringQuicRelayTest extends RelayBehaviourSuite {
    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.of("quic", "transport = quic, address = \"127.0.0.1:0\"",
                a -> "transport = quic, address = \"127.0.0.1:" + a.getPort() + "\", pin-local-identity = quic");
    }

    @Override
    protected String extraConfig() {
        return "proxy.event-loop.kind = io_uring";
    }

    @Test
    void quicRunsOnIoUringDatagramChannels() {
        assertThat(nodes.node2().network().kind()).isEqualTo("io_uring");
        assertThat(nodes.node2().network().datagramChannelClass()).isEqualTo(IoUringDatagramChannel.class);
    }
}
