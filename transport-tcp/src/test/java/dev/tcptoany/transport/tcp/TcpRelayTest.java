package dev.tcptoany.transport.tcp;

import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;

/** tcp -> tcp -> tcp: the relay's behaviours with plain TCP on every hop. */
class TcpRelayTest extends RelayBehaviourSuite {
    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.tcp();
    }
}
