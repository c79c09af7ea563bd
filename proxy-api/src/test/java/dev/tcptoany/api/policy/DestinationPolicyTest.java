package dev.tcptoany.api.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import dev.tcptoany.api.Destination;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DestinationPolicyTest {

    private static DestinationPolicy policy(List<String> allow, List<String> deny) {
        return new DestinationPolicy(allow.stream().map(DestinationRule::parse).toList(),
                deny.stream().map(DestinationRule::parse).toList());
    }

    private static DestinationPolicy allow(String... allow) {
        return policy(Arrays.asList(allow), List.of());
    }

    /** Judges a destination as an exit does: a literal as itself, a name by the address given. */
    private static Verdict judge(DestinationPolicy p, String hostPort, String resolvedTo) throws Exception {
        Destination d = Destination.parse(hostPort);
        var literal = NumericHost.parse(d.host());
        if (literal.isPresent()) {
            return p.judgeAddress(d, literal.get());
        }
        Verdict early = p.judgeName(d);
        if (!early.allowed()) {
            return early;
        }
        return p.judgeAddress(d, InetAddress.getByName(resolvedTo));
    }

    private static boolean allowed(DestinationPolicy p, String hostPort) throws Exception {
        return judge(p, hostPort, "192.0.2.10").allowed();
    }

    @Test
    void aNetworkWithPortsAndRangesAdmitsOnlyThosePorts() throws Exception {
        DestinationPolicy p = allow("10.0.0.0/8:22,443", "192.0.2.0/24:8000-8100");
        assertThat(allowed(p, "10.1.2.3:22")).isTrue();
        assertThat(allowed(p, "10.1.2.3:443")).isTrue();
        assertThat(allowed(p, "10.1.2.3:80")).isFalse();
        assertThat(allowed(p, "11.1.2.3:22")).isFalse();
        assertThat(allowed(p, "192.0.2.9:8000")).isTrue();
        assertThat(allowed(p, "192.0.2.9:8100")).isTrue();
        assertThat(allowed(p, "192.0.2.9:8101")).isFalse();
    }

    @Test
    void anIpv6NetworkInBracketsTakesPortsAndWithoutBracketsEveryPort() throws Exception {
        DestinationPolicy p = allow("[2001:db8::/32]:443", "2001:db9::/32");
        assertThat(allowed(p, "[2001:db8::5]:443")).isTrue();
        assertThat(allowed(p, "[2001:db8::5]:80")).isFalse();
        assertThat(allowed(p, "[2001:db9:1::1]:80")).isTrue();
        assertThat(allowed(p, "[2001:dba::1]:443")).isFalse();
    }

    @Test
    void aStarPatternMatchesEveryDepthBelowButNotTheNameItself() throws Exception {
        DestinationPolicy p = allow("*.internal.example:443");
        assertThat(allowed(p, "db.internal.example:443")).isTrue();
        assertThat(allowed(p, "a.b.c.internal.example:443")).isTrue();
        assertThat(allowed(p, "internal.example:443")).isFalse();
        assertThat(allowed(p, "xinternal.example:443")).isFalse();
        assertThat(allowed(p, "db.internal.example:80")).isFalse();
        assertThat(allowed(p, "DB.Internal.Example.:443")).as("case and a trailing dot do not matter").isTrue();
    }

    @Test
    void anExactNameMatchesOnlyItself() throws Exception {
        DestinationPolicy p = allow("api.example:443");
        assertThat(allowed(p, "api.example:443")).isTrue();
        assertThat(allowed(p, "x.api.example:443")).isFalse();
    }

    @Test
    void aNameIsRefusedBeforeAnyLookupWhenNoRuleCouldAdmitIt() {
        DestinationPolicy p = allow("*.internal.example:443", "10.0.0.0/8:22");
        assertThat(p.judgeName(new Destination("evil.example", 443)).allowed()).isFalse();
        // A network rule on that port could admit what the name resolves to: look it up.
        assertThat(p.judgeName(new Destination("evil.example", 22)).allowed()).isTrue();
    }

    @Test
    void aNameWhoseAddressIsInAnAllowedNetworkIsAdmitted() throws Exception {
        DestinationPolicy p = allow("10.0.0.0/8:22");
        assertThat(judge(p, "db.example:22", "10.9.9.9").allowed()).isTrue();
        assertThat(judge(p, "db.example:22", "11.9.9.9").allowed()).isFalse();
    }

    @Test
    void anyAdmitsPublicAddressesAndNamesButNotTheBuiltInDenyList() throws Exception {
        DestinationPolicy p = allow("any");
        assertThat(allowed(p, "192.0.2.1:80")).isTrue();
        assertThat(allowed(p, "example.org:80")).isTrue();
        for (String target : List.of("127.0.0.1:80", "127.8.9.10:80", "0.0.0.0:80", "0.1.2.3:80", "169.254.169.254:80",
                "224.0.0.1:80", "239.1.1.1:80", "255.255.255.255:80", "[::]:80", "[::1]:80", "[fe80::1]:80",
                "[ff02::1]:80", "[fd00:ec2::254]:80")) {
            Verdict v = judge(p, target, "192.0.2.1");
            assertThat(v.allowed()).as(target).isFalse();
            assertThat(v.rule()).as(target).startsWith("built-in deny");
        }
        assertThat(allowed(p, "[fd00:ec2::253]:80")).as("only the metadata address of fd00:ec2::/32").isTrue();
    }

    @Test
    void aNameThatResolvesIntoTheBuiltInDenyListIsRefused() throws Exception {
        Verdict v = judge(allow("any"), "localhost:80", "127.0.0.1");
        assertThat(v.allowed()).isFalse();
        assertThat(v.rule()).contains("built-in deny 127.0.0.0/8");
        assertThat(judge(allow("*.example:80"), "metadata.example:80", "169.254.169.254").allowed()).isFalse();
    }

    @Test
    void anAllowEntryNamingTheAddressOrANetworkInsideTheBlockExemptsIt() throws Exception {
        assertThat(allowed(allow("127.0.0.1"), "127.0.0.1:80")).isTrue();
        assertThat(allowed(allow("127.0.0.0/8:80"), "127.0.0.2:80")).isTrue();
        assertThat(allowed(allow("169.254.169.254/32:80"), "169.254.169.254:80")).isTrue();
        assertThat(allowed(allow("[::1]:80"), "[::1]:80")).isTrue();
        assertThat(judge(allow("127.0.0.1/32:5000"), "localhost:5000", "127.0.0.1").allowed())
                .as("a name resolving to the listed address").isTrue();
        // A network wider than the blocked one is not an explicit listing of it.
        assertThat(allowed(allow("0.0.0.0/0"), "127.0.0.1:80")).isFalse();
        assertThat(allowed(allow("::/0"), "[::1]:80")).isFalse();
        // Nor is a name rule that happens to match.
        assertThat(judge(allow("localhost"), "localhost:80", "127.0.0.1").allowed()).isFalse();
    }

    @Test
    void ipv4MappedAndNat64AddressesAreJudgedByTheIpv4TheyEmbed() throws Exception {
        DestinationPolicy p = allow("any");
        assertThat(allowed(p, "[::ffff:127.0.0.1]:80")).isFalse();
        assertThat(allowed(p, "[::ffff:7f00:1]:80")).isFalse();
        assertThat(allowed(p, "[64:ff9b::7f00:1]:80")).isFalse();
        assertThat(allowed(p, "[64:ff9b::a9fe:a9fe]:80")).as("169.254.169.254 via NAT64").isFalse();
        assertThat(allowed(p, "[64:ff9b::c000:201]:80")).as("192.0.2.1 via NAT64").isTrue();
        assertThat(allowed(allow("10.0.0.0/8"), "[::ffff:10.1.1.1]:80")).isTrue();
        assertThat(allowed(policy(List.of("any"), List.of("10.0.0.0/8")), "[::ffff:10.1.1.1]:80")).isFalse();
    }

    @Test
    void numericHostsAreParsedAsInetAtonDoesAndJudgedAsAddresses() throws Exception {
        assertThat(NumericHost.parse("2130706433")).contains(InetAddress.getByName("127.0.0.1"));
        assertThat(NumericHost.parse("0177.0.0.1")).contains(InetAddress.getByName("127.0.0.1"));
        assertThat(NumericHost.parse("0x7f.1")).contains(InetAddress.getByName("127.0.0.1"));
        assertThat(NumericHost.parse("127.1")).contains(InetAddress.getByName("127.0.0.1"));
        assertThat(NumericHost.parse("10.1.258")).contains(InetAddress.getByName("10.1.1.2"));
        assertThat(NumericHost.parse("0x7f000001")).contains(InetAddress.getByName("127.0.0.1"));
        assertThat(NumericHost.parse("017700000001")).contains(InetAddress.getByName("127.0.0.1"));
        assertThat(NumericHost.parse("192.0.2.1")).contains(InetAddress.getByName("192.0.2.1"));
        assertThat(NumericHost.parse("example.org")).isEmpty();
        assertThat(NumericHost.parse("0x7f.example")).isEmpty();
        assertThat(NumericHost.parse("0x1g")).as("not a number, so a name").isEmpty();
        for (String bad : List.of("1.2.3.4.5", "256.1.1.1", "08", "1.2.3.09", "4294967296", "example.0x10", "1.2.3.0x100")) {
            assertThatThrownBy(() -> NumericHost.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        DestinationPolicy p = allow("any");
        for (String target : List.of("2130706433:80", "0177.0.0.1:80", "0x7f.1:80", "127.1:80", "0:80")) {
            Verdict v = judge(p, target, "192.0.2.1"); // the resolver answer is never used for these
            assertThat(v.allowed()).as(target).isFalse();
            assertThat(v.rule()).as(target).startsWith("built-in deny");
        }
    }

    @Test
    void denyWinsOverAllowForNetworksAndNames() throws Exception {
        DestinationPolicy p = policy(List.of("10.0.0.0/8", "*.example"), List.of("10.0.0.5", "*.secret.example",
                "10.1.0.0/16:22"));
        assertThat(allowed(p, "10.0.0.4:80")).isTrue();
        assertThat(allowed(p, "10.0.0.5:80")).isFalse();
        assertThat(allowed(p, "10.1.0.1:22")).isFalse();
        assertThat(allowed(p, "10.1.0.1:23")).isTrue();
        assertThat(p.judgeName(new Destination("db.secret.example", 80)).rule()).isEqualTo("deny *.secret.example");
        assertThat(judge(p, "www.example:80", "10.0.0.5").allowed()).as("a name resolving into a denied network").isFalse();
        assertThat(judge(p, "www.example:80", "192.0.2.1").allowed()).isTrue();
    }

    @Test
    void badEntriesAreRefusedWithAReason() {
        for (String bad : List.of("10.0.0.1/8", "10.0.0.0/33", "[2001:db8::/32", "[10.0.0.0/8]:22", "any:0",
                "10.0.0.0/8:22-21", "foo bar", "*", "127.1", "host:http", "2001:db8::/129")) {
            assertThatThrownBy(() -> DestinationRule.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theConfigFormNamesFileLineAndKeyOfABadEntry() {
        var config = ConfigFactory.parseString("allow = [\n  \"any\",\n  \"10.0.0.1/8\"\n]\n",
                ConfigParseOptions.defaults().setOriginDescription("exit.conf"));
        assertThatThrownBy(() -> DestinationPolicy.fromConfig(config, "allow", "deny"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("exit.conf")
                .hasMessageContaining("allow")
                .hasMessageContaining("did you mean 10.0.0.0/8");
        var empty = ConfigFactory.parseString("allow = []", ConfigParseOptions.defaults().setOriginDescription("exit.conf"));
        assertThatThrownBy(() -> DestinationPolicy.fromConfig(empty, "allow", "deny")).hasMessageContaining("refuses everything");
        assertThatThrownBy(() -> DestinationPolicy.fromConfig(ConfigFactory.empty(), "allow", "deny"))
                .isInstanceOf(ConfigException.Missing.class);
    }
}
