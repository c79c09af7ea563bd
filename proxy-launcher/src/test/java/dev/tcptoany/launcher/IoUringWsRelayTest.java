package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.IoUringAvailable;
import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** tcp -> ws -> tcp with both nodes on io_uring loops: the relay suite, as on epoll. */
@ExtendWith(IoUringAvailable.class)
class IoUringWsRelayTest extends RelayBehaviourSuite {
    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.of("ws", "transport = ws, address = \"127.0.0.1:0\"",
                a -> "transport = ws, url = \"http://127.0.0.1:" + a.getPort() + "/\"");
    }

    @Override
    protected String extraConfig() {
        return "proxy.event-loop.kind = io_uring";
    }

    @Test
    void bothNodesRunIoUring() {
        assertThat(nodes.node1().network().kind()).isEqualTo("io_uring");
        assertThat(nodes.node2().network().kind()).isEqualTo("io_uring");
    }
}
