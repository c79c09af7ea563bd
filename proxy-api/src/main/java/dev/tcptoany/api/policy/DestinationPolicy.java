package dev.tcptoany.api.policy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.Destination;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an exit may connect to: {@code allow} and {@code deny} lists of {@link DestinationRule}s
 * plus the {@link BuiltInDenyList}. Judged on every stream, twice for a name:
 * <ol>
 *   <li>{@link #judgeName} before any lookup: a name no rule could admit is refused without asking
 *       DNS, and a denied name is refused however it resolves;</li>
 *   <li>{@link #judgeAddress} for the address itself (a literal, or each address the name resolved
 *       to): the address must be allowed (by the name's rule, or a network, or {@code any}), outside
 *       every {@code deny} entry, and outside the built-in list unless an allow entry names it. The
 *       caller then connects to that very address, never looking the name up again.</li>
 * </ol>
 * A deny entry wins over any allow entry.
 */
public final class DestinationPolicy {
    private final List<DestinationRule> allow;
    private final List<DestinationRule> deny;

    public DestinationPolicy(List<DestinationRule> allow, List<DestinationRule> deny) {
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
    }

    /**
     * Reads {@code allowKey} (required) and {@code denyKey} (optional) from {@code config}, each a
     * list of rule strings; a bad entry fails with the file, line and key.
     */
    public static DestinationPolicy fromConfig(Config config, String allowKey, String denyKey) {
        if (!config.hasPath(allowKey)) {
            throw ConfigProblems.missing(config, allowKey);
        }
        return new DestinationPolicy(rules(config, allowKey), config.hasPath(denyKey) ? rules(config, denyKey) : List.of());
    }

    /** One list of rule strings at {@code key}; a bad entry fails with the file, line and key. */
    static List<DestinationRule> rules(Config config, String key) {
        List<String> texts;
        try {
            texts = config.getStringList(key);
        } catch (ConfigException.WrongType e) {
            throw ConfigProblems.badValue(config, key, "expected a list like [\"10.0.0.0/8:22\", \"*.internal.example:443\", \"any\"]");
        }
        List<DestinationRule> out = new ArrayList<>();
        for (String t : texts) {
            try {
                out.add(DestinationRule.parse(t));
            } catch (IllegalArgumentException e) {
                throw ConfigProblems.badValue(config, key, e.getMessage());
            }
        }
        if (out.isEmpty() && key.endsWith("allow")) {
            throw ConfigProblems.badValue(config, key, "an empty allow list refuses everything; list what may be reached, or \"any\"");
        }
        return out;
    }

    /**
     * The policy for one stream whose client a listener recognised: the client's own allow list
     * replaces the route's (a token for one service must not reach everything the route allows),
     * while the route's {@code deny} and the built-in list still apply (the exit's operator keeps
     * the last word). A client without an allow list of its own gets the route's policy.
     */
    public DestinationPolicy forClient(Optional<AuthenticatedClient> client) {
        if (client.isEmpty() || client.get().allow().isEmpty()) {
            return this;
        }
        return new DestinationPolicy(client.get().allow().get(), deny);
    }

    /**
     * The first judgement of a destination named by a host name (not an address): refused when a
     * {@code deny} name rule matches, or when no allow rule could admit it (no name rule matches and
     * no network or {@code any} rule covers its port). Allowed here means "look it up, then judge
     * each address".
     */
    public Verdict judgeName(Destination destination) {
        String host = destination.host();
        int port = destination.port();
        for (DestinationRule d : deny) {
            if (!d.isAny() && d.matchesName(host, port)) {
                return Verdict.refuse("deny " + d);
            }
        }
        for (DestinationRule a : allow) {
            if (a.matchesName(host, port) || a.mayMatchSomeAddress(port)) {
                return Verdict.allow(a);
            }
        }
        return Verdict.refuse("no allow entry matches " + destination);
    }

    /**
     * Judges the address a destination goes to: its literal, or one address its name resolved to
     * (then {@code destination.host()} is the name, and a name rule that matches it admits the
     * address). IPv4-mapped and NAT64 addresses are judged as the IPv4 address they embed.
     */
    public Verdict judgeAddress(Destination destination, InetAddress resolved) {
        InetAddress address = IpNetwork.judged(resolved);
        int port = destination.port();
        boolean byName = !isNumeric(destination.host());
        for (DestinationRule d : deny) {
            if (d.matchesAddress(address, port) || (byName && !d.isAny() && d.matchesName(destination.host(), port))) {
                return Verdict.refuse("deny " + d);
            }
        }
        DestinationRule admitting = null;
        for (DestinationRule a : allow) {
            if (a.matchesAddress(address, port) || (byName && a.matchesName(destination.host(), port))) {
                admitting = a;
                break;
            }
        }
        if (admitting == null) {
            return Verdict.refuse("no allow entry matches " + destination
                    + (byName ? " (" + address.getHostAddress() + ")" : ""));
        }
        Optional<IpNetwork> blocked = BuiltInDenyList.blocking(address);
        if (blocked.isPresent()) {
            int length = blocked.get().prefixLength();
            for (DestinationRule a : allow) {
                if (a.isNetworkWithin(length) && a.matchesAddress(address, port)) {
                    return Verdict.allow(a);
                }
            }
            return Verdict.refuse("built-in deny " + blocked.get() + " (" + address.getHostAddress()
                    + "; list it in allow to reach it)");
        }
        return Verdict.allow(admitting);
    }

    @Override
    public String toString() {
        return "allow " + allow + (deny.isEmpty() ? "" : " deny " + deny);
    }

    /** Whether a destination host is an address (or a malformed one): then name rules never apply to it. */
    private static boolean isNumeric(String host) {
        try {
            return NumericHost.parse(host).isPresent();
        } catch (IllegalArgumentException e) {
            return true;
        }
    }
}
