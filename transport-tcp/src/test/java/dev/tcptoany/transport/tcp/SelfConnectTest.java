package dev.tcptoany.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A dial to a port nobody listens on can connect a socket to itself (TCP simultaneous open, when the
 * kernel picks the target port as the source): the relay must see that as a refusal, not as an
 * upstream that echoes. The kernel's choice cannot be forced through the dialer, so the self-connect
 * is made on purpose here (bound to the port it connects to) and the check judged on real sockets.
 */
class SelfConnectTest {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void close() {
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Bootstrap bootstrap() {
        return new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInboundHandlerAdapter());
    }

    @Test
    void aSocketConnectedToItselfIsRecognised() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        InetSocketAddress self = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        Channel ch = bootstrap().connect(self, self).sync().channel();
        try {
            assertThat(ch.remoteAddress()).isEqualTo(self);
            assertThat(TcpConnector.connectedToItself(ch)).isTrue();
        } finally {
            ch.close().sync();
        }
    }

    @Test
    void anOrdinaryConnectionIsNot() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Channel ch = bootstrap().connect(server.getLocalSocketAddress()).sync().channel();
            try {
                assertThat(TcpConnector.connectedToItself(ch)).isFalse();
            } finally {
                ch.close().sync();
            }
        }
    }
}
