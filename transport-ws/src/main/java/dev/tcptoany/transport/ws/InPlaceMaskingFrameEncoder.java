package dev.tcptoany.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The dialer's frame encoder: client frames must be masked (RFC 6455), and Netty's encoder copies
 * every payload into a new buffer to mask it. Here a data frame whose payload is a direct, writable
 * buffer (what the relay read from a socket, handed over with {@code write}) is masked where it
 * lies and goes out behind a separate header of at most 14 bytes: no copy. Everything else (control
 * frames; heap buffers, which often wrap an array the caller still reads) takes Netty's path.
 */
final class InPlaceMaskingFrameEncoder extends WebSocket13FrameEncoder {
    private static final int OPCODE_CONTINUATION = 0x0;
    private static final int OPCODE_BINARY = 0x2;

    InPlaceMaskingFrameEncoder() {
        super(true);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) throws Exception {
        ByteBuf payload = frame.content();
        boolean data = frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame;
        if (!data || !payload.isDirect() || payload.isReadOnly() || !payload.isReadable()) {
            super.encode(ctx, frame, out);
            return;
        }
        int mask = ThreadLocalRandom.current().nextInt();
        int length = payload.readableBytes();
        ByteBuf header = ctx.alloc().buffer(14);
        try {
            int opcode = frame instanceof BinaryWebSocketFrame ? OPCODE_BINARY : OPCODE_CONTINUATION;
            header.writeByte((frame.isFinalFragment() ? 0x80 : 0) | (frame.rsv() & 0x7) << 4 | opcode);
            if (length <= 125) {
                header.writeByte(0x80 | length);
            } else if (length <= 0xFFFF) {
                header.writeByte(0x80 | 126);
                header.writeShort(length);
            } else {
                header.writeByte(0x80 | 127);
                header.writeLong(length);
            }
            header.writeInt(mask);
            FrameMask.applyInPlace(payload, mask);
        } catch (RuntimeException e) {
            header.release();
            throw e;
        }
        out.add(header);
        out.add(payload.retain()); // the frame is released after encode; its payload goes on
    }
}
