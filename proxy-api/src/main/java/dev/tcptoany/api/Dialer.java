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

    /** Closes pooled connections (a QUIC dialer sends an application close). Idempotent. */
    Future<?> close();
}
