package dev.tcptoany.transport.quic;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The few bytes that open every stream under ALPN {@value Alpn#TCP_TO_ANY_V1}.
 *
 * <p>Why a header at all: a QUIC stream is invisible to the peer until its first frame arrives, so
 * without one node 2 would not learn of a TCP connection, and would not dial its target, until the
 * client sent a byte; protocols where the server speaks first (SMTP, MySQL, VNC banners) would hang.
 * The dialer writes the header as soon as it opens the stream.
 *
 * <pre>
 *   0      1      2      3      4 ...
 *   +------+------+------+------+----------------------+
 *   | ver  | flags| ext length  | extensions (TLVs)    |
 *   +------+------+------+------+----------------------+
 *   ver = 1; flags = 0 (reserved: a reader rejects any bit set, so a later version can give a flag a
 *   meaning an old reader must not ignore); ext length = big-endian byte count of the extensions.
 *   extension = type (1 byte) | length (2 bytes, big-endian) | value. Readers skip unknown types.
 * </pre>
 *
 * Version 1 defines no extensions; the area is room for later needs (a target name, a route).
 */
final class StreamHeader {
    static final int VERSION = 1;
    /** Version, flags and extension length. */
    static final int FIXED_LENGTH = 4;

    private StreamHeader() {
    }

    /** The version 1 header with no extensions. */
    static ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.directBuffer(FIXED_LENGTH);
        buf.writeByte(VERSION).writeByte(0).writeShort(0);
        return buf;
    }

    /** Why a stream's opening bytes are not a header we understand. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Consumes one complete header from {@code in} if it holds one.
     *
     * @return true when a header was consumed; false when more bytes are needed (nothing consumed)
     * @throws MalformedException for an unknown version or a malformed extension area
     */
    static boolean tryRead(ByteBuf in) throws MalformedException {
        if (in.readableBytes() < FIXED_LENGTH) {
            return false;
        }
        int start = in.readerIndex();
        int version = in.getUnsignedByte(start);
        if (version != VERSION) {
            throw new MalformedException("stream header version " + version + " is not supported (this node speaks "
                    + VERSION + ")");
        }
        int flags = in.getUnsignedByte(start + 1);
        if (flags != 0) {
            throw new MalformedException("stream header flags 0x" + Integer.toHexString(flags)
                    + " are not defined in version " + VERSION);
        }
        int extLength = in.getUnsignedShort(start + 2);
        if (in.readableBytes() < FIXED_LENGTH + extLength) {
            return false;
        }
        int pos = start + FIXED_LENGTH;
        int end = pos + extLength;
        while (pos < end) {
            if (end - pos < 3) {
                throw new MalformedException("truncated stream header extension");
            }
            int len = in.getUnsignedShort(pos + 1);
            pos += 3 + len;
            if (pos > end) {
                throw new MalformedException("stream header extension overruns the header");
            }
        }
        in.readerIndex(end);
        return true;
    }
}
