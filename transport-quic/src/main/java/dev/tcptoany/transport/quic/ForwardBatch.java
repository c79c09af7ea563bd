package dev.tcptoany.transport.quic;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelPromise;
import java.util.ArrayList;
import java.util.List;

/**
 * The writes {@link StreamWriteGate} hands quiche in one go, as one buffer.
 *
 * <p>Why one: Netty's QUIC stream channel runs quiche's send after every write it takes, so handing
 * over several writes produced several sends, each ending in a short packet and each its own
 * segmented (GSO) datagram. Measured on the 1500-MTU veth path: 48 KB forwarded per drain left in
 * sends of 12 KB on average; as one write, most of it leaves in sends of 56 KB and more. A
 * composite buffer costs no copy: quiche reads each component in place.
 */
final class ForwardBatch {
    private ByteBuf single;
    private CompositeByteBuf composite;
    private final List<ChannelPromise> promises = new ArrayList<>(4);

    /**
     * Adds a write; takes over the buffer.
     *
     * @param promise the write's promise, completed when quiche took the whole batch; null for a
     *                slice whose write is not complete yet
     */
    void add(ByteBufAllocator alloc, ByteBuf buf, ChannelPromise promise) {
        if (single == null && composite == null) {
            single = buf;
        } else {
            if (composite == null) {
                composite = alloc.compositeDirectBuffer(16);
                composite.addComponent(true, single);
                single = null;
            }
            composite.addComponent(true, buf);
        }
        if (promise != null) {
            promises.add(promise);
        }
    }

    boolean isEmpty() {
        return single == null && composite == null;
    }

    /** The batch's bytes; the caller owns the buffer from here on. */
    ByteBuf content() {
        return composite != null ? composite : single;
    }

    /** The promises of the writes the batch completes. */
    List<ChannelPromise> promises() {
        return promises;
    }

    /** Completes every write's promise with the batch's outcome. */
    static void complete(List<ChannelPromise> promises, Throwable cause) {
        for (ChannelPromise p : promises) {
            if (cause == null) {
                p.trySuccess();
            } else {
                p.tryFailure(cause);
            }
        }
    }
}
