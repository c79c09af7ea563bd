package dev.tcptoany.transport.tcp;

import dev.tcptoany.testkit.IoUringAvailable;
import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link SmallBufferTcpRelayTest} on io_uring loops: a half-closed connection that must wait for a
 * full 32 KiB socket buffer after the peer's FIN, the case epoll loops truncated (netty/netty#16689,
 * fixed here by EpollRegistrationFix); io_uring has no interest sets, and this shows it needs no twin.
 */
@ExtendWith(IoUringAvailable.class)
class IoUringSmallBufferTcpRelayTest extends RelayBehaviourSuite {
    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.tcpSmallBuffers();
    }

    @Override
    protected String extraConfig() {
        return "proxy.event-loop.kind = io_uring";
    }
}
