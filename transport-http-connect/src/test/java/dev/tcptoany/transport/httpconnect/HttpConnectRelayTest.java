package dev.tcptoany.transport.httpconnect;

import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The relay's behaviours (byte-exact payloads, half-close each way, resets each way, a paused
 * reader, a refused upstream, the connection limit) with an HTTP CONNECT entry: node 1's
 * http-connect listener -> tcp -> node 2 -> the server.
 */
class HttpConnectRelayTest extends RelayBehaviourSuite {
    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.tcp();
    }

    @Override
    protected String entryListenBlock() {
        return "transport = http-connect, address = \"127.0.0.1:0\"";
    }

    /** Node 1 goes where its clients ask, and they ask for node 2 (a fixed dial would refuse them). */
    @Override
    protected String entryDialBlock(java.net.SocketAddress tunnelAddress) {
        return "transport = tcp, address = dynamic, allow = [\"127.0.0.0/8\"]";
    }

    @Override
    protected Socket connectTo(InetSocketAddress entry) throws IOException {
        RawConnectClient c = new RawConnectClient(entry);
        c.socket.setSoTimeout(20_000);
        String head = c.connect("127.0.0.1:" + tunnelAddress().getPort(), null); // node 1 dials node 2 for it
        if (RawConnectClient.status(head) != 200) {
            c.close();
            throw new IOException("CONNECT answered " + head.lines().findFirst().orElse(""));
        }
        return c.socket;
    }
}
