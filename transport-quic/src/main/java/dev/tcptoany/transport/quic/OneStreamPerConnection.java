package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.TimeUnit;

/**
 * The original tool's mode: when the peer picks ALPN {@value Alpn#ORIGINAL} (its listener serves
 * one stream per connection), every dial gets a connection of its own, closed after its stream.
 * Slot-loop confined.
 */
final class OneStreamPerConnection {
    private final EventLoop loop;
    private final long lingerMillis;
    private final DialerStreamOpener streams;

    OneStreamPerConnection(EventLoop loop, long lingerMillis, DialerStreamOpener streams) {
        this.loop = loop;
        this.lingerMillis = lingerMillis;
        this.streams = streams;
    }

    /** Gives a new connection its one dial; closes it when no dial is left waiting. */
    void takeDial(PooledConnection c, Promise<ByteStream> dial) {
        if (dial == null) {
            c.channel().close(true, QuicErrorCodes.NO_ERROR, ListenerConnectionHandler.reason("not needed"));
        } else {
            streams.open(c, dial);
        }
    }

    void streamClosed(PooledConnection c) {
        if (c.hasNoStreams()) {
            // Done with this connection. Linger so the last bytes and the FIN get acknowledged
            // before the connection goes.
            loop.schedule(() -> c.channel().close(true, QuicErrorCodes.NO_ERROR,
                    ListenerConnectionHandler.reason("stream done")), lingerMillis, TimeUnit.MILLISECONDS);
        }
    }
}
