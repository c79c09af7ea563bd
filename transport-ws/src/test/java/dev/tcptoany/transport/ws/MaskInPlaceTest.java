package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.LeakDetection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link FrameMask#applyInPlace} against RFC 6455's definition, byte by byte, on
 * the kinds of buffer the relay hands over: pooled direct buffers (masked through their memory
 * address), slices of them at odd offsets, and heap buffers (the index-checked path), for lengths
 * around every 64-, 8- and 4-byte boundary.
 */
@ExtendWith(LeakDetection.class)
class MaskInPlaceTest {

    @Test
    void everyBufferKindAndLengthIsMaskedAsTheRfcDefinesIt() {
        Random random = new Random(6455);
        // Every length up to two 64-byte steps and their 8-byte and 1-byte tails, then longer ones.
        int[] lengths = java.util.stream.IntStream.concat(java.util.stream.IntStream.rangeClosed(0, 140),
                java.util.stream.IntStream.of(1000, 4099, 65_536, 65_541)).toArray();
        for (int length : lengths) {
            for (int offset = 0; offset < 9; offset++) {
                byte[] data = new byte[length];
                random.nextBytes(data);
                int mask = random.nextInt();
                byte[] expected = rfcMask(data, mask);

                ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(offset + length);
                ByteBuf heap = Unpooled.buffer(offset + length);
                try {
                    direct.writeZero(offset).writeBytes(data).readerIndex(offset);
                    FrameMask.applyInPlace(direct, mask);
                    assertThat(ByteBufUtil.getBytes(direct)).as("direct, length %d, offset %d", length, offset).isEqualTo(expected);

                    direct.clear().writeZero(offset + length);
                    ByteBuf slice = direct.slice(offset, length).clear().writeBytes(data);
                    FrameMask.applyInPlace(slice, mask);
                    assertThat(ByteBufUtil.getBytes(slice)).as("slice, length %d, offset %d", length, offset).isEqualTo(expected);
                    if (offset > 0) {
                        assertThat(direct.getByte(offset - 1)).isZero(); // nothing before the slice was touched
                    }

                    heap.writeZero(offset).writeBytes(data).readerIndex(offset);
                    FrameMask.applyInPlace(heap, mask);
                    assertThat(ByteBufUtil.getBytes(heap)).as("heap, length %d, offset %d", length, offset).isEqualTo(expected);
                } finally {
                    direct.release();
                    heap.release();
                }
            }
        }
    }

    @Test
    void aPayloadMaskedInPartsWithTheRotatedKeyEqualsItMaskedWhole() {
        // The decoder unmasks each read's part of a frame on its own, continuing the key.
        Random random = new Random(5);
        for (int round = 0; round < 200; round++) {
            byte[] data = new byte[1 + random.nextInt(300)];
            random.nextBytes(data);
            int mask = random.nextInt();
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(data.length).writeBytes(data);
            try {
                for (int at = 0; at < data.length; ) {
                    int n = Math.min(data.length - at, 1 + random.nextInt(20));
                    FrameMask.applyInPlace(buf, at, n, FrameMask.rotatedFor(mask, at));
                    at += n;
                }
                assertThat(ByteBufUtil.getBytes(buf)).isEqualTo(rfcMask(data, mask));
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void theDirectPathIsTakenForPooledDirectBuffers() {
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        try {
            // The fast path needs a memory address; if this fails the fallback still masks correctly,
            // but the profile's speed-up is gone.
            assertThat(direct.hasMemoryAddress()).isTrue();
        } finally {
            direct.release();
        }
    }

    /** RFC 6455 section 5.3: octet i of the payload is XORed with octet (i mod 4) of the key. */
    private static byte[] rfcMask(byte[] data, int mask) {
        byte[] key = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
        byte[] out = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (byte) (data[i] ^ key[i % 4]);
        }
        return out;
    }
}
