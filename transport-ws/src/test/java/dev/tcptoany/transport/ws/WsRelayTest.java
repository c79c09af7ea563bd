package dev.tcptoany.transport.ws;

import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;

/** tcp -> ws -> tcp through two real proxy nodes: the relay's behaviours over our subprotocol. */
class WsRelayTest extends RelayBehaviourSuite {
    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.of("ws", "transport = ws, address = \"127.0.0.1:0\"",
                a -> "transport = ws, url = \"http://127.0.0.1:" + a.getPort() + "/\"");
    }
}
