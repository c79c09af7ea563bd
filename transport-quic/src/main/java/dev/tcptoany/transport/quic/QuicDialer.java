package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.DialRequest;
import dev.tcptoany.api.Dialer;
import dev.tcptoany.api.TransportContext;
import io.netty.util.concurrent.Future;
import java.util.List;

/**
 * Opens QUIC streams to one upstream for one route: each dial is a new bidirectional stream on a
 * pooled connection ({@link QuicConnectionPool}). The stream lives on its connection's event loop,
 * not on the loop of the request.
 */
public final class QuicDialer implements Dialer {
    private final QuicConnectionPool pool;
    private final QuicConnectionStatistics statistics;
    private final boolean forwardDestination;

    QuicDialer(TransportContext context, QuicDialerSettings settings) {
        this.forwardDestination = settings.forwardDestination();
        this.statistics = new QuicConnectionStatistics("quic dialer of route " + context.routeName() + " to "
                + settings.address());
        // TLS context built once: no key generation or certificate parsing per connection.
        this.pool = new QuicConnectionPool(context, settings, QuicTlsContexts.forDialer(context.tls(), settings),
                statistics);
        context.publishMetrics(statistics.metrics());
    }

    @Override
    public Future<ByteStream> dial(DialRequest request) {
        if (forwardDestination) {
            return pool.openStream(request.eventLoop(), request.description(), request.destination());
        }
        return pool.openStream(request.eventLoop(), request.description());
    }

    @Override
    public boolean dialsClientDestination() {
        return forwardDestination;
    }

    /** Open QUIC connections to the upstream (approximate; for tests and metrics). */
    public int openConnections() {
        return pool.openConnections();
    }

    /** What quiche knows about each open connection's path (for tests; the metrics API comes later). */
    Future<List<QuicPathStatistics>> pathStatistics() {
        return statistics.snapshot();
    }

    @Override
    public Future<?> close() {
        return pool.close();
    }
}
