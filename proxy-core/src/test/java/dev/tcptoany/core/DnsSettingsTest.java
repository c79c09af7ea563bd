package dev.tcptoany.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code proxy.dns}: defaults, the forms a server takes, and errors that name file, line and key. */
class DnsSettingsTest {

    private static ProxySettings read(String userFile) {
        return ProxySettings.read(ConfigLoader.effective(ConfigLoader.parseString(userFile, "node.conf"), List.of()));
    }

    private static List<String> problems(String userFile) {
        return read(userFile).problems().stream().map(ConfigException::getMessage).toList();
    }

    @Test
    void theDefaultIsTheSystemsResolverWithAFewSecondsPerQuery() {
        DnsSettings dns = read("").dns();
        assertThat(dns.servers()).isEmpty();
        assertThat(dns.queryTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(dns.describeServers()).contains("/etc/resolv.conf");
    }

    @Test
    void serversAreIpAddressesWithAnOptionalPort() {
        ProxySettings s = read("""
                proxy.dns.servers = ["192.0.2.53", "192.0.2.54:5353", "2001:db8::53", "[2001:db8::54]:5353"]
                proxy.dns.query-timeout = 750ms
                """);
        assertThat(s.problems()).isEmpty();
        assertThat(s.dns().servers()).containsExactly(
                new InetSocketAddress("192.0.2.53", 53), new InetSocketAddress("192.0.2.54", 5353),
                new InetSocketAddress("2001:db8::53", 53), new InetSocketAddress("2001:db8::54", 5353));
        assertThat(s.dns().queryTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(s.dns().describeServers())
                .isEqualTo("192.0.2.53:53, 192.0.2.54:5353, [2001:db8::53]:53, [2001:db8::54]:5353");
    }

    @Test
    void badServersNameTheFileTheLineOfTheValueAndTheKey() {
        assertThat(problems("""
                proxy.dns.servers = [
                  "192.0.2.53",
                  "dns.example.com:53",
                  "192.0.2.54:port",
                  "192.0.2.55:0",
                  53
                ]
                """)).containsExactly(
                "node.conf: 3: Invalid value at 'proxy.dns.servers': 'dns.example.com:53': a DNS server must be an IP"
                        + " address (finding it by name would need DNS), e.g. \"192.0.2.53\", \"192.0.2.53:5353\" or"
                        + " \"[2001:db8::53]:53\"",
                "node.conf: 4: Invalid value at 'proxy.dns.servers': '192.0.2.54:port': port 'port' is not a number",
                "node.conf: 5: Invalid value at 'proxy.dns.servers': '192.0.2.55:0': port 0 is not a DNS server's port",
                "node.conf: 6: Invalid value at 'proxy.dns.servers': expected a string such as \"192.0.2.53\" or"
                        + " \"192.0.2.53:5353\", not number");
    }

    @Test
    void aServerListThatIsNotAListAndABadTimeoutNameTheirKeys() {
        assertThat(problems("""
                proxy.dns.servers = "192.0.2.53"
                proxy.dns.query-timeout = 0s
                """)).satisfiesExactly(
                p -> assertThat(p).startsWith("node.conf: 1: proxy.dns.servers has type STRING rather than LIST"),
                p -> assertThat(p).isEqualTo("node.conf: 2: Invalid value at 'proxy.dns.query-timeout': must be a"
                        + " positive duration, e.g. 10s"));
    }
}
