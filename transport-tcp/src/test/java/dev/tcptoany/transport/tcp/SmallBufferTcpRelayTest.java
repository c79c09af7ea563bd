package dev.tcptoany.transport.tcp;

import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;

/**
 * tcp -> tcp -> tcp with 32 KiB socket buffers on the middle hop, so a half-closed connection must
 * wait for a full socket buffer after the peer's FIN (the case Netty 4.2.13+ epoll truncated,
 * netty/netty#16689; see proxy-core's EpollRegistrationFix).
 */
class SmallBufferTcpRelayTest extends RelayBehaviourSuite {
    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.tcpSmallBuffers();
    }
}
