package dev.tcptoany.api.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import dev.tcptoany.api.Destination;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientTokensTest {

    private static Config listen(String hocon) {
        return ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription("exit.conf"));
    }

    @Test
    void eachTokenNamesItsEntryAndItsAllowList() {
        ClientTokens tokens = ClientTokens.fromConfig(listen("""
                auth.tokens {
                  alice { token = "a-secret", allow = ["10.0.0.1:80"] }
                  bob   { token = "b-secret" }
                }
                """));
        assertThat(tokens.required()).isTrue();
        AuthenticatedClient alice = tokens.match("a-secret").orElseThrow();
        assertThat(alice.name()).isEqualTo("alice");
        assertThat(alice.allow().orElseThrow()).extracting(DestinationRule::toString).containsExactly("10.0.0.1:80");
        assertThat(tokens.match("b-secret").orElseThrow().allow()).isEmpty();
        assertThat(tokens.match("a-secre")).isEmpty();
        assertThat(tokens.match("a-secret ")).isEmpty();
        assertThat(tokens.match("")).isEmpty();
        assertThat(tokens.match(null)).isEmpty();
    }

    @Test
    void theSharedTokenAdmitsWithTheRoutesAllowList() {
        ClientTokens tokens = ClientTokens.fromConfig(listen("auth.token = s3cret"));
        assertThat(tokens.match("s3cret").orElseThrow().name()).isEqualTo(ClientTokens.SHARED_TOKEN_NAME);
        assertThat(tokens.match("s3cret").orElseThrow().allow()).isEmpty();
        assertThat(ClientTokens.fromConfig(listen("auth.token = \"\"")).required()).isFalse();
        assertThat(ClientTokens.fromConfig(listen("auth.tokens {}")).required()).isFalse();
    }

    @Test
    void bothFormsAtOnceAreAnErrorNamingFileLineAndKey() {
        assertThatThrownBy(() -> ClientTokens.fromConfig(listen("""
                auth.token = s3cret
                auth.tokens { a { token = x } }
                """)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("exit.conf: 2")
                .hasMessageContaining("auth.tokens")
                .hasMessageContaining("do not go together");
    }

    @Test
    void badEntriesAreErrorsNamingTheirKey() {
        assertThatThrownBy(() -> ClientTokens.fromConfig(listen("auth.tokens { a { token = \"\" } }")))
                .hasMessageContaining("exit.conf: 1").hasMessageContaining("needs a non-empty token");
        assertThatThrownBy(() -> ClientTokens.fromConfig(listen("auth.tokens { a { allow = [any] } }")))
                .hasMessageContaining("needs a non-empty token");
        assertThatThrownBy(() -> ClientTokens.fromConfig(listen("auth.tokens { a { token = x, alow = [any] } }")))
                .hasMessageContaining("alow").hasMessageContaining("takes token and allow");
        assertThatThrownBy(() -> ClientTokens.fromConfig(listen("auth.tokens {\n a { token = x }\n b { token = x }\n}")))
                .hasMessageContaining("have the same token");
        assertThatThrownBy(() -> ClientTokens.fromConfig(listen("auth.tokens { a { token = x, allow = [\"10.0.0.0/33\"] } }")))
                .hasMessageContaining("allow");
        assertThatThrownBy(() -> ClientTokens.fromConfig(listen("auth.tokens { a { token = x, allow = [] } }")))
                .hasMessageContaining("empty allow list");
        assertThatThrownBy(() -> ClientTokens.fromConfig(listen("auth.tokens { a = x }")))
                .hasMessageContaining("expected { token");
    }

    @Test
    void aClientsAllowListReplacesTheRoutesButTheRoutesDenyAndTheBuiltInListStay() throws Exception {
        DestinationPolicy route = new DestinationPolicy(List.of(DestinationRule.parse("any")),
                List.of(DestinationRule.parse("10.9.0.0/16")));
        AuthenticatedClient a = new AuthenticatedClient("a", Optional.of(List.of(
                DestinationRule.parse("10.0.0.0/8"), DestinationRule.parse("*.example:443"))));
        DestinationPolicy forA = route.forClient(Optional.of(a));
        Destination inside = new Destination("10.1.2.3", 80);
        Destination outside = new Destination("192.0.2.1", 80);
        assertThat(forA.judgeAddress(inside, InetAddress.getByName("10.1.2.3")).allowed()).isTrue();
        assertThat(forA.judgeAddress(outside, InetAddress.getByName("192.0.2.1")).allowed()).isFalse();
        assertThat(route.judgeAddress(outside, InetAddress.getByName("192.0.2.1")).allowed()).isTrue();
        Destination denied = new Destination("10.9.1.1", 80);
        assertThat(forA.judgeAddress(denied, InetAddress.getByName("10.9.1.1")).rule()).isEqualTo("deny 10.9.0.0/16");
        // a name the client may reach that resolves to loopback is still refused by the built-in list
        Destination name = new Destination("db.example", 443);
        assertThat(forA.judgeName(name).allowed()).isTrue();
        assertThat(forA.judgeAddress(name, InetAddress.getByName("127.0.0.1")).rule()).startsWith("built-in deny");
        // a client without an allow list of its own gets the route's policy
        assertThat(route.forClient(Optional.of(new AuthenticatedClient("b", Optional.empty())))).isSameAs(route);
        assertThat(route.forClient(Optional.empty())).isSameAs(route);
    }
}
