package dev.tcptoany.transport.quic;

import dev.tcptoany.api.Destination;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

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
 *
 * <p>Version 2 carries the destination a client asked for (extension type {@value #DESTINATION}:
 * port, 2 bytes big-endian, then the host as ASCII, a name or an IP literal). It is a new version
 * rather than a skippable extension on purpose: a version-1 node resets the stream (unknown
 * version), so an old exit can never ignore the destination and dial its fixed upstream. The exit
 * answers a version-2 stream with one status byte before any payload ({@link ExitAnswer}).
 *
 * <p>Either version may carry the dialer's {@code token} (extension type {@value #TOKEN}: the token's
 * UTF-8 bytes), which an exit with {@code auth.tokens} looks up to learn whose allow list judges the
 * stream. A skippable extension this time, on purpose: an exit that checks no tokens may ignore one
 * (it would have admitted the stream anyway), and one that checks them refuses a stream without.
 */
final class StreamHeader {
    static final int VERSION = 1;
    /** The version whose header carries a destination. */
    static final int VERSION_DESTINATION = 2;
    /** Extension type of the destination (version 2). */
    static final int DESTINATION = 1;
    /** Extension type of the dialer's token (either version). */
    static final int TOKEN = 2;
    /** Longest token a header carries (UTF-8 bytes); a dialer's setting is checked against it. */
    static final int MAX_TOKEN_LENGTH = 1024;
    /** Version, flags and extension length. */
    static final int FIXED_LENGTH = 4;

    private StreamHeader() {
    }

    /** The version 1 header with no extensions. */
    static ByteBuf encode(ByteBufAllocator alloc) {
        return encode(alloc, null, null);
    }

    /** The version 2 header carrying {@code destination}. */
    static ByteBuf encode(ByteBufAllocator alloc, Destination destination) {
        return encode(alloc, destination, null);
    }

    /**
     * Version 2 with {@code destination} when there is one, else version 1; with the token extension
     * when {@code token} is not null.
     */
    static ByteBuf encode(ByteBufAllocator alloc, Destination destination, byte[] token) {
        byte[] host = destination == null ? null : destination.host().getBytes(StandardCharsets.US_ASCII);
        int ext = (host == null ? 0 : 3 + 2 + host.length) + (token == null ? 0 : 3 + token.length);
        ByteBuf buf = alloc.directBuffer(FIXED_LENGTH + ext);
        buf.writeByte(destination == null ? VERSION : VERSION_DESTINATION).writeByte(0).writeShort(ext);
        if (destination != null) {
            buf.writeByte(DESTINATION).writeShort(2 + host.length).writeShort(destination.port()).writeBytes(host);
        }
        if (token != null) {
            buf.writeByte(TOKEN).writeShort(token.length).writeBytes(token);
        }
        return buf;
    }

    /**
     * What a header said: a version 2 header names the destination, version 1 none; either may
     * carry a token.
     */
    record Parsed(int version, Optional<Destination> destination, Optional<String> token) {
        /** A stream of the original tool's ALPN: no header at all. */
        static final Parsed NONE = new Parsed(0, Optional.empty(), Optional.empty());
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
        return read(in) != null;
    }

    /**
     * Consumes one complete header from {@code in} if it holds one.
     *
     * @return what it said, or null when more bytes are needed (nothing consumed)
     * @throws MalformedException for an unknown version, a malformed extension area, or a version 2
     *                            header without a valid destination
     */
    static Parsed read(ByteBuf in) throws MalformedException {
        if (in.readableBytes() < FIXED_LENGTH) {
            return null;
        }
        int start = in.readerIndex();
        int version = in.getUnsignedByte(start);
        if (version != VERSION && version != VERSION_DESTINATION) {
            throw new MalformedException("stream header version " + version + " is not supported (this node speaks "
                    + VERSION + " and " + VERSION_DESTINATION + ")");
        }
        int flags = in.getUnsignedByte(start + 1);
        if (flags != 0) {
            throw new MalformedException("stream header flags 0x" + Integer.toHexString(flags)
                    + " are not defined in version " + VERSION);
        }
        int extLength = in.getUnsignedShort(start + 2);
        if (in.readableBytes() < FIXED_LENGTH + extLength) {
            return null;
        }
        int pos = start + FIXED_LENGTH;
        int end = pos + extLength;
        Optional<Destination> destination = Optional.empty();
        Optional<String> token = Optional.empty();
        while (pos < end) {
            if (end - pos < 3) {
                throw new MalformedException("truncated stream header extension");
            }
            int type = in.getUnsignedByte(pos);
            int len = in.getUnsignedShort(pos + 1);
            if (pos + 3 + len > end) {
                throw new MalformedException("stream header extension overruns the header");
            }
            if (type == DESTINATION && version == VERSION_DESTINATION) {
                if (len < 3) {
                    throw new MalformedException("destination extension too short");
                }
                int port = in.getUnsignedShort(pos + 3);
                String host = in.toString(pos + 5, len - 2, StandardCharsets.US_ASCII);
                try {
                    destination = Optional.of(new Destination(host, port));
                } catch (IllegalArgumentException e) {
                    throw new MalformedException("bad destination: " + e.getMessage());
                }
            } else if (type == TOKEN) {
                token = Optional.of(in.toString(pos + 3, len, StandardCharsets.UTF_8));
            }
            pos += 3 + len;
        }
        if (version == VERSION_DESTINATION && destination.isEmpty()) {
            throw new MalformedException("stream header version 2 without a destination");
        }
        in.readerIndex(end);
        return new Parsed(version, destination, token);
    }
}
