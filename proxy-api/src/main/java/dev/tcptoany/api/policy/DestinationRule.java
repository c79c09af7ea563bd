package dev.tcptoany.api.policy;

import java.net.InetAddress;
import java.util.Locale;

/**
 * One entry of an {@code allow} or {@code deny} list:
 * <ul>
 *   <li>{@code any}, or {@code any:443}: every destination (on those ports);</li>
 *   <li>a network or address: {@code 10.0.0.0/8}, {@code 10.0.0.0/8:22,443}, {@code 192.0.2.7:8000-8100},
 *       {@code 2001:db8::/32} or, with ports, {@code [2001:db8::/32]:443};</li>
 *   <li>a host name: {@code db.example:5432} that name only; {@code *.internal.example:443} any name
 *       below {@code internal.example} at any depth, but not {@code internal.example} itself.</li>
 * </ul>
 */
public final class DestinationRule {
    private enum Kind { ANY, NETWORK, NAME }

    private final Kind kind;
    private final IpNetwork network;
    /** For NAME: the exact name, or the suffix {@code .x} of a {@code *.x} pattern. */
    private final String name;
    private final boolean wildcard;
    private final PortSet ports;
    private final String text;

    private DestinationRule(Kind kind, IpNetwork network, String name, boolean wildcard, PortSet ports, String text) {
        this.kind = kind;
        this.network = network;
        this.name = name;
        this.wildcard = wildcard;
        this.ports = ports;
        this.text = text;
    }

    /** Parses one entry; throws {@link IllegalArgumentException} with a reason. */
    public static DestinationRule parse(String entry) {
        String s = entry.trim();
        String where;
        PortSet ports = PortSet.all();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + entry + "': '[' without ']'");
            }
            where = s.substring(1, close);
            String after = s.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("'" + entry + "': expected ':ports' after ']'");
                }
                ports = PortSet.parse(after.substring(1));
            }
            if (where.indexOf(':') < 0) {
                throw new IllegalArgumentException("'" + entry + "': brackets are for IPv6 networks");
            }
            return new DestinationRule(Kind.NETWORK, IpNetwork.parse(where), null, false, ports, s);
        }
        int colons = (int) s.chars().filter(c -> c == ':').count();
        if (colons > 1) {
            // A bare IPv6 network; ports need brackets, since the last ':' belongs to the address.
            return new DestinationRule(Kind.NETWORK, IpNetwork.parse(s), null, false, ports, s);
        }
        where = s;
        if (colons == 1) {
            where = s.substring(0, s.indexOf(':'));
            ports = PortSet.parse(s.substring(s.indexOf(':') + 1));
        }
        if (where.equalsIgnoreCase("any")) {
            return new DestinationRule(Kind.ANY, null, null, false, ports, s);
        }
        if (where.indexOf('/') >= 0 || NumericHost.literalBytes(where) != null) {
            return new DestinationRule(Kind.NETWORK, IpNetwork.parse(where), null, false, ports, s);
        }
        String host = where.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        boolean wildcard = host.startsWith("*.");
        String rest = wildcard ? host.substring(1) : host;
        if (!rest.matches("\\.?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")) {
            throw new IllegalArgumentException("'" + entry + "' is not 'any', a network (10.0.0.0/8, [2001:db8::/32]),"
                    + " a host name or a pattern like *.internal.example, with optional :ports");
        }
        try {
            if (NumericHost.parse(rest.startsWith(".") ? rest.substring(1) : rest).isPresent()) {
                throw new IllegalArgumentException("'" + entry + "': write an address as a dotted quad or a network");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + entry + "': write an address as a dotted quad or a network");
        }
        return new DestinationRule(Kind.NAME, null, rest, wildcard, ports, s);
    }

    boolean isAny() {
        return kind == Kind.ANY;
    }

    /** Whether this rule names the address's network itself (not {@code any}, not a name). */
    boolean isNetworkWithin(int prefixLength) {
        return kind == Kind.NETWORK && network.prefixLength() >= prefixLength;
    }

    /** For a name before any lookup: true when this rule is about that name and port. */
    boolean matchesName(String host, int port) {
        if (!ports.contains(port)) {
            return false;
        }
        return switch (kind) {
            case ANY -> true;
            case NETWORK -> false;
            case NAME -> wildcard ? host.endsWith(name) && host.length() > name.length() : host.equals(name);
        };
    }

    /** For an address (already reduced to the embedded IPv4 where there is one). */
    boolean matchesAddress(InetAddress address, int port) {
        if (!ports.contains(port)) {
            return false;
        }
        return switch (kind) {
            case ANY -> true;
            case NETWORK -> network.contains(address);
            case NAME -> false;
        };
    }

    /** Whether this rule could match some address on {@code port}: a network or {@code any} with that port. */
    boolean mayMatchSomeAddress(int port) {
        return kind != Kind.NAME && ports.contains(port);
    }

    /** As written, for log lines and refusals. */
    @Override
    public String toString() {
        return text;
    }
}
