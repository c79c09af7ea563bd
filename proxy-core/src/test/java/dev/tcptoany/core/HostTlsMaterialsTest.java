package dev.tcptoany.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.tcptoany.api.TlsIdentity;
import dev.tcptoany.api.TlsSettings;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostTlsMaterialsTest {
    @TempDir
    Path data;

    @Test
    void generatedIdentityIsKeptSoItsPinSurvivesRestarts() {
        TlsIdentity first = new HostTlsMaterials(data).serverIdentity(TlsSettings.defaults(), "quic-listener");
        TlsIdentity again = new HostTlsMaterials(data).serverIdentity(TlsSettings.defaults(), "quic-listener");
        assertThat(first.generated()).isTrue();
        assertThat(again.sha256Fingerprint()).isEqualTo(first.sha256Fingerprint());
        assertThat(data.resolve("tls/quic-listener.key")).exists();
        assertThat(first.sha256Fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    }

    @Test
    void theGeneratedKeyIsOwnerOnlyFromTheStart() throws Exception {
        new HostTlsMaterials(data).serverIdentity(TlsSettings.defaults(), "secret");
        assertThat(java.nio.file.Files.getPosixFilePermissions(data.resolve("tls/secret.key")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(data.resolve("tls/secret.key.tmp")).doesNotExist();
    }

    @Test
    void aDryRunWritesNothingAndSaysWhatAStartWouldDo() {
        HostTlsMaterials dry = new HostTlsMaterials(data, true);
        TlsIdentity id = dry.serverIdentity(TlsSettings.defaults(), "quic");
        assertThat(id.generated()).isTrue();
        assertThat(data.resolve("tls")).doesNotExist();
        assertThat(dry.notes()).containsExactly("identity 'quic' will be generated in " + data.resolve("tls")
                + " (its pin is printed then)");

        TlsIdentity real = new HostTlsMaterials(data).serverIdentity(TlsSettings.defaults(), "quic");
        HostTlsMaterials again = new HostTlsMaterials(data, true);
        again.serverIdentity(TlsSettings.defaults(), "quic");
        assertThat(again.notes()).containsExactly("identity 'quic' exists in " + data.resolve("tls") + ", SHA-256 "
                + real.sha256Fingerprint());
    }

    @Test
    void configuredPemFilesAreLoaded() {
        new HostTlsMaterials(data).serverIdentity(TlsSettings.defaults(), "made");
        TlsSettings s = TlsSettings.fromConfig(ConfigFactory.parseString(
                "tls { cert = \"" + data.resolve("tls/made.crt") + "\", key = \"" + data.resolve("tls/made.key") + "\" }"), "tls");
        TlsIdentity id = new HostTlsMaterials(data.resolve("other")).serverIdentity(s, "ignored");
        assertThat(id.generated()).isFalse();
        assertThat(id.chain()).hasSize(1);
    }

    @Test
    void pinnedTrustAcceptsOnlyThePinnedCertificate() throws Exception {
        HostTlsMaterials tls = new HostTlsMaterials(data);
        TlsIdentity good = tls.serverIdentity(TlsSettings.defaults(), "good");
        TlsIdentity other = tls.serverIdentity(TlsSettings.defaults(), "other");
        TlsSettings pinned = TlsSettings.fromConfig(ConfigFactory.parseString(
                "tls { pin-sha256 = [\"" + good.sha256Fingerprint() + "\"] }"), "tls");
        X509TrustManager tm = (X509TrustManager) tls.serverTrust(pinned).getTrustManagers()[0];
        tm.checkServerTrusted(new X509Certificate[] {good.leaf()}, "ECDHE_ECDSA");
        assertThatThrownBy(() -> tm.checkServerTrusted(new X509Certificate[] {other.leaf()}, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void missingPemFileNamesTheSetting() {
        TlsSettings s = TlsSettings.fromConfig(ConfigFactory.parseString(
                "tls { cert = \"/nonexistent.crt\", key = \"/nonexistent.key\" }"), "tls");
        assertThatThrownBy(() -> new HostTlsMaterials(data).serverIdentity(s, "x"))
                .hasMessageContaining("cert").hasMessageContaining("/nonexistent.crt");
    }
}
