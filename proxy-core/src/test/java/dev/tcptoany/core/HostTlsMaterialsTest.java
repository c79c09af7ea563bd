package dev.tcptoany.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.tcptoany.api.TlsIdentity;
import dev.tcptoany.api.TlsSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
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

    /**
     * A real TLS handshake on loopback against a server whose certificate is not the pinned one:
     * the refusal names the pin received, the pins expected, where they are set and what to do
     * (Netty's own said only "unknown fingerprint: CN=...").
     */
    @Test
    void aPinMismatchNamesThePinReceivedAndThePinsExpected() throws Exception {
        HostTlsMaterials tls = new HostTlsMaterials(data);
        TlsIdentity expected = tls.serverIdentity(TlsSettings.defaults(), "expected");
        TlsIdentity presented = tls.serverIdentity(TlsSettings.defaults(), "presented");
        TlsSettings pinned = TlsSettings.fromConfig(ConfigLoader.parseString(
                "tls {\n  pin-sha256 = [\"" + expected.sha256Fingerprint().toLowerCase(java.util.Locale.ROOT) + "\"]\n}",
                "node.conf"), "tls");

        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", presented.key(), "changeit".toCharArray(), presented.chain().toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tls.serverTrust(pinned).getTrustManagers(), null);

        try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread serverSide = new Thread(() -> {
                try (SSLSocket accepted = (SSLSocket) server.accept()) {
                    accepted.startHandshake();
                } catch (IOException refusedByTheClient) {
                    // the client's alert ends the handshake here
                }
            }, "tls-server");
            serverSide.start();
            try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                assertThatThrownBy(client::startHandshake)
                        .isInstanceOf(SSLHandshakeException.class)
                        .hasMessageContaining("certificate pin mismatch")
                        .hasMessageContaining("presented SHA-256 " + presented.sha256Fingerprint())
                        .hasMessageContaining("expected tls.pin-sha256 [" + expected.sha256Fingerprint() + "] (node.conf: 2)")
                        .hasMessageContaining("tcp-to-any-proxy fingerprint");
            }
            serverSide.join(10_000);
        }
    }

    @Test
    void missingPemFileNamesTheSetting() {
        TlsSettings s = TlsSettings.fromConfig(ConfigFactory.parseString(
                "tls { cert = \"/nonexistent.crt\", key = \"/nonexistent.key\" }"), "tls");
        assertThatThrownBy(() -> new HostTlsMaterials(data).serverIdentity(s, "x"))
                .hasMessageContaining("cert").hasMessageContaining("/nonexistent.crt");
    }
}
