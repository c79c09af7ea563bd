package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.Destination;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;

/**
 * A dial whose destination travels to the exit in a version 2 {@link StreamHeader}
 * ({@code forward-destination = true}). It waits in the pool like any dial; the stream opener
 * tells it apart by its type.
 */
final class ForwardingDial extends DefaultPromise<ByteStream> {
    private final Destination destination;

    ForwardingDial(EventExecutor executor, Destination destination) {
        super(executor);
        this.destination = destination;
    }

    Destination destination() {
        return destination;
    }
}
