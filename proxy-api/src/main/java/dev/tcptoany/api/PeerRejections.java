package dev.tcptoany.api;

import java.net.SocketAddress;

/**
 * Counts and logs peers a transport turned away. A rejection concerns one peer only: every other
 * connection keeps working.
 */
@FunctionalInterface
public interface PeerRejections {

    /**
     * @param reason a short stable key for the counter, e.g. {@code "tls-handshake"},
     *               {@code "bad-alpn"}, {@code "ws-forbidden-origin"}
     * @param peer   the remote address, or null when unknown
     * @param detail a human-readable sentence for the log
     */
    void record(String reason, SocketAddress peer, String detail);
}
