package dev.tcptoany.api;

import io.netty.util.concurrent.Future;

/**
 * Opens outgoing streams of one transport for one route. A dialer may pool or multiplex
 * (QUIC streams share connections); it is used from many event loops at once and must be
 * thread-safe.
 */
public interface Dialer {

    /**
     * Opens one stream. The returned future completes with an active stream whose auto-read is
     * <b>off</b>, or fails with an exception whose message says what was dialled and why it failed
     * (refused, unreachable, TLS, timeout). If the host cancels the future (its connect deadline
     * passed), the dialer must close whatever it was opening.
     *
     * <p>Transports that can (tcp, ws) open the channel on {@link DialRequest#eventLoop()}, so the
     * relay runs on one thread without hand-offs. Multiplexed transports may return a stream on
     * another loop; the host copes with both, provided the future completes <b>on the stream
     * channel's event loop</b>: the host adds its handler from the completion listener, and
     * anything the channel delivers before that handler is in place would be lost.
     */
    Future<ByteStream> dial(DialRequest request);

    /**
     * Whether this dialer goes where each client asked ({@link DialRequest#destination()}): a
     * dynamic dial, or one that carries the destination to an exit that does. A dialer with a fixed
     * target answers false (the default), and the host refuses a stream whose client named a
     * destination rather than connect it somewhere the client did not ask for.
     */
    default boolean dialsClientDestination() {
        return false;
    }

    /** Closes pooled connections (a QUIC dialer sends an application close). Idempotent. */
    Future<?> close();
}
