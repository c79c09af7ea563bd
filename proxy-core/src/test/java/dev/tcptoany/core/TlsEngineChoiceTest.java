package dev.tcptoany.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.api.TlsEngine;
import io.netty.handler.ssl.OpenSsl;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** proxy.tls.provider: auto picks OpenSSL where netty-tcnative loads (always on linux-x86_64 here). */
class TlsEngineChoiceTest {

    private static ProxySettings settings(String provider) {
        return ProxySettings.read(ConfigLoader.effective(ConfigLoader.parseString(
                "proxy.tls.provider = " + provider, "test"), List.of(TlsEngineChoiceTest.class.getClassLoader())));
    }

    @Test
    void autoIsOpenSslOnLinuxX86_64AndTheDefault() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                && (arch.equals("amd64") || arch.equals("x86_64"))) {
            assertThat(OpenSsl.isAvailable()).as("netty-tcnative loads: %s", OpenSsl.unavailabilityCause()).isTrue();
        }
        TlsEngine auto = OpenSsl.isAvailable() ? TlsEngine.OPENSSL : TlsEngine.JDK;
        assertThat(TlsEngineChoice.resolve("auto")).contains(auto);
        assertThat(settings("auto").tlsEngine()).isEqualTo(auto);
        ProxySettings defaults = ProxySettings.read(ConfigLoader.effective(ConfigLoader.parseString("", "empty"),
                List.of(TlsEngineChoiceTest.class.getClassLoader())));
        assertThat(defaults.tlsEngine()).isEqualTo(auto);
        assertThat(new HostTlsMaterials(java.nio.file.Path.of("unused"), true, auto).engine()).isEqualTo(auto);
    }

    @Test
    void jdkAndOpenSslAreTakenAsSaid() {
        assertThat(settings("jdk").tlsEngine()).isEqualTo(TlsEngine.JDK);
        if (OpenSsl.isAvailable()) {
            ProxySettings openssl = settings("OpenSSL");
            assertThat(openssl.problems()).isEmpty();
            assertThat(openssl.tlsEngine()).isEqualTo(TlsEngine.OPENSSL);
        }
    }

    @Test
    void anUnknownProviderIsAProblemNamingTheKey() {
        ProxySettings s = settings("boringssl");
        assertThat(s.problems()).hasSize(1);
        assertThat(s.problems().get(0).getMessage()).contains("tls.provider").contains("auto, openssl or jdk");
    }
}
