package dev.tcptoany.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * The frame decoder of the relay path (RFC 6455 without extensions). Netty's decoder collects each
 * frame's payload into a new buffer and unmasks it there 8 bytes at a time through index-checked
 * calls: 7-34% of the listening node's CPU in a single-stream profile. Here the payload of a binary
 * frame is unmasked where it was read and passed on at once as a retained slice of the read buffer,
 * in as many parts as the reads cut it into, the key rotated for each part's offset in the frame. A
 * frame therefore never waits whole in memory; {@code max-frame-size} still refuses larger ones with
 * 1009, as before.
 *
 * <p>Binary data leaves as {@link BinaryWebSocketFrame} (parts of a binary frame) and
 * {@link ContinuationWebSocketFrame} (parts of its continuation frames); the final part of a
 * message's last frame is marked final. Text, close, ping and pong frames are small and leave whole,
 * as Netty's decoder sends them. Protocol violations end decoding with a
 * {@link CorruptedWebSocketFrameException} carrying the close code (1002, or 1009 for too large),
 * the same texts Netty uses, and everything after them is discarded; so is everything after a Close.
 *
 * <p>Used only with compression off: permessage-deflate needs the RSV bit and whole frames and
 * keeps Netty's decoder ({@link FrameSettings#newFrameDecoder}).
 */
final class InPlaceUnmaskingFrameDecoder extends ChannelInboundHandlerAdapter {
    private static final int OPCODE_CONTINUATION = 0x0;
    private static final int OPCODE_TEXT = 0x1;
    private static final int OPCODE_BINARY = 0x2;
    private static final int OPCODE_CLOSE = 0x8;
    private static final int OPCODE_PING = 0x9;
    private static final int OPCODE_PONG = 0xA;
    private static final int LARGEST_HEADER = 14;

    private final boolean expectMasked;
    private final int maxFramePayload;

    /** The current frame's header as far as it has arrived (it may be cut between reads). */
    private final byte[] header = new byte[LARGEST_HEADER];
    private int headerLength;

    /** True between a complete header and the last byte of its payload. */
    private boolean inPayload;
    private boolean fin;
    private int opcode;
    private int mask;
    private long payloadLength;
    /** How much of the current payload has been passed on (or collected): where the key continues. */
    private long payloadDone;

    /** The opcode of the message whose continuation frames are expected, or -1 outside one. */
    private int fragmentedOpcode = -1;
    /** A control or text frame's payload, collected until complete. */
    private ByteBuf collected;

    /** After a protocol violation or a Close: every further byte is dropped. */
    private boolean discarding;
    private boolean firedInThisRead;

    /**
     * @param expectMasked    true on the server side: every client frame must be masked
     * @param maxFramePayload larger frames are refused with 1009
     */
    InPlaceUnmaskingFrameDecoder(boolean expectMasked, int maxFramePayload) {
        this.expectMasked = expectMasked;
        this.maxFramePayload = maxFramePayload;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf buf = in;
        try {
            if (expectMasked && buf.isReadOnly()) {
                // Unmasking writes into the buffer; one we may not write to is copied first.
                buf = ctx.alloc().buffer(in.readableBytes()).writeBytes(in);
                in.release();
            }
            while (!discarding && buf.isReadable()) {
                if (!inPayload) {
                    if (!readHeader(ctx, buf)) {
                        break;
                    }
                    if (payloadLength == 0) {
                        endFrame(ctx);
                    }
                } else {
                    readPayload(ctx, buf);
                }
            }
        } finally {
            buf.release();
        }
    }

    /** Collects header bytes and checks the header once complete; false while more are needed. */
    private boolean readHeader(ChannelHandlerContext ctx, ByteBuf in) {
        int needed = headerLength < 2 ? 2 : headerSize();
        while (headerLength < needed && in.isReadable()) {
            header[headerLength++] = in.readByte();
            if (headerLength == 2) {
                if (!checkFirstTwoBytes(ctx)) {
                    return false;
                }
                needed = headerSize();
            }
        }
        if (headerLength < needed) {
            return false;
        }
        int length7 = header[1] & 0x7F;
        int at = 2;
        if (length7 == 126) {
            payloadLength = (header[2] & 0xFF) << 8 | header[3] & 0xFF;
            at = 4;
            if (payloadLength < 126) {
                return violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "invalid data frame length (not using minimal length encoding)");
            }
        } else if (length7 == 127) {
            payloadLength = 0;
            for (; at < 10; at++) {
                payloadLength = payloadLength << 8 | header[at] & 0xFF;
            }
            if (payloadLength < 0) {
                return violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "invalid data frame length (negative length)");
            }
            if (payloadLength < 65536) {
                return violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "invalid data frame length (not using minimal length encoding)");
            }
        } else {
            payloadLength = length7;
        }
        if (payloadLength > maxFramePayload) {
            return violation(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, "Max frame length of " + maxFramePayload + " has been exceeded.");
        }
        mask = 0;
        if ((header[1] & 0x80) != 0) {
            mask = (header[at] & 0xFF) << 24 | (header[at + 1] & 0xFF) << 16 | (header[at + 2] & 0xFF) << 8 | header[at + 3] & 0xFF;
        }
        headerLength = 0;
        inPayload = true;
        payloadDone = 0;
        if (!isBinaryData()) {
            collected = ctx.alloc().buffer((int) payloadLength);
        }
        return true;
    }

    /** The whole header's size, known from its first two bytes. */
    private int headerSize() {
        int length7 = header[1] & 0x7F;
        int size = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
        return (header[1] & 0x80) != 0 ? size + 4 : size;
    }

    /** RFC 6455 section 5.2-5.5, in the order and with the texts of Netty's decoder. */
    private boolean checkFirstTwoBytes(ChannelHandlerContext ctx) {
        fin = (header[0] & 0x80) != 0;
        int rsv = (header[0] & 0x70) >> 4;
        opcode = header[0] & 0x0F;
        boolean masked = (header[1] & 0x80) != 0;
        int length7 = header[1] & 0x7F;
        if (rsv != 0) {
            return violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "RSV != 0 and no extension negotiated, RSV:" + rsv);
        }
        if (masked != expectMasked) {
            return violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "received a frame that is not masked as expected");
        }
        if (opcode > 7) {
            if (!fin) {
                return violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "fragmented control frame");
            }
            if (length7 > 125) {
                return violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "control frame with payload length > 125 octets");
            }
            if (opcode != OPCODE_CLOSE && opcode != OPCODE_PING && opcode != OPCODE_PONG) {
                return violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "control frame using reserved opcode " + opcode);
            }
            if (opcode == OPCODE_CLOSE && length7 == 1) {
                return violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "received close control frame with payload len 1");
            }
            return true;
        }
        if (opcode != OPCODE_CONTINUATION && opcode != OPCODE_TEXT && opcode != OPCODE_BINARY) {
            return violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "data frame using reserved opcode " + opcode);
        }
        if (opcode == OPCODE_CONTINUATION && fragmentedOpcode < 0) {
            return violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "received continuation data frame outside fragmented message");
        }
        if (opcode != OPCODE_CONTINUATION && fragmentedOpcode >= 0) {
            return violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "received non-continuation data frame while inside fragmented message");
        }
        return true;
    }

    /** Binary frames and the continuation frames of a binary message stream through; the rest is collected. */
    private boolean isBinaryData() {
        return opcode == OPCODE_BINARY || opcode == OPCODE_CONTINUATION && fragmentedOpcode == OPCODE_BINARY;
    }

    private void readPayload(ChannelHandlerContext ctx, ByteBuf in) {
        int n = (int) Math.min(payloadLength - payloadDone, in.readableBytes());
        if (isBinaryData()) {
            int start = in.readerIndex();
            if (mask != 0) {
                FrameMask.applyInPlace(in, start, n, FrameMask.rotatedFor(mask, payloadDone));
            }
            payloadDone += n;
            boolean last = payloadDone == payloadLength;
            ByteBuf part = in.readRetainedSlice(n);
            fire(ctx, opcode == OPCODE_BINARY
                    ? new BinaryWebSocketFrame(last && fin, 0, part)
                    : new ContinuationWebSocketFrame(last && fin, 0, part));
            if (last) {
                endFrame(ctx);
            }
            return;
        }
        collected.writeBytes(in, n);
        payloadDone += n;
        if (payloadDone == payloadLength) {
            endFrame(ctx);
        }
    }

    /** The frame's last byte is in: pass on what was collected and track fragmentation. */
    private void endFrame(ChannelHandlerContext ctx) {
        inPayload = false;
        if (opcode > 7) {
            endControlFrame(ctx);
            return;
        }
        boolean binary = isBinaryData();
        fragmentedOpcode = fin ? -1 : opcode == OPCODE_CONTINUATION ? fragmentedOpcode : opcode;
        if (binary) {
            if (payloadLength == 0) {
                // Nothing was passed on, but it may be the message's end (an empty final fragment).
                fire(ctx, opcode == OPCODE_BINARY ? new BinaryWebSocketFrame(fin, 0, Unpooled.EMPTY_BUFFER)
                        : new ContinuationWebSocketFrame(fin, 0, Unpooled.EMPTY_BUFFER));
            }
            return; // passed on as it arrived
        }
        ByteBuf text = takeCollected();
        fire(ctx, opcode == OPCODE_TEXT ? new TextWebSocketFrame(fin, 0, text) : new ContinuationWebSocketFrame(fin, 0, text));
    }

    private void endControlFrame(ChannelHandlerContext ctx) {
        ByteBuf payload = takeCollected();
        switch (opcode) {
            case OPCODE_PING -> fire(ctx, new PingWebSocketFrame(true, 0, payload));
            case OPCODE_PONG -> fire(ctx, new PongWebSocketFrame(true, 0, payload));
            default -> {
                CorruptedWebSocketFrameException bad = closeBodyProblem(payload);
                if (bad != null) {
                    payload.release();
                    violation(ctx, bad);
                    return;
                }
                discarding = true; // nothing follows a Close (RFC 6455 section 5.5.1)
                fire(ctx, new CloseWebSocketFrame(true, 0, payload));
            }
        }
    }

    private ByteBuf takeCollected() {
        ByteBuf payload = collected;
        collected = null;
        if (mask != 0) {
            FrameMask.applyInPlace(payload, mask);
        }
        return payload;
    }

    /** A Close body is empty or a valid status code followed by UTF-8; null when it is. */
    private static CorruptedWebSocketFrameException closeBodyProblem(ByteBuf body) {
        if (!body.isReadable()) {
            return null;
        }
        if (body.readableBytes() < 2) {
            return new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "Invalid close frame body");
        }
        int code = body.getUnsignedShort(body.readerIndex());
        if (!WebSocketCloseStatus.isValidStatusCode(code)) {
            return new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, "Invalid close frame getStatus code: " + code);
        }
        ByteBuffer reason = body.nioBuffer(body.readerIndex() + 2, body.readableBytes() - 2);
        try {
            StandardCharsets.UTF_8.newDecoder().decode(reason); // reports malformed input by default
            return null;
        } catch (CharacterCodingException e) {
            return new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "bytes are not UTF-8");
        }
    }

    private void fire(ChannelHandlerContext ctx, WebSocketFrame frame) {
        firedInThisRead = true;
        ctx.fireChannelRead(frame);
    }

    private boolean violation(ChannelHandlerContext ctx, WebSocketCloseStatus status, String why) {
        return violation(ctx, new CorruptedWebSocketFrameException(status, why));
    }

    /** Decoding ends here: the stream handler answers with the exception's close code. */
    private boolean violation(ChannelHandlerContext ctx, CorruptedWebSocketFrameException e) {
        discarding = true;
        inPayload = false;
        ReferenceCountUtil.release(collected);
        collected = null;
        ctx.fireExceptionCaught(e);
        return false;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // As ByteToMessageDecoder does: a read that completed no frame part must not end the
        // reading when the reader asks for each read, or a header cut by a read would stall.
        if (!firedInThisRead && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
        firedInThisRead = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ReferenceCountUtil.release(collected);
        collected = null;
    }
}
