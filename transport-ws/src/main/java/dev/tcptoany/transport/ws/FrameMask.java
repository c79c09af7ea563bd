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
     * {@code index}. A buffer with a memory address is masked through it, 64 bytes per step as
     * eight independent 8-byte loads then eight stores: {@code getLong}/{@code setLong} check the
     * index and the reference count and swap the byte order on every call (with them masking took
     * a quarter of the dialing node's CPU on loopback, bench/results/profiles/20261201-ws-masking.md),
     * and one 8-byte XOR per step through the address still ran at about 6 GB/s against 21-31 GB/s
     * this way (64 KiB and 16 KiB buffers, bench/results/profiles/20261201-ws-unmasking.md).
     */
    static void applyInPlace(ByteBuf buf, int index, int length, int mask) {
        long mask64 = (mask & 0xFFFFFFFFL) << 32 | (mask & 0xFFFFFFFFL);
        int end = index + length;
        int i = index;
        if (buf.hasMemoryAddress() && PlatformDependent.isUnaligned()) {
            if (index < 0 || length < 0 || end > buf.capacity()) { // once, not per access
                throw new IndexOutOfBoundsException("index " + index + ", length " + length + ", capacity " + buf.capacity());
            }
            long at = buf.memoryAddress() + index;
            long stop = at + length;
            // Bytes one at a time up to an 8-byte boundary, so no 8-byte access below straddles two
            // cache lines: a frame's payload starts wherever its 8- or 14-byte header ends in the
            // read buffer, and unaligned it unmasked 15-20% slower. The key continues where they stop.
            int head = (int) Math.min(length, -at & 7);
            for (int k = 0; k < head; at++, k++) {
                PlatformDependent.putByte(at, (byte) (PlatformDependent.getByte(at) ^ (mask >>> (24 - 8 * (k & 3)))));
            }
            mask = rotatedFor(mask, head);
            mask64 = (mask & 0xFFFFFFFFL) << 32 | (mask & 0xFFFFFFFFL);
            // The key's first octet goes to the lowest address: as a long in native order.
            long m = PlatformDependent.BIG_ENDIAN_NATIVE_ORDER ? mask64 : Long.reverseBytes(mask64);
            for (; at + 64 <= stop; at += 64) {
                long a0 = PlatformDependent.getLong(at);
                long a1 = PlatformDependent.getLong(at + 8);
                long a2 = PlatformDependent.getLong(at + 16);
                long a3 = PlatformDependent.getLong(at + 24);
                long a4 = PlatformDependent.getLong(at + 32);
                long a5 = PlatformDependent.getLong(at + 40);
                long a6 = PlatformDependent.getLong(at + 48);
                long a7 = PlatformDependent.getLong(at + 56);
                PlatformDependent.putLong(at, a0 ^ m);
                PlatformDependent.putLong(at + 8, a1 ^ m);
                PlatformDependent.putLong(at + 16, a2 ^ m);
                PlatformDependent.putLong(at + 24, a3 ^ m);
                PlatformDependent.putLong(at + 32, a4 ^ m);
                PlatformDependent.putLong(at + 40, a5 ^ m);
                PlatformDependent.putLong(at + 48, a6 ^ m);
                PlatformDependent.putLong(at + 56, a7 ^ m);
            }
            for (; at + 8 <= stop; at += 8) {
                PlatformDependent.putLong(at, PlatformDependent.getLong(at) ^ m);
            }
            // Whole 8-byte steps keep the key's phase, so the tail starts at its first octet.
            for (int k = 0; at < stop; at++, k++) {
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
