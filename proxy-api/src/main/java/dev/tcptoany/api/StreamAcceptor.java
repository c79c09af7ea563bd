package dev.tcptoany.api;

/** Receives the streams a {@link Listener} accepts. Implemented by the host's relay. */
@FunctionalInterface
public interface StreamAcceptor {

    /**
     * Takes ownership of {@code stream}: from here on the host reads, writes and closes it.
     * Called on the stream channel's event loop; must not block.
     */
    void accept(ByteStream stream);
}
