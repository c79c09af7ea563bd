package dev.tcptoany.testkit;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Function;

/**
 * The middle hop of a relay test: the HOCON bodies of node 2's {@code listen {}} block and node 1's
 * {@code dial {}} block for one transport.
 *
 * <p>Node 1's dial block is built from the address node 2's listener actually bound (an ephemeral
 * port, say). IP transports implement {@link #dialBlock(InetSocketAddress)}; a transport whose
 * listeners bind something else (a Unix socket path, ...) uses {@link #ofAddress} or overrides
 * {@link #dialBlockFor(SocketAddress)}.
 */
public interface TunnelSpec {

    /** For example {@code transport = quic, address = "127.0.0.1:0"}. */
    String listenBlock();

    /** For example {@code transport = quic, address = "127.0.0.1:PORT", tls { insecure = true }}. */
    String dialBlock(InetSocketAddress node2);

    /**
     * Node 1's dial block for whatever node 2 bound. The default hands IP addresses to
     * {@link #dialBlock(InetSocketAddress)}; override it for other kinds of address.
     */
    default String dialBlockFor(SocketAddress node2) {
        if (node2 instanceof InetSocketAddress inet) {
            return dialBlock(inet);
        }
        throw new UnsupportedOperationException(this + ": node 2 bound " + node2 + " (" + node2.getClass().getName()
                + "), not an IP address; build the spec with TunnelSpec.ofAddress or override dialBlockFor");
    }

    /** A plain TCP middle hop: tcp -> tcp -> tcp. */
    static TunnelSpec tcp() {
        return of("tcp", "transport = tcp, address = \"127.0.0.1:0\"",
                a -> "transport = tcp, address = \"" + ProxyNodes.hostPort(a) + "\"");
    }

    /**
     * A plain TCP middle hop with 32 KiB socket buffers on both ends, so a half-closed connection must
     * wait for a full socket buffer after the peer's FIN before the bytes ahead of it are through.
     */
    static TunnelSpec tcpSmallBuffers() {
        String buffers = ", send-buffer = 32KiB, receive-buffer = 32KiB";
        return of("tcp-small-buffers", "transport = tcp, address = \"127.0.0.1:0\"" + buffers,
                a -> "transport = tcp, address = \"" + ProxyNodes.hostPort(a) + "\"" + buffers);
    }

    /** Builds a spec from a listen block and a dial block that depends on node 2's address. */
    static TunnelSpec of(String name, String listen, Function<InetSocketAddress, String> dial) {
        return ofAddress(name, listen, node2 -> {
            if (node2 instanceof InetSocketAddress inet) {
                return dial.apply(inet);
            }
            throw new UnsupportedOperationException(name + ": node 2 bound " + node2 + ", not an IP address;"
                    + " build the spec with TunnelSpec.ofAddress");
        });
    }

    /**
     * Builds a spec for a transport whose listener binds any kind of {@link SocketAddress}, e.g. a
     * {@code io.netty.channel.unix.DomainSocketAddress}.
     */
    static TunnelSpec ofAddress(String name, String listen, Function<SocketAddress, String> dial) {
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
            public String dialBlockFor(SocketAddress node2) {
                return dial.apply(node2);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
