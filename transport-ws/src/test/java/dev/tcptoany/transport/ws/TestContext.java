package dev.tcptoany.transport.ws;

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
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link TransportContext} for the transport's own tests, built like the host builds one: the
 * route block merged over this plugin's reference.conf defaults.
 */
final class TestContext implements TransportContext {
    /** Shared loops for every test in the JVM (daemon threads, NIO). */
    static final EventLoopGroup LOOPS = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

    /** What the transport rejected, as "reason: detail". */
    final List<String> rejected = new CopyOnWriteArrayList<>();

    private final String transport;
    private final Config config;

    private TestContext(String transport, Config config) {
        this.transport = transport;
        this.config = config;
    }

    static TestContext listen(String transport, String block) {
        return new TestContext(transport, merged(transport, "listen", block));
    }

    static TestContext dial(String transport, String block) {
        return new TestContext(transport, merged(transport, "dial", block));
    }

    static Config merged(String transport, String side, String block) {
        Config defaults = ConfigFactory.defaultReference().getConfig("proxy.transports." + transport + "." + side);
        return ConfigFactory.parseString(block).withFallback(defaults).resolve();
    }

    @Override
    public String transportName() {
        return transport;
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
        return new NetworkChannels() {
            @Override
            public String kind() {
                return "nio";
            }

            @Override
            public boolean isEpoll() {
                return false;
            }

            @Override
            public EventLoopGroup acceptorGroup() {
                return LOOPS;
            }

            @Override
            public EventLoopGroup workerGroup() {
                return LOOPS;
            }

            @Override
            public int workerThreads() {
                return 2;
            }

            @Override
            public Class<? extends ServerChannel> serverSocketChannelClass() {
                return NioServerSocketChannel.class;
            }

            @Override
            public Class<? extends SocketChannel> socketChannelClass() {
                return NioSocketChannel.class;
            }

            @Override
            public Class<? extends DatagramChannel> datagramChannelClass() {
                return NioDatagramChannel.class;
            }
        };
    }

    @Override
    public ByteBufAllocator allocator() {
        return PooledByteBufAllocator.DEFAULT;
    }

    @Override
    public TlsMaterials tls() {
        return TestTls.INSTANCE;
    }

    @Override
    public Path dataDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    @Override
    public PeerRejections rejections() {
        return (reason, peer, detail) -> rejected.add(reason + ": " + detail);
    }
}
