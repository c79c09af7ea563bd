package dev.tcptoany.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.IoUringAvailable;
import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * tcp -> tcp -> tcp on io_uring loops ({@code proxy.event-loop.kind = io_uring}) on both nodes: the
 * whole relay suite (half-close both ways, aborts, backpressure, limits), as on epoll.
 */
@ExtendWith(IoUringAvailable.class)
class IoUringTcpRelayTest extends RelayBehaviourSuite {
    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.tcp();
    }

    @Override
    protected String extraConfig() {
        return "proxy.event-loop.kind = io_uring";
    }

    @Test
    void bothNodesRunIoUringSocketsNotAFallback() {
        for (var node : java.util.List.of(nodes.node1(), nodes.node2())) {
            assertThat(node.network().kind()).isEqualTo("io_uring");
            assertThat(node.network().isEpoll()).isFalse();
            assertThat(node.network().socketChannelClass()).isEqualTo(IoUringSocketChannel.class);
            assertThat(node.network().serverSocketChannelClass()).isEqualTo(IoUringServerSocketChannel.class);
        }
    }
}
