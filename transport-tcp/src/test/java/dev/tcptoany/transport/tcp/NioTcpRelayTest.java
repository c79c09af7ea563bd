package dev.tcptoany.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.Test;

/**
 * tcp -> tcp -> tcp on NIO loops ({@code proxy.event-loop.kind = nio}, what a node runs where no
 * native transport loads) on both nodes: the whole relay suite, as on epoll and io_uring.
 */
class NioTcpRelayTest extends RelayBehaviourSuite {
    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.tcp();
    }

    @Override
    protected String extraConfig() {
        return "proxy.event-loop.kind = nio";
    }

    @Test
    void bothNodesRunNioSockets() {
        for (var node : java.util.List.of(nodes.node1(), nodes.node2())) {
            assertThat(node.network().kind()).isEqualTo("nio");
            assertThat(node.network().isEpoll()).isFalse();
            assertThat(node.network().socketChannelClass()).isEqualTo(NioSocketChannel.class);
            assertThat(node.network().serverSocketChannelClass()).isEqualTo(NioServerSocketChannel.class);
        }
    }
}
