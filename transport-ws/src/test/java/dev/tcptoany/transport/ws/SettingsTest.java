package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings errors name file, line and key; URLs, proxies and NO_PROXY read as documented. */
class SettingsTest {

    static DialerSettings dial(String transport, String block) {
        return DialerSettings.fromConfig(TestContext.merged(transport, "dial", block), transport.equals("wss"), Map.of());
    }

    @Test
    void urlSchemeMustAgreeWithTheTransport() {
        assertThatThrownBy(() -> dial("ws", "url = \"wss://h/t\""))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("String: 1").hasMessageContaining("url").hasMessageContaining("transport ws");
        assertThatThrownBy(() -> dial("wss", "url = \"http://h/t\"")).hasMessageContaining("transport wss");
        assertThatThrownBy(() -> dial("ws", "url = \"ftp://h/t\"")).hasMessageContaining("ws://");
        assertThatThrownBy(() -> dial("ws", "")).isInstanceOf(ConfigException.Missing.class);
    }

    @Test
    void aDialersTokenGoesInTheHeaderTheListenerReads() {
        assertThat(dial("ws", "url = \"ws://h/\"\nauth.token = s3cret").headers())
                .containsEntry("Authorization", "Bearer s3cret");
        assertThat(dial("ws", "url = \"ws://h/\"\nauth { token = s3cret, header = X-Tunnel-Token }").headers())
                .containsEntry("X-Tunnel-Token", "s3cret");
        assertThat(dial("ws", "url = \"ws://h/\"").headers()).isEmpty();
        assertThatThrownBy(() -> dial("ws", "url = \"ws://h/\"\nheaders { authorization = x }\nauth.token = s3cret"))
                .hasMessageContaining("auth.token").hasMessageContaining("give the token once");
    }

    @Test
    void httpAndHttpsStandForWsAndWss() {
        WebSocketUrl u = dial("ws", "url = \"http://127.0.0.1:4202\"").url();
        assertThat(u.secure()).isFalse();
        assertThat(u.pathAndQuery()).isEqualTo("/");
        assertThat(u.toString()).isEqualTo("ws://127.0.0.1:4202/");
        WebSocketUrl s = dial("wss", "url = \"https://example.org/t?k=v\"").url();
        assertThat(s.port()).isEqualTo(443);
        assertThat(s.hostHeader()).isEqualTo("example.org");
        assertThat(s.pathAndQuery()).isEqualTo("/t?k=v");
        assertThat(WebSocketUrl.parse("ws://[::1]:80/").hostHeader()).isEqualTo("[::1]");
    }

    @Test
    void plainPeersGetPlainFrameSizeAndOurNodesFrameSize() throws Exception {
        FrameSettings defaults = dial("ws", "url = \"ws://h/\"").frames();
        assertThat(defaults.outgoingFrameSize(false)).isEqualTo(32 * 1024);
        assertThat(defaults.outgoingFrameSize(true)).isEqualTo(64 * 1024);
        FrameSettings listen = ListenerSettings.fromConfig(TestContext.merged("ws", "listen",
                "address = \"127.0.0.1:0\", plain-frame-size = 16k")).frames();
        assertThat(listen.outgoingFrameSize(false)).isEqualTo(16 * 1024);
        assertThat(defaults.maxPingsPerSecond()).isEqualTo(10);
    }

    @Test
    void badValuesAreRefusedWithTheirKey() {
        assertThatThrownBy(() -> dial("ws", "url = \"ws://h/\", frame-size = 0")).hasMessageContaining("frame-size");
        assertThatThrownBy(() -> dial("ws", "url = \"ws://h/\", plain-frame-size = 0")).hasMessageContaining("plain-frame-size");
        assertThatThrownBy(() -> dial("ws", "url = \"ws://h/\", max-pings-per-second = 0")).hasMessageContaining("max-pings-per-second");
        assertThatThrownBy(() -> dial("ws", "url = \"ws://h/\", max-pings-per-second = lots")).hasMessageContaining("max-pings-per-second")
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> dial("ws", "url = \"ws://h/\", proxy = \"socks5://p:1080\"")).hasMessageContaining("proxy")
                .hasMessageContaining("only http://");
        assertThatThrownBy(() -> ListenerSettings.fromConfig(TestContext.merged("ws", "listen", "address = \"127.0.0.1:0\", path = \"t\"")))
                .hasMessageContaining("path").hasMessageContaining("starts with '/'");
        assertThatThrownBy(() -> ListenerSettings.fromConfig(TestContext.merged("ws", "listen", "address = \"127.0.0.1:0\", ping-interval = banana")))
                .hasMessageContaining("ping-interval");
    }

    @Test
    void tlsBlockOnPlainWsIsAnError() {
        assertThatThrownBy(() -> new WebSocketDialer(TestContext.dial("ws", "url = \"ws://h/\", tls { insecure = true }"), false, Map.of()))
                .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("wss");
        assertThatThrownBy(() -> new WebSocketListener(TestContext.listen("ws", "address = \"127.0.0.1:0\", tls { client-auth = none }"), false))
                .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("wss");
    }

    @Test
    void headersKeepTheirNames() {
        DialerSettings d = dial("ws", "url = \"ws://h/\", headers { Authorization = \"Bearer x\", \"X-A.B\" = 1 }");
        assertThat(d.headers()).containsEntry("Authorization", "Bearer x").containsEntry("X-A.B", "1");
    }

    @Test
    void noProxyMatchesHostsDomainsAndPorts() {
        Map<String, String> env = Map.of("HTTPS_PROXY", "http://p:3128", "NO_PROXY", "internal.example, .corp, 10.0.0.1, svc:8443");
        ProxyChoice c = ProxyChoice.fromSetting("env", true, env);
        assertThat(c.forTarget("internal.example", 443)).isEmpty();
        assertThat(c.forTarget("a.internal.example", 443)).isEmpty();
        assertThat(c.forTarget("x.corp", 443)).isEmpty();
        assertThat(c.forTarget("10.0.0.1", 443)).isEmpty();
        assertThat(c.forTarget("svc", 8443)).isEmpty();
        assertThat(c.forTarget("svc", 443)).isPresent();
        assertThat(c.forTarget("example.org", 443)).get().hasToString("http://p:3128");
        assertThat(ProxyChoice.fromSetting("env", false, env).forTarget("example.org", 80)).isEmpty();
        assertThat(ProxyChoice.fromSetting("env", true, Map.of("HTTPS_PROXY", "p:3128", "NO_PROXY", "*"))
                .forTarget("example.org", 443)).isEmpty();
        assertThat(ProxyChoice.fromSetting("http://u:secret@p:3128", true, Map.of()).forTarget("h", 1))
                .get().hasToString("http://u:***@p:3128");
    }

    @Test
    void originPolicyAndTokenCheck() {
        OriginPolicy none = new OriginPolicy(java.util.List.of());
        assertThat(none.allows(null)).isTrue();
        assertThat(none.allows("https://a.example")).isFalse();
        OriginPolicy one = new OriginPolicy(java.util.List.of("https://App.example/"));
        assertThat(one.allows("https://app.example")).isTrue();
        assertThat(one.allows("http://app.example")).isFalse();
        assertThat(new OriginPolicy(java.util.List.of("*")).allows("null")).isTrue();

        var h = new io.netty.handler.codec.http.DefaultHttpHeaders();
        TokenCheck bearer = new TokenCheck(dev.tcptoany.api.policy.ClientTokens.fromConfig(
                com.typesafe.config.ConfigFactory.parseString("auth.token = s3cret")), "Authorization");
        assertThat(bearer.accepts(h.set("Authorization", "Bearer s3cret"))).isTrue();
        assertThat(bearer.accepts(h.set("Authorization", "bearer s3cret"))).isTrue();
        assertThat(bearer.accepts(h.set("Authorization", "Bearer s3cre"))).isFalse();
        assertThat(bearer.accepts(h.set("Authorization", "s3cret"))).isFalse();
        assertThat(new TokenCheck(dev.tcptoany.api.policy.ClientTokens.none(), "Authorization").accepts(new io.netty.handler.codec.http.DefaultHttpHeaders())).isTrue();
    }

    @Test
    void closeReasonsFitTheFrame() {
        assertThat(WebSocketStreamHandler.truncateReason("é".repeat(100)).getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(123);
        assertThat(WebSocketStreamHandler.truncateReason("short")).isEqualTo("short");
    }
}
