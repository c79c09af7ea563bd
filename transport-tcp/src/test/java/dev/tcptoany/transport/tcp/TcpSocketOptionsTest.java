package dev.tcptoany.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code nodelay} reaches both the accepted and the dialled socket, whichever way it is set: the
 * options leave TCP_NODELAY to the channel's own default when they agree with it (one setsockopt
 * less per socket), so the kernel's value is read back here on real loopback sockets.
 */
class TcpSocketOptionsTest {

    @ParameterizedTest(name = "nodelay = {0} on {1}")
    @CsvSource({"true, epoll", "false, epoll", "true, nio", "false, nio"})
    void nodelayReachesAcceptedAndDialledSockets(boolean nodelay, String kind) throws Exception {
        boolean epoll = kind.equals("epoll");
        org.junit.jupiter.api.Assumptions.assumeTrue(!epoll || Epoll.isAvailable(), "epoll is not available here");
        TcpSocketOptions options = TcpSocketOptions.fromConfig(ConfigFactory.parseString("nodelay = " + nodelay)
                .withFallback(ConfigFactory.defaultReference().getConfig("proxy.transports.tcp.listen")));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            CompletableFuture<Channel> accepted = new CompletableFuture<>();
            ServerBootstrap sb = new ServerBootstrap().group(group)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            accepted.complete(ctx.channel());
                        }

                        @Override
                        public boolean isSharable() {
                            return true;
                        }
                    });
            options.applyTo(sb);
            Channel server = sb.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            Bootstrap b = new Bootstrap().group(group)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter());
            options.applyTo(b);
            Channel dialled = b.connect(server.localAddress()).sync().channel();
            Channel child = accepted.get(5, TimeUnit.SECONDS);
            try {
                assertThat(dialled.config().getOption(ChannelOption.TCP_NODELAY)).isEqualTo(nodelay);
                assertThat(child.config().getOption(ChannelOption.TCP_NODELAY)).isEqualTo(nodelay);
                assertThat(dialled.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
                assertThat(child.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
            } finally {
                dialled.close().sync();
                child.close().sync();
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
