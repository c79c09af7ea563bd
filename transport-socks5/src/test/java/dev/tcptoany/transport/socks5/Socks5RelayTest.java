package dev.tcptoany.transport.socks5;

import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;

/**
 * The relay's behaviours (byte-exact payloads, half-close each way, resets each way, a paused
 * reader, a refused upstream, the connection limit) with a SOCKS5 entry: the JDK's SOCKS client
 * connects through node 1's socks5 listener, node 1 -> tcp -> node 2 -> the server.
 */
class Socks5RelayTest extends RelayBehaviourSuite {
    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.tcp();
    }

    @Override
    protected String entryListenBlock() {
        return "transport = socks5, address = \"127.0.0.1:0\"";
    }

    /** Node 1 goes where its clients ask, and they ask for node 2 (a fixed dial would refuse them). */
    @Override
    protected String entryDialBlock(java.net.SocketAddress tunnelAddress) {
        return "transport = tcp, address = dynamic, allow = [\"127.0.0.0/8\"]";
    }

    @Override
    protected Socket connectTo(InetSocketAddress entry) throws IOException {
        Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, entry));
        s.setSoTimeout(20_000);
        s.connect(tunnelAddress(), 5000); // the SOCKS handshake: node 1 dials node 2 for it
        return s;
    }
}
