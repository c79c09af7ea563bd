package dev.tcptoany.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.NetUtil;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The client's side of a SOCKS5 CONNECT (RFC 1928, no authentication), in front of a measuring handler:
 * that handler sees {@code channelActive} only once the entry answered 0x00, i.e. once the far end really
 * connected, so a set-up time or a latency measured from the connect includes the handshake. A name
 * (an unresolved target) goes as a name, for the entry to resolve. Any other reply fails the channel.
 */
final class Socks5ClientHandshake extends ChannelInboundHandlerAdapter {
    private final InetSocketAddress target;
    private ByteBuf received;
    private boolean methodChosen;

    Socks5ClientHandshake(InetSocketAddress target) {
        this.target = target;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        received = ctx.alloc().buffer(32);
        ctx.writeAndFlush(ctx.alloc().buffer(3).writeByte(5).writeByte(1).writeByte(0)); // no authentication
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            received.writeBytes(in);
        } finally {
            in.release();
        }
        if (!methodChosen) {
            if (received.readableBytes() < 2) {
                return;
            }
            if (received.readByte() != 5 || received.readByte() != 0) {
                fail(ctx, "the entry refused SOCKS5 without authentication");
                return;
            }
            methodChosen = true;
            ctx.writeAndFlush(connectRequest(ctx));
        }
        if (received.readableBytes() < 5) {
            return;
        }
        int start = received.readerIndex();
        int atyp = received.getUnsignedByte(start + 3);
        int length = 4 + switch (atyp) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> 1 + received.getUnsignedByte(start + 4);
            default -> -4;
        } + 2;
        if (length < 6) {
            fail(ctx, "malformed SOCKS5 reply (address type " + atyp + ")");
            return;
        }
        if (received.readableBytes() < length) {
            return;
        }
        int reply = received.getUnsignedByte(start + 1);
        if (reply != 0) {
            fail(ctx, "SOCKS5 reply 0x0" + Integer.toHexString(reply) + " for " + target);
            return;
        }
        received.skipBytes(length);
        ByteBuf rest = received;
        received = null;
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
        if (rest.isReadable()) {
            ctx.fireChannelRead(rest);
            ctx.fireChannelReadComplete();
        } else {
            rest.release();
        }
    }

    private ByteBuf connectRequest(ChannelHandlerContext ctx) {
        ByteBuf req = ctx.alloc().buffer(32).writeByte(5).writeByte(1).writeByte(0);
        byte[] literal = target.isUnresolved() ? NetUtil.createByteArrayFromIpAddressString(target.getHostString())
                : target.getAddress().getAddress();
        if (literal != null) {
            req.writeByte(literal.length == 4 ? 1 : 4).writeBytes(literal);
        } else {
            byte[] name = target.getHostString().getBytes(StandardCharsets.US_ASCII);
            req.writeByte(3).writeByte(name.length).writeBytes(name);
        }
        return req.writeShort(target.getPort());
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        ctx.fireExceptionCaught(new IOException(why));
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (received != null) {
            received.release();
            received = null;
        }
    }

    /** Our own few handshake bytes: the measuring handler is not active yet and must not start writing. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Closed during the handshake: the measuring handler never became active; let it know.
        ctx.fireChannelInactive();
    }
}
