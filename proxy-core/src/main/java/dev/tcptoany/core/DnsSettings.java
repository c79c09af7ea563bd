package dev.tcptoany.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.tcptoany.api.HostPort;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code proxy.dns}: which DNS servers dials ask and how long one query may take.
 *
 * @param servers      empty: the system's, from /etc/resolv.conf
 * @param queryTimeout how long one DNS query waits for its answer
 */
record DnsSettings(List<InetSocketAddress> servers, Duration queryTimeout) {
    static final int DNS_PORT = 53;
    static final DnsSettings DEFAULT = new DnsSettings(List.of(), Duration.ofSeconds(5));

    /** Reads {@code proxy.dns}, adding each bad value to {@code problems} (file, line, key). */
    static DnsSettings read(Config root, List<ConfigException> problems) {
        List<InetSocketAddress> servers = new ArrayList<>();
        String path = "proxy.dns.servers";
        try {
            for (ConfigValue v : root.getList(path)) {
                try {
                    servers.add(server(v));
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigException.BadValue(v.origin(), path, e.getMessage()));
                }
            }
        } catch (ConfigException e) {
            problems.add(e);
        }
        Duration timeout = ProxySettings.positiveDuration(root, "proxy.dns.query-timeout", problems,
                DEFAULT.queryTimeout());
        return new DnsSettings(List.copyOf(servers), timeout);
    }

    /**
     * One server: an IP address, with {@code :port} when not 53 (IPv6 in brackets then). A host
     * name is refused: finding the DNS server would itself need DNS.
     */
    private static InetSocketAddress server(ConfigValue v) {
        if (v.valueType() != ConfigValueType.STRING) {
            throw new IllegalArgumentException("expected a string such as \"192.0.2.53\" or \"192.0.2.53:5353\", not "
                    + v.valueType().name().toLowerCase(java.util.Locale.ROOT));
        }
        String text = ((String) v.unwrapped()).trim();
        InetAddress bare = NetUtil.createInetAddressFromIpAddressString(text);
        if (bare != null) {
            return new InetSocketAddress(bare, DNS_PORT);
        }
        HostPort hp = text.indexOf(':') >= 0 ? HostPort.parse(text) : new HostPort(text, DNS_PORT);
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(hp.host());
        if (ip == null) {
            throw new IllegalArgumentException("'" + text + "': a DNS server must be an IP address (finding it by name"
                    + " would need DNS), e.g. \"192.0.2.53\", \"192.0.2.53:5353\" or \"[2001:db8::53]:53\"");
        }
        if (hp.port() == 0) {
            throw new IllegalArgumentException("'" + text + "': port 0 is not a DNS server's port");
        }
        return new InetSocketAddress(ip, hp.port());
    }

    /** For log lines and errors: "127.0.0.1:5353", or the system's servers when none are set. */
    String describeServers() {
        if (servers.isEmpty()) {
            return "the system's DNS servers (/etc/resolv.conf)";
        }
        return servers.stream().map(NetUtil::toSocketAddressString).collect(Collectors.joining(", "));
    }
}
