package dev.tcptoany.core;

import dev.tcptoany.api.HostPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * {@code proxy.admin.address} / {@code --admin}: where the admin endpoint listens. Unlike a tcp
 * listener, a bare port ({@code 9180}) or {@code :9180} means 127.0.0.1, because metrics and
 * route details are for the operator's machine unless they decide otherwise
 * ({@code proxy.admin.allow-remote}).
 */
final class AdminAddress {
    private AdminAddress() {
    }

    /**
     * @return empty for "" (the endpoint is off)
     * @throws IllegalArgumentException with a reason for anything that is not an address
     */
    static Optional<InetSocketAddress> parse(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            return Optional.empty();
        }
        if (s.matches("\\d+")) {
            s = ":" + s;
        }
        HostPort hp = HostPort.parse(s);
        if (s.startsWith(":")) {
            return Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), hp.port()));
        }
        if (hp.isWildcard()) {
            return Optional.of(new InetSocketAddress(hp.port()));
        }
        try {
            return Optional.of(new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port()));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "': cannot resolve " + hp.host());
        }
    }

    static boolean isLoopback(InetSocketAddress address) {
        return address.getAddress() != null && address.getAddress().isLoopbackAddress();
    }
}
