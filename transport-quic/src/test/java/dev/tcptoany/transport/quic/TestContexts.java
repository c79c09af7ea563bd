package dev.tcptoany.transport.quic;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tcptoany.api.NetworkChannels;
import dev.tcptoany.api.PeerRejections;
import dev.tcptoany.api.TlsMaterials;
import dev.tcptoany.api.TransportContext;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Event loops and TransportContexts for tests that drive the listener and dialer directly. */
final class TestContexts implements AutoCloseable {
    final boolean epoll = Epoll.isAvailable();
    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2,
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    final TestTls tls = new TestTls();
    final List<String> rejections = new CopyOnWriteArrayList<>();

    record Rejection(String reason, SocketAddress peer, String detail) {
    }

    final NetworkChannels network = new NetworkChannels() {
        @Override
        public String kind() {
            return epoll ? "epoll" : "nio";
        }

        @Override
        public boolean isEpoll() {
            return epoll;
        }

        @Override
        public EventLoopGroup acceptorGroup() {
            return group;
        }

        @Override
        public EventLoopGroup workerGroup() {
            return group;
        }

        @Override
        public int workerThreads() {
            return 2;
        }

        @Override
        public Class<? extends ServerChannel> serverSocketChannelClass() {
            return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> socketChannelClass() {
            return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        }

        @Override
        public Class<? extends DatagramChannel> datagramChannelClass() {
            return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        }
    };

    TransportContext listen(String hocon) {
        return context("listen", hocon);
    }

    TransportContext dial(String hocon) {
        return context("dial", hocon);
    }

    private TransportContext context(String side, String hocon) {
        Config reference = ConfigFactory.defaultReference(getClass().getClassLoader())
                .getConfig("proxy.transports.quic." + side);
        Config config = ConfigFactory.parseString(hocon).withFallback(reference).resolve();
        PeerRejections pr = (reason, peer, detail) -> rejections.add(reason + " " + peer + " " + detail);
        return new TransportContext() {
            @Override
            public String transportName() {
                return "quic";
            }

            @Override
            public String routeName() {
                return "test";
            }

            @Override
            public Config config() {
                return config;
            }

            @Override
            public NetworkChannels network() {
                return network;
            }

            @Override
            public ByteBufAllocator allocator() {
                return PooledByteBufAllocator.DEFAULT;
            }

            @Override
            public TlsMaterials tls() {
                return tls;
            }

            @Override
            public Path dataDirectory() {
                return Path.of("target", "quic-test-data");
            }

            @Override
            public PeerRejections rejections() {
                return pr;
            }
        };
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
