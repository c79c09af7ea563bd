package dev.tcptoany.transport.quic;

import dev.tcptoany.api.DialFailure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The exit's answer to a stream whose header named a destination: one byte before any payload,
 * 0 connected, 1 not allowed, 2 refused, 3 unreachable, 4 timeout. After a failure the exit ends
 * the stream (FIN), so the answer is never lost to a reset.
 */
final class ExitAnswer {
    static final int CONNECTED = 0;

    private ExitAnswer() {
    }

    /** @param failure null for connected */
    static ByteBuf encode(ByteBufAllocator alloc, DialFailure failure) {
        int code = failure == null ? CONNECTED : switch (failure) {
            case NOT_ALLOWED -> 1;
            case REFUSED -> 2;
            case UNREACHABLE -> 3;
            case TIMEOUT -> 4;
        };
        return alloc.directBuffer(1).writeByte(code);
    }

    /** The failure a status byte names; unknown codes count as unreachable. */
    static DialFailure failure(int code) {
        return switch (code) {
            case 1 -> DialFailure.NOT_ALLOWED;
            case 2 -> DialFailure.REFUSED;
            case 4 -> DialFailure.TIMEOUT;
            default -> DialFailure.UNREACHABLE;
        };
    }
}
