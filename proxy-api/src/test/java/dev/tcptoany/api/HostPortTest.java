package dev.tcptoany.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import org.junit.jupiter.api.Test;

class HostPortTest {
    @Test
    void parsesTheFormsUsersWrite() {
        assertThat(HostPort.parse("127.0.0.1:4201")).isEqualTo(new HostPort("127.0.0.1", 4201));
        assertThat(HostPort.parse("[::1]:4201")).isEqualTo(new HostPort("::1", 4201));
        assertThat(HostPort.parse("localhost:9999")).isEqualTo(new HostPort("localhost", 9999));
        assertThat(HostPort.parse(":80").isWildcard()).isTrue();
        assertThat(HostPort.parse("*:80").isWildcard()).isTrue();
        assertThat(HostPort.parse("[::1]:4201").toString()).isEqualTo("[::1]:4201");
    }

    @Test
    void rejectsWithReasons() {
        assertThatThrownBy(() -> HostPort.parse("localhost")).hasMessageContaining("has no port");
        assertThatThrownBy(() -> HostPort.parse("::1:80")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> HostPort.parse("h:70000")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> HostPort.parse("h:x")).hasMessageContaining("not a number");
    }

    @Test
    void configErrorsCarryFileLineAndKey() {
        var c = ConfigFactory.parseString("a = 1\naddress = \"h:99999\"\n",
                ConfigParseOptions.defaults().setOriginDescription("node.conf"));
        assertThatThrownBy(() -> HostPort.fromConfig(c, "address"))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("node.conf: 2")
                .hasMessageContaining("address")
                .hasMessageContaining("out of range");
    }

    @Test
    void tlsSettingsValidatePinsAndPairs() {
        var ok = ConfigFactory.parseString("tls { pin-sha256 = [\"" + "AB:CD:".repeat(15) + "AB:CD\"], insecure = false }");
        assertThat(TlsSettings.fromConfig(ok, "tls").pinSha256()).hasSize(1);
        var badPin = ConfigFactory.parseString("tls { pin-sha256 = [\"xyz\"] }",
                ConfigParseOptions.defaults().setOriginDescription("n.conf"));
        assertThatThrownBy(() -> TlsSettings.fromConfig(badPin, "tls")).hasMessageContaining("n.conf: 1")
                .hasMessageContaining("not a SHA-256 fingerprint");
        var placeholder = ConfigFactory.parseString("tls { pin-sha256 = [\"" + "00:".repeat(31) + "00\"] }",
                ConfigParseOptions.defaults().setOriginDescription("n.conf"));
        assertThatThrownBy(() -> TlsSettings.fromConfig(placeholder, "tls")).hasMessageContaining("n.conf: 1")
                .hasMessageContaining("is a placeholder").hasMessageContaining("tcp-to-any-proxy fingerprint");
        var half = ConfigFactory.parseString("tls { cert = \"a.crt\" }");
        assertThatThrownBy(() -> TlsSettings.fromConfig(half, "tls")).hasMessageContaining("go together");
        var auth = ConfigFactory.parseString("tls { client-auth = require }");
        assertThatThrownBy(() -> TlsSettings.fromConfig(auth, "tls")).hasMessageContaining("needs 'ca'");
    }
}
