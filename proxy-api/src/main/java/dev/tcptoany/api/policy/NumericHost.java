package dev.tcptoany.api.policy;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Reads a destination host that is an address, never a name, the way the C library would:
 * IPv6 literals, and IPv4 in every form {@code inet_aton} accepts (decimal {@code 2130706433},
 * octal {@code 0177.0.0.1}, hex {@code 0x7f.1}, the short forms {@code 127.1} and {@code 10.1.1}).
 * A policy must judge such a host as the address it is, since any resolver or socket library on
 * the way would connect to that address; and it must never go to DNS.
 */
public final class NumericHost {
    private NumericHost() {
    }

    /**
     * The address {@code host} denotes, or empty when it is a name. A host whose last label is a
     * number (as the WHATWG URL standard decides) but that is not a valid IPv4 form is neither:
     * it throws {@link IllegalArgumentException}, so {@code 1.2.3.4.5} or {@code 0x1g} never
     * reach a resolver either.
     */
    public static Optional<InetAddress> parse(String host) {
        if (host.indexOf(':') >= 0) {
            if (host.indexOf('%') >= 0) {
                throw new IllegalArgumentException("'" + host + "': scoped IPv6 addresses are not accepted");
            }
            byte[] v6 = NetUtil.createByteArrayFromIpAddressString(host);
            if (v6 == null) {
                throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
            }
            return Optional.of(address(v6));
        }
        String lastLabel = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        lastLabel = lastLabel.substring(lastLabel.lastIndexOf('.') + 1);
        boolean allDigits = !lastLabel.isEmpty() && lastLabel.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!allDigits && (lastLabel.isEmpty() || number(lastLabel) < 0)) {
            return Optional.empty();
        }
        byte[] v4 = inetAton(host);
        if (v4 == null) {
            throw new IllegalArgumentException("'" + host + "' looks like an IPv4 address but is not a valid one");
        }
        return Optional.of(address(v4));
    }

    /** The bytes of a plain literal (dotted-quad IPv4 or IPv6), or null: what config files may write. */
    static byte[] literalBytes(String text) {
        if (text.indexOf(':') < 0 && !text.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            return null;
        }
        return NetUtil.createByteArrayFromIpAddressString(text);
    }

    private static byte[] inetAton(String host) {
        String s = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String[] parts = s.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long[] n = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            n[i] = number(parts[i]);
            if (n[i] < 0) {
                return null;
            }
        }
        // The last part fills every byte the earlier ones leave: a.b.c is 8.8.16 bits, a.b is 8.24, a is 32.
        long last = n[n.length - 1];
        int lastBits = 8 * (5 - n.length);
        if (last >= (1L << lastBits)) {
            return null;
        }
        long value = last;
        for (int i = 0; i < n.length - 1; i++) {
            if (n[i] > 255) {
                return null;
            }
            value |= n[i] << (8 * (3 - i));
        }
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    /** One inet_aton part: {@code 0x}-hex, {@code 0}-octal, or decimal; -1 when it is none (or absurdly long). */
    private static long number(String part) {
        int radix = 10;
        String digits = part;
        if (part.startsWith("0x") || part.startsWith("0X")) {
            radix = 16;
            digits = part.substring(2);
            if (digits.isEmpty()) {
                return 0; // inet_aton takes a bare "0x" as zero
            }
        } else if (part.length() > 1 && part.startsWith("0")) {
            radix = 8;
            digits = part.substring(1);
        }
        if (digits.isEmpty() || digits.length() > 11) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0) {
                return -1;
            }
        }
        return Long.parseLong(digits, radix);
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes are always an address
        }
    }
}
