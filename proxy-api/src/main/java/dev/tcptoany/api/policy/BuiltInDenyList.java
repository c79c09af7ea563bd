package dev.tcptoany.api.policy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Destinations an exit refuses unless an {@code allow} entry names the address or a network
 * inside the blocked one explicitly ({@code any} or a wider network is not enough): this host,
 * "this network", link-local (where clouds serve instance metadata and credentials), multicast,
 * broadcast, the unspecified address, and AWS's IPv6 metadata address.
 */
final class BuiltInDenyList {
    private static final List<IpNetwork> NETWORKS = List.of(
            IpNetwork.parse("127.0.0.0/8"),
            IpNetwork.parse("0.0.0.0/8"),
            IpNetwork.parse("169.254.0.0/16"),
            IpNetwork.parse("224.0.0.0/4"),
            IpNetwork.parse("255.255.255.255/32"),
            IpNetwork.parse("::/128"),
            IpNetwork.parse("::1/128"),
            IpNetwork.parse("fe80::/10"),
            IpNetwork.parse("ff00::/8"),
            IpNetwork.parse("fd00:ec2::254/128"));

    private BuiltInDenyList() {
    }

    /** The blocked network holding {@code address} (already reduced to an embedded IPv4), if any. */
    static Optional<IpNetwork> blocking(InetAddress address) {
        return NETWORKS.stream().filter(n -> n.contains(address)).findFirst();
    }
}
