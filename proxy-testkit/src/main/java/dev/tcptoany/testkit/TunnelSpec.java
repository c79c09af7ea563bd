package dev.tcptoany.testkit;

import java.net.InetSocketAddress;

/**
 * The middle hop of a relay test: the HOCON bodies of node 2's {@code listen {}} block and node 1's
 * {@code dial {}} block for one transport.
 */
public interface TunnelSpec {

    /** For example {@code transport = quic, address = "127.0.0.1:0"}. */
    String listenBlock();

    /** For example {@code transport = quic, address = "127.0.0.1:PORT", tls { insecure = true }}. */
    String dialBlock(InetSocketAddress node2);

    /** A plain TCP middle hop: tcp -> tcp -> tcp. */
    static TunnelSpec tcp() {
        return of("tcp", "transport = tcp, address = \"127.0.0.1:0\"",
                a -> "transport = tcp, address = \"" + ProxyNodes.hostPort(a) + "\"");
    }

    /** Builds a spec from a listen block and a dial block that depends on node 2's address. */
    static TunnelSpec of(String name, String listen, java.util.function.Function<InetSocketAddress, String> dial) {
        return new TunnelSpec() {
            @Override
            public String listenBlock() {
                return listen;
            }

            @Override
            public String dialBlock(InetSocketAddress node2) {
                return dial.apply(node2);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
