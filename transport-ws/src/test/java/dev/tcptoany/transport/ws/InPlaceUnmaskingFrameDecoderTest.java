package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.LeakDetection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link InPlaceUnmaskingFrameDecoder} against Netty's encoder: whatever {@link WebSocket08FrameEncoder}
 * writes, masked (client frames) and unmasked (server frames), cut into reads at arbitrary points
 * (headers included), decodes to the same messages byte for byte, with control frames between the
 * fragments of a message, and every buffer released.
 */
@ExtendWith(LeakDetection.class)
class InPlaceUnmaskingFrameDecoderTest {
    private static final int MAX_FRAME = 1 << 20;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void whatNettysEncoderWritesDecodesByteExactAcrossArbitraryReads(boolean masked) {
        for (int seed = 0; seed < 12; seed++) {
            Random random = new Random(seed * 31L + (masked ? 1 : 0));
            List<String> sent = new ArrayList<>();
            byte[] wire = encode(masked, frames(random, sent));
            for (boolean direct : new boolean[] {true, false}) {
                List<ByteBuf> reads = cut(wire, random, direct);
                Decoded decoded = decode(masked, reads);
                assertThat(decoded.problem).as("seed %d", seed).isNull();
                assertThat(decoded.unfinished).isZero();
                assertThat(decoded.events).as("seed %d, masked %s, direct %s", seed, masked, direct).isEqualTo(sent);
                for (ByteBuf read : reads) {
                    assertThat(read.refCnt()).as("every read buffer released").isZero();
                }
            }
        }
    }

    @Test
    void aBinaryFrameInOneReadIsPassedOnAsASliceOfThatReadUnmasked() {
        byte[] payload = WebSocketStreamTest.random(70_000, 3);
        byte[] wire = encode(true, List.of(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload))));
        ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(wire.length).writeBytes(wire);
        EmbeddedChannel ch = new EmbeddedChannel(new InPlaceUnmaskingFrameDecoder(true, MAX_FRAME));
        ch.writeInbound(read);
        BinaryWebSocketFrame frame = ch.readInbound();
        try {
            assertThat(frame.isFinalFragment()).isTrue();
            assertThat(frame.content().memoryAddress()).as("no copy: a slice of the read buffer")
                    .isEqualTo(read.memoryAddress() + 14);
            assertThat(ByteBufUtil.getBytes(frame.content())).isEqualTo(payload);
            assertThat(read.getByte(14)).as("unmasked where it lay").isEqualTo(payload[0]);
        } finally {
            frame.release();
        }
        assertThat(read.refCnt()).isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aReadOnlyBufferIsCopiedBeforeUnmasking() {
        byte[] payload = WebSocketStreamTest.random(300, 4);
        byte[] wire = encode(true, List.of(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload))));
        byte[] original = wire.clone();
        Decoded decoded = decode(true, List.of(Unpooled.wrappedBuffer(wire).asReadOnly()));
        assertThat(decoded.events).containsExactly(data(payload));
        assertThat(wire).as("the read-only buffer's bytes are untouched").isEqualTo(original);
    }

    @Test
    void protocolViolationsEndDecodingWithTheCloseCodeNettyUses() {
        assertProblem(false, true, binaryFrame(true, 0x2, 5), 1002, "received a frame that is not masked as expected");
        assertProblem(true, false, binaryFrame(true, 0x2, 5), 1002, "received a frame that is not masked as expected");
        assertProblem(false, false, binaryFrame(true, 0x0, 5), 1002, "received continuation data frame outside fragmented message");
        assertProblem(false, false, concat(binaryFrame(false, 0x2, 5), binaryFrame(true, 0x2, 5)), 1002,
                "received non-continuation data frame while inside fragmented message");
        assertProblem(false, false, binaryFrame(true, 0x3, 5), 1002, "data frame using reserved opcode 3");
        assertProblem(false, false, binaryFrame(true, 0xB, 5), 1002, "control frame using reserved opcode 11");
        assertProblem(false, false, binaryFrame(false, 0x9, 5), 1002, "fragmented control frame");
        assertProblem(false, false, binaryFrame(true, 0x8, 1), 1002, "received close control frame with payload len 1");
        assertProblem(false, false, new byte[] {(byte) 0x82, 126, 0, 100}, 1002, "invalid data frame length (not using minimal length encoding)");
        assertProblem(false, false, new byte[] {(byte) 0xC2, 0}, 1002, "RSV != 0 and no extension negotiated, RSV:4");
        assertProblem(false, false, new byte[] {(byte) 0x82, 127, 0, 0, 0, 0, 0, 0x10, 0, 1}, 1009,
                "Max frame length of " + MAX_FRAME + " has been exceeded.");
        assertProblem(false, false, new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xEC}, 1002, "Invalid close frame getStatus code: 1004");
        assertProblem(false, false, new byte[] {(byte) 0x88, 3, 0x03, (byte) 0xE8, (byte) 0xFF}, 1007, "bytes are not UTF-8");
    }

    @Test
    void bytesAfterACloseOrAViolationAreDroppedAndReleased() {
        byte[] close = encode(true, List.of(new CloseWebSocketFrame(1000, "bye")));
        byte[] more = encode(true, List.of(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[40]))));
        List<ByteBuf> reads = List.of(direct(close), direct(more));
        Decoded decoded = decode(true, reads);
        assertThat(decoded.events).containsExactly("close 1000 bye");
        assertThat(reads).allSatisfy(b -> assertThat(b.refCnt()).isZero());

        List<ByteBuf> bad = List.of(direct(binaryFrame(true, 0x3, 4)), direct(more));
        assertThat(decode(true, bad).events).isEmpty();
        assertThat(bad).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    // ---- what is sent ----

    /**
     * A random conversation: binary messages of every length encoding, some cut into continuation
     * frames with pings and pongs between the fragments, text messages, and a Close at the end.
     * {@code sent} gets what the decoder must hand on, in order.
     */
    private static List<WebSocketFrame> frames(Random random, List<String> sent) {
        List<WebSocketFrame> frames = new ArrayList<>();
        int[] lengths = {0, 1, 7, 125, 126, 127, 1000, 65_535, 65_536, 65_537, 200_003};
        for (int m = 0; m < 14; m++) {
            int kind = random.nextInt(10);
            if (kind == 0) {
                String text = "fin" + m;
                frames.add(new TextWebSocketFrame(text));
                sent.add("text " + text);
                continue;
            }
            int length = random.nextBoolean() ? lengths[random.nextInt(lengths.length)] : random.nextInt(150_000);
            byte[] message = new byte[length];
            random.nextBytes(message);
            int fragments = kind < 4 ? 1 + random.nextInt(4) : 1;
            int at = 0;
            for (int f = 0; f < fragments; f++) {
                boolean last = f == fragments - 1;
                int end = last ? length : at + random.nextInt(length - at + 1);
                ByteBuf part = Unpooled.wrappedBuffer(message, at, end - at);
                frames.add(f == 0 ? new BinaryWebSocketFrame(last, 0, part) : new ContinuationWebSocketFrame(last, 0, part));
                at = end;
                if (!last && random.nextBoolean()) {
                    byte[] ping = new byte[random.nextInt(126)];
                    random.nextBytes(ping);
                    boolean isPing = random.nextBoolean();
                    frames.add(isPing ? new PingWebSocketFrame(Unpooled.wrappedBuffer(ping)) : new PongWebSocketFrame(Unpooled.wrappedBuffer(ping)));
                    sent.add((isPing ? "ping " : "pong ") + ByteBufUtil.hexDump(ping));
                }
            }
            sent.add(data(message)); // an empty message too: its final frame is passed on
        }
        frames.add(new CloseWebSocketFrame(1000, "done"));
        sent.add("close 1000 done");
        return frames;
    }

    private static byte[] encode(boolean masked, List<WebSocketFrame> frames) {
        EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket08FrameEncoder(masked));
        for (WebSocketFrame frame : frames) {
            encoder.writeOutbound(frame);
        }
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (ByteBuf out; (out = encoder.readOutbound()) != null; ) {
            wire.writeBytes(ByteBufUtil.getBytes(out));
            out.release();
        }
        encoder.finishAndReleaseAll();
        return wire.toByteArray();
    }

    /** The wire bytes in reads of 1 byte to 70 KB, as a socket might deliver them. */
    private static List<ByteBuf> cut(byte[] wire, Random random, boolean direct) {
        List<ByteBuf> reads = new ArrayList<>();
        for (int at = 0; at < wire.length; ) {
            int n = Math.min(wire.length - at, random.nextInt(4) == 0 ? 1 + random.nextInt(20) : 1 + random.nextInt(70_000));
            ByteBuf read = direct ? PooledByteBufAllocator.DEFAULT.directBuffer(n) : Unpooled.buffer(n);
            reads.add(read.writeBytes(wire, at, n));
            at += n;
        }
        return reads;
    }

    // ---- what is decoded ----

    /** @param unfinished data bytes of a message whose final part never came */
    private record Decoded(List<String> events, CorruptedWebSocketFrameException problem, int unfinished) {
    }

    /** Feeds the reads to the decoder and writes down what it hands on, data joined per message. */
    private static Decoded decode(boolean masked, List<ByteBuf> reads) {
        List<String> events = new ArrayList<>();
        CorruptedWebSocketFrameException[] problem = {null};
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        EmbeddedChannel ch = new EmbeddedChannel(new InPlaceUnmaskingFrameDecoder(masked, MAX_FRAME),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        WebSocketFrame frame = (WebSocketFrame) msg;
                        try {
                            ByteBuf content = frame.content();
                            if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
                                message.writeBytes(ByteBufUtil.getBytes(content));
                                if (frame.isFinalFragment()) {
                                    events.add(data(message.toByteArray()));
                                    message.reset();
                                }
                            } else if (frame instanceof TextWebSocketFrame text) {
                                events.add("text " + text.text());
                            } else if (frame instanceof PingWebSocketFrame) {
                                events.add("ping " + ByteBufUtil.hexDump(content));
                            } else if (frame instanceof PongWebSocketFrame) {
                                events.add("pong " + ByteBufUtil.hexDump(content));
                            } else if (frame instanceof CloseWebSocketFrame close) {
                                events.add("close " + close.statusCode() + " " + close.reasonText());
                            }
                        } finally {
                            frame.release();
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        problem[0] = (CorruptedWebSocketFrameException) cause;
                    }
                });
        for (ByteBuf read : reads) {
            ch.writeInbound(read);
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
        return new Decoded(events, problem[0], message.size());
    }

    private static void assertProblem(boolean serverSide, boolean maskedFrame, byte[] wire, int code, String message) {
        byte[] bytes = maskedFrame ? maskWithZeroKey(wire) : wire;
        for (int cutAt = 1; cutAt <= bytes.length; cutAt++) {
            List<ByteBuf> reads = cutAt == bytes.length ? List.of(direct(bytes))
                    : List.of(direct(java.util.Arrays.copyOf(bytes, cutAt)), direct(java.util.Arrays.copyOfRange(bytes, cutAt, bytes.length)));
            Decoded decoded = decode(serverSide, reads);
            assertThat(decoded.problem).as("%s, cut at %d", message, cutAt).isNotNull();
            assertThat(decoded.problem.closeStatus().code()).as(message).isEqualTo(code);
            assertThat(decoded.problem.getMessage()).isEqualTo(message);
            assertThat(decoded.events).isEmpty();
            assertThat(reads).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        }
    }

    /** An unmasked frame header with {@code length} zero bytes of payload (7-bit length). */
    private static byte[] binaryFrame(boolean fin, int opcode, int length) {
        byte[] frame = new byte[2 + length];
        frame[0] = (byte) ((fin ? 0x80 : 0) | opcode);
        frame[1] = (byte) length;
        return frame;
    }

    /** The same frame with the mask bit and an all-zero key (so the payload stays as it is). */
    private static byte[] maskWithZeroKey(byte[] frame) {
        byte[] out = new byte[frame.length + 4];
        out[0] = frame[0];
        out[1] = (byte) (frame[1] | 0x80);
        System.arraycopy(frame, 2, out, 6, frame.length - 2);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static ByteBuf direct(byte[] bytes) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    /** A message as its length and digest: equal contents, and a short line when they differ. */
    private static String data(byte[] message) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(message);
            return "data " + message.length + " " + ByteBufUtil.hexDump(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
