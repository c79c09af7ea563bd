package dev.tcptoany.api;

import io.netty.util.concurrent.Future;
import java.net.SocketAddress;
import java.util.List;

/**
 * Accepts connections of one transport and hands each to the host as a {@link ByteStream}.
 *
 * <p>Lifecycle: {@link #start} once, then {@link #stopAccepting} when the host begins a graceful
 * shutdown (streams already handed over keep working), then {@link #close}.
 */
public interface Listener {

    /**
     * Binds and starts accepting. Every accepted stream is given to {@code acceptor} on the stream
     * channel's event loop, active, with auto-read <b>off</b>: the host adds its handler during
     * the call and turns reading on once the other side of the relay is ready. Bytes the channel
     * delivers anyway (epoll reads once when a FIN arrives) are kept by that handler.
     *
     * @return the addresses actually bound (ports resolved when 0 was asked), in bind order;
     *         failed with a message naming the address when binding fails
     */
    Future<List<SocketAddress>> start(StreamAcceptor acceptor);

    /**
     * Whether every client of this listener names its own destination (an entry point: SOCKS5,
     * HTTP CONNECT), so {@code check} can refuse a route that pairs it with a fixed dial. Default
     * false: a listener that may or may not carry one (a tunnel's exit side) says false.
     */
    default boolean clientsNameDestinations() {
        return false;
    }

    /** Stops taking new connections; streams already accepted stay open. Idempotent. */
    Future<?> stopAccepting();

    /** Releases everything: sockets, and streams still open are closed. Idempotent. */
    Future<?> close();
}
