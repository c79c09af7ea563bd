package dev.tcptoany.transport.quic;

import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamType;

/** One QUIC connection a dialer opened, and what its slot knows about it. Slot-loop confined. */
final class PooledConnection {
    private final QuicChannel channel;
    private final DialerConnectionHandler handler;
    private final boolean original;
    private final DialerKeepAlive keepAlive;
    private int streams;
    /** Streams asked of quiche and not yet opened: they already use up stream credit. */
    private int creating;

    PooledConnection(QuicChannel channel, DialerConnectionHandler handler, boolean original,
                     DialerKeepAlive keepAlive) {
        this.channel = channel;
        this.handler = handler;
        this.original = original;
        this.keepAlive = keepAlive;
    }

    QuicChannel channel() {
        return channel;
    }

    /** The peer is the original tool (ALPN {@value Alpn#ORIGINAL}): one stream on this connection, ever. */
    boolean original() {
        return original;
    }

    DialerKeepAlive keepAlive() {
        return keepAlive;
    }

    boolean canTakeStream() {
        return !original && channel.isActive() && !keepAlive.suspect()
                && channel.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) - creating > 0;
    }

    /** Streams open or being opened: what the slot balances its connections by. */
    int load() {
        return streams + creating;
    }

    int openStreams() {
        return streams;
    }

    boolean hasNoStreams() {
        return streams == 0 && creating == 0;
    }

    void creatingStream() {
        creating++;
    }

    void creationEnded() {
        creating--;
    }

    void streamOpened() {
        streams++;
    }

    void streamClosed() {
        streams--;
    }

    /** Why the connection ended, for the log line. */
    String closeReason(long idleTimeoutMillis) {
        return channel.isTimedOut() ? "idle timeout (no answer within " + idleTimeoutMillis + " ms)"
                : handler.closeReason();
    }
}
