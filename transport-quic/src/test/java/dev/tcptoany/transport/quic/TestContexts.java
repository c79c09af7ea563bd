package dev.tcptoany.transport.quic;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tcptoany.api.NetworkChannels;
import dev.tcptoany.api.PeerRejections;
import dev.tcptoany.api.TlsMaterials;
import dev.tcptoany.api.TransportContext;
import dev.tcptoany.core.EventLoops;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Event loops and TransportContexts for tests that drive the listener and dialer directly. */
final class TestContexts implements AutoCloseable {
    /** The host's own loops and channel classes, as a plugin runs on them. */
    final EventLoops network = new EventLoops(true, 2);
    final EventLoopGroup group = network.workerGroup();
    final TestTls tls = new TestTls();
    final List<String> rejections = new CopyOnWriteArrayList<>();

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
        network.close();
    }
}
