package dev.tcptoany.testkit;

import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The original four-node picture in one JVM: node 1 (tcp in, tunnel out) and node 2 (tunnel in,
 * tcp out to a real server), each a separate {@link Proxy} on ephemeral ports.
 */
public final class ProxyNodes implements AutoCloseable {
    private final Proxy node2;
    private final Proxy node1;

    /**
     * @param tunnel     which transports the middle hop uses
     * @param upstream   the TCP server behind node 2
     * @param dataDir    state directory (generated certificates)
     * @param extra      HOCON appended to both nodes' configs (timeouts...)
     */
    public ProxyNodes(TunnelSpec tunnel, InetSocketAddress upstream, Path dataDir, String extra) {
        this(tunnel, upstream, dataDir, extra, "");
    }

    /**
     * @param node2Route HOCON inside node 2's route block, next to its listen and dial blocks
     *                   (e.g. {@code max-open-connections = 1}): settings of the tunnel's listen side
     */
    public ProxyNodes(TunnelSpec tunnel, InetSocketAddress upstream, Path dataDir, String extra, String node2Route) {
        this(tunnel, upstream, dataDir, extra, node2Route, "transport = tcp, address = \"127.0.0.1:0\"");
    }

    /**
     * @param entryListen node 1's listen block, where clients connect (an entry point such as
     *                    socks5 instead of plain tcp)
     */
    public ProxyNodes(TunnelSpec tunnel, InetSocketAddress upstream, Path dataDir, String extra, String node2Route,
                      String entryListen) {
        this(tunnel, upstream, dataDir, extra, node2Route, entryListen, tunnel::dialBlockFor);
    }

    /**
     * @param entryDial node 1's dial block for node 2's bound address: the tunnel's by default; an
     *                  entry point, whose clients name their destination, needs a dial that goes
     *                  there (e.g. tcp {@code address = dynamic}, the clients naming node 2)
     */
    public ProxyNodes(TunnelSpec tunnel, InetSocketAddress upstream, Path dataDir, String extra, String node2Route,
                      String entryListen, Function<SocketAddress, String> entryDial) {
        String common = "proxy.data-dir = \"" + dataDir.toString().replace("\\", "/") + "\"\n" + extra + "\n";
        this.node2 = Proxy.start(ConfigLoader.parseString(common
                + "proxy.routes.node2 {\n listen { " + tunnel.listenBlock() + " }\n"
                + " dial { transport = tcp, address = \"" + hostPort(upstream) + "\" }\n" + node2Route + "\n}\n", "node2"));
        // Whatever node 2 bound: an IP address and port for tcp/quic/ws, a socket path for unix.
        SocketAddress tunnelAddress = node2.boundAddresses("node2").get(0);
        Proxy n1;
        try {
            n1 = Proxy.start(ConfigLoader.parseString(common
                    + "proxy.routes.node1 {\n listen { " + entryListen + " }\n"
                    + " dial { " + entryDial.apply(tunnelAddress) + " }\n}\n", "node1"));
        } catch (RuntimeException e) {
            node2.close();
            throw e;
        }
        this.node1 = n1;
    }

    /** Where node 2 listens for the tunnel (what an entry point's clients ask for, with a dynamic node 1). */
    public SocketAddress tunnelAddress() {
        return node2.boundAddresses("node2").get(0);
    }

    /** Where clients connect: node 1's listener. */
    public InetSocketAddress entry() {
        return (InetSocketAddress) node1.boundAddresses("node1").get(0);
    }

    public Proxy node1() {
        return node1;
    }

    public Proxy node2() {
        return node2;
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public void close() {
        node1.close();
        node2.close();
    }
}
