package dev.tcptoany.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * The RFC 6455 masking key (section 5.3): octet i of a payload is XORed with octet (i mod 4) of
 * the key, so masking and unmasking are the same operation. Applied where the bytes lie: the
 * dialer's encoder masks the relay's buffer before it goes out, the decoder unmasks the buffer it
 * just read, both without a copy.
 */
final class FrameMask {
    private FrameMask() {
    }

    /**
     * The key to apply to a part of a payload that starts {@code offset} bytes into the frame:
     * a frame's payload often arrives over several reads, and each part must continue the key
     * where the previous one stopped.
     */
    static int rotatedFor(int mask, long offset) {
        return Integer.rotateLeft(mask, 8 * (int) (offset & 3));
    }

    /** XORs the readable bytes with the key, its first octet on the first readable byte. */
    static void applyInPlace(ByteBuf buf, int mask) {
        applyInPlace(buf, buf.readerIndex(), buf.readableBytes(), mask);
    }

    /**
     * XORs {@code length} bytes from {@code index} with the key, its first octet on the byte at
     * {@code index}, 8 bytes at a time. A buffer with a memory address is masked through it:
     * {@code getLong}/{@code setLong} check the index and the reference count and swap the byte
     * order on every call, and with them masking took a quarter of the dialing node's CPU on
     * loopback (bench/results/profiles/20261201-ws-masking.md).
     */
    static void applyInPlace(ByteBuf buf, int index, int length, int mask) {
        long mask64 = (mask & 0xFFFFFFFFL) << 32 | (mask & 0xFFFFFFFFL);
        int end = index + length;
        int i = index;
        if (buf.hasMemoryAddress() && PlatformDependent.isUnaligned()) {
            if (index < 0 || length < 0 || end > buf.capacity()) { // once, not per getLong
                throw new IndexOutOfBoundsException("index " + index + ", length " + length + ", capacity " + buf.capacity());
            }
            long base = buf.memoryAddress();
            // The key's first octet goes to the lowest address: as a long in native order.
            long native64 = PlatformDependent.BIG_ENDIAN_NATIVE_ORDER ? mask64 : Long.reverseBytes(mask64);
            for (; i + 8 <= end; i += 8) {
                long at = base + i;
                PlatformDependent.putLong(at, PlatformDependent.getLong(at) ^ native64);
            }
            for (int k = i - index; i < end; i++, k++) {
                long at = base + i;
                PlatformDependent.putByte(at, (byte) (PlatformDependent.getByte(at) ^ (mask >>> (24 - 8 * (k & 3)))));
            }
            return;
        }
        for (; i + 8 <= end; i += 8) {
            buf.setLong(i, buf.getLong(i) ^ mask64);
        }
        for (int k = i - index; i < end; i++, k++) {
            buf.setByte(i, buf.getByte(i) ^ (mask >>> (24 - 8 * (k & 3))));
        }
    }
}
