package dev.tcptoany.transport.tcp;

import dev.tcptoany.api.SocketByteStream;
import dev.tcptoany.api.StreamAcceptor;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The child handler of the tcp listener: hands each accepted socket to the host once it is active
 * (auto-read is off from the child options). Shared by every accepted channel, removed once used.
 */
@ChannelHandler.Sharable
final class HandOverWhenActive extends ChannelInboundHandlerAdapter {
    private final StreamAcceptor acceptor;

    HandOverWhenActive(StreamAcceptor acceptor) {
        this.acceptor = acceptor;
    }

    @Override
    public void channelActive(ChannelHandlerContext c) {
        c.pipeline().remove(this);
        acceptor.accept(new SocketByteStream(c.channel(), "tcp"));
        c.fireChannelActive();
    }
}
