package dev.tcptoany.transport.quic;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * Bytes written to a QUIC stream from another event loop, already counted by its
 * {@link StreamWriteGate} on the writer's thread. A holder, so Netty releases the bytes if the write
 * fails before it reaches the gate.
 */
final class CrossLoopWrite extends DefaultByteBufHolder {
    CrossLoopWrite(ByteBuf bytes) {
        super(bytes);
    }
}
