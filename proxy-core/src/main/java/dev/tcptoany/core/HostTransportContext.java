package dev.tcptoany.core;

import com.typesafe.config.Config;
import dev.tcptoany.api.NetworkChannels;
import dev.tcptoany.api.PeerRejections;
import dev.tcptoany.api.TlsMaterials;
import dev.tcptoany.api.TransportContext;
import dev.tcptoany.api.TransportMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.resolver.AddressResolverGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The context one route side's transport is created with.
 *
 * @param side      "listen" or "dial", the label of the transport's metrics
 * @param published where {@link #publishMetrics} keeps the transport's sources for the route
 */
record HostTransportContext(String transportName, String routeName, Config config, NetworkChannels network,
                            ByteBufAllocator allocator, TlsMaterials tls, Path dataDirectory,
                            PeerRejections rejections, AddressResolverGroup<InetSocketAddress> addressResolvers,
                            String side, PublishedTransportMetrics published)
        implements TransportContext {

    @Override
    public void publishMetrics(TransportMetrics metrics) {
        published.add(transportName, side, metrics);
    }
}
