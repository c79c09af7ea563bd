package dev.tcptoany.api.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import dev.tcptoany.api.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientCertificatesTest {
    private static final String FP = "AB:".repeat(31) + "CD";

    private static ClientCertificates read(String hocon) {
        Config c = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription("exit.conf"));
        return ClientCertificates.fromConfig(c, TlsSettings.fromConfig(c, "tls"));
    }

    @Test
    void entriesNeedAFingerprintRequiredClientCertificatesAndNoTokens(@TempDir Path dir) throws Exception {
        String tls = "tls { client-auth = require, ca = \"" + Files.writeString(dir.resolve("ca.pem"), "x") + "\" }\n";
        assertThat(read(tls + "auth.clients { a { cert-sha256 = \"" + FP + "\", allow = [\"10.0.0.1:22\"] } }").required()).isTrue();
        assertThat(read(tls + "auth.clients {}").required()).isFalse();
        assertThatThrownBy(() -> read("auth.clients { a { cert-sha256 = \"" + FP + "\" } }"))
                .hasMessageContaining("exit.conf: 1").hasMessageContaining("client-auth = require");
        assertThatThrownBy(() -> read(tls + "auth.clients { a { allow = [any] } }"))
                .hasMessageContaining("needs a non-empty cert-sha256");
        assertThatThrownBy(() -> read(tls + "auth.clients { a { cert-sha256 = \"AB:CD\" } }"))
                .hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> read(tls + "auth.clients {\n a { cert-sha256 = \"" + FP + "\" }\n b { cert-sha256 = \""
                + FP.toLowerCase().replace(":", "") + "\" }\n}"))
                .hasMessageContaining("exit.conf: 3").hasMessageContaining("same certificate");
        assertThatThrownBy(() -> read(tls + "auth.clients { a { cert-sha256 = \"" + FP + "\", alow = [any] } }"))
                .hasMessageContaining("alow");
        assertThatThrownBy(() -> read(tls + "auth.tokens { t { token = x } }\nauth.clients { a { cert-sha256 = \"" + FP + "\" } }"))
                .hasMessageContaining("auth.clients and auth.tokens");
        assertThat(read(tls + "auth.clients { a { cert-sha256 = \"" + FP + "\" } }").match(null)).isEmpty();
    }
}
