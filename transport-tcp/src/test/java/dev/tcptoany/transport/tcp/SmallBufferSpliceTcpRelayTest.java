package dev.tcptoany.transport.tcp;

import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The relay suite on the splice path with 32 KiB socket buffers on the middle hop: a FIN that arrives
 * while the pipe is full or bytes are still queued before it (the target's socket buffer full) must be
 * relayed after those bytes, never before (SplicedDirection: end of input).
 */
class SmallBufferSpliceTcpRelayTest extends RelayBehaviourSuite {
    @BeforeAll
    static void onEpoll() {
        Assumptions.assumeTrue(Epoll.isAvailable(), "splice(2) needs Netty's epoll transport (Linux)");
    }

    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.tcpSmallBuffers();
    }

    @Override
    protected String extraConfig() {
        return "proxy.event-loop.kind = epoll\nproxy.route-defaults.splice = auto";
    }
}
