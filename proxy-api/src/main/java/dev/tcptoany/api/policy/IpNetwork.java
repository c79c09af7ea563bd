package dev.tcptoany.api.policy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IPv4 or IPv6 network, {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a single address is a /32 or /128. */
public final class IpNetwork {
    private static final byte[] V4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};
    private static final byte[] NAT64_PREFIX = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

    private final byte[] network;
    private final int prefixLength;

    private IpNetwork(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * Parses {@code address[/length]} with a dotted-quad IPv4 or an IPv6 address; throws
     * {@link IllegalArgumentException} with a reason. Host bits set below the prefix are an error
     * ({@code 10.0.0.1/8}), since they usually mean a typo.
     */
    public static IpNetwork parse(String text) {
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = NumericHost.literalBytes(addressText);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + addressText + "' is not an IP address");
        }
        int length = bytes.length * 8;
        if (slash >= 0) {
            try {
                length = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length < 0 || length > bytes.length * 8) {
                throw new IllegalArgumentException("'" + text + "': prefix length must be 0-" + bytes.length * 8);
            }
        }
        byte[] masked = mask(bytes, length);
        if (!Arrays.equals(masked, bytes)) {
            throw new IllegalArgumentException("'" + text + "' has bits set after the prefix; did you mean "
                    + new IpNetwork(masked, length) + "?");
        }
        return new IpNetwork(masked, length);
    }

    private static byte[] mask(byte[] bytes, int length) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, length - i * 8));
            out[i] &= (byte) (0xff << (8 - bitsHere));
        }
        return out;
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        return a.length == network.length && Arrays.equals(mask(a, prefixLength), network);
    }

    public int prefixLength() {
        return prefixLength;
    }

    /**
     * The address a policy judges: an IPv4-mapped ({@code ::ffff:0:0/96}) or NAT64
     * ({@code 64:ff9b::/96}) IPv6 address is judged as the IPv4 address it embeds, so
     * {@code ::ffff:127.0.0.1} is loopback.
     */
    public static InetAddress judged(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] a = address.getAddress();
            byte[] prefix = Arrays.copyOf(a, 12);
            if (Arrays.equals(prefix, V4_MAPPED_PREFIX) || Arrays.equals(prefix, NAT64_PREFIX)) {
                try {
                    return InetAddress.getByAddress(Arrays.copyOfRange(a, 12, 16));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e); // four bytes are always an address
                }
            }
        }
        return address;
    }

    @Override
    public String toString() {
        try {
            InetAddress a = InetAddress.getByAddress(network);
            String s = a instanceof Inet4Address ? a.getHostAddress() : compactV6(a);
            return s + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String compactV6(InetAddress a) {
        return io.netty.util.NetUtil.toAddressString(a);
    }
}
