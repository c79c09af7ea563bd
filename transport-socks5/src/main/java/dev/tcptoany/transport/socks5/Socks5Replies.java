package dev.tcptoany.transport.socks5;

import dev.tcptoany.api.DialFailure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The server's messages of RFC 1928 and 1929, written by hand: each is a few fixed bytes. A reply
 * names 0.0.0.0:0 as the bound address; CONNECT clients do not use it (curl, browsers and the
 * JDK ignore it), and the exit's real address may sit across a tunnel.
 */
final class Socks5Replies {
    static final int SUCCEEDED = 0x00;
    static final int GENERAL_FAILURE = 0x01;
    static final int NOT_ALLOWED = 0x02;
    static final int HOST_UNREACHABLE = 0x04;
    static final int REFUSED = 0x05;
    static final int TTL_EXPIRED = 0x06;
    static final int COMMAND_NOT_SUPPORTED = 0x07;
    static final int NO_ACCEPTABLE_METHOD = 0xff;

    private Socks5Replies() {
    }

    /** The reply code for a failed dial, as the table says. */
    static int code(DialFailure failure) {
        return switch (failure) {
            case NOT_ALLOWED -> NOT_ALLOWED;
            case UNREACHABLE -> HOST_UNREACHABLE;
            case REFUSED -> REFUSED;
            case TIMEOUT -> TTL_EXPIRED;
        };
    }

    /** VER 5, REP, RSV, ATYP IPv4, 0.0.0.0, port 0. */
    static ByteBuf reply(ByteBufAllocator alloc, int code) {
        return alloc.buffer(10).writeByte(5).writeByte(code).writeByte(0).writeByte(1).writeInt(0).writeShort(0);
    }

    /** The method selection: VER 5, METHOD (0x00 none, 0x02 username/password, 0xff none acceptable). */
    static ByteBuf method(ByteBufAllocator alloc, int method) {
        return alloc.buffer(2).writeByte(5).writeByte(method);
    }

    /** RFC 1929's answer: VER 1, STATUS 0 success, anything else failure. */
    static ByteBuf loginStatus(ByteBufAllocator alloc, boolean ok) {
        return alloc.buffer(2).writeByte(1).writeByte(ok ? 0 : 1);
    }
}
