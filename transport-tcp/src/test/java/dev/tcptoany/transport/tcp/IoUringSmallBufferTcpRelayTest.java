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
        return TunnelSpec.of("tcp-small-buffers",
                "transport = tcp, address = \"127.0.0.1:0\", send-buffer = 32KiB, receive-buffer = 32KiB",
                a -> "transport = tcp, address = \"127.0.0.1:" + a.getPort() + "\", send-buffer = 32KiB, receive-buffer = 32KiB");
    }

    @Override
    protected String extraConfig() {
        return "proxy.event-loop.kind = io_uring";
    }
}
