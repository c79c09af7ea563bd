package dev.tcptoany.core;

import dev.tcptoany.api.NetworkChannels;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.NameResolver;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The host's name resolution for dials ({@code TransportContext#addressResolvers}): Netty's
 * asynchronous DNS resolver, one per event loop of the host's loops (created on first use, closed
 * with {@link #close()}), sharing one cache. Queries go out on a datagram channel of the loops' own
 * kind (epoll or NIO) and never block the loop: a dial waits for its answer as it waits for a TCP
 * connect. /etc/hosts is read first and an IP literal is returned as it is, without a query;
 * answers are cached for their TTL. A failure names the host and says why
 * ({@link ExplainedResolutionFailures}).
 */
final class HostDnsResolvers extends DnsAddressResolverGroup {
    private final DnsSettings settings;

    HostDnsResolvers(NetworkChannels loops, DnsSettings settings) {
        super(builder(loops, settings));
        this.settings = settings;
    }

    private static DnsNameResolverBuilder builder(NetworkChannels loops, DnsSettings settings) {
        return new DnsNameResolverBuilder()
                .datagramChannelType(loops.datagramChannelClass())
                // Answers too large for UDP (truncated) are asked again over TCP.
                .socketChannelType(loops.socketChannelClass())
                .nameServerProvider(settings.servers().isEmpty()
                        ? DnsServerAddressStreamProviders.platformDefault()
                        : new SequentialDnsServerAddressStreamProvider(settings.servers()))
                .queryTimeoutMillis(Math.max(1, settings.queryTimeout().toMillis()));
    }

    @Override
    protected AddressResolver<InetSocketAddress> newAddressResolver(EventLoop loop, NameResolver<InetAddress> dns)
            throws Exception {
        return super.newAddressResolver(loop, new ExplainedResolutionFailures(loop, dns, settings));
    }
}
