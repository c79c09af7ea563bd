package dev.tcptoany.transport.quic;

import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;

/**
 * tcp -> quic -> tcp through two real {@link dev.tcptoany.core.Proxy} nodes: the relay behaviours
 * (byte-exact parallel payloads, server speaks first, half-close and abort each way, paused reader)
 * with a QUIC middle hop. Node 1 pins node 2's generated certificate through the shared data
 * directory ({@code pin-local-identity}), as the embedded default config does.
 */
class QuicRelayTest extends RelayBehaviourSuite {
    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.of("quic", "transport = quic, address = \"127.0.0.1:0\"",
                a -> "transport = quic, address = \"127.0.0.1:" + a.getPort() + "\", pin-local-identity = quic");
    }
}
