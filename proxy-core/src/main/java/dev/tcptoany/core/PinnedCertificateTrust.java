package dev.tcptoany.core;

import dev.tcptoany.api.TlsSettings;
import io.netty.handler.ssl.util.SimpleTrustManagerFactory;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trust of a dialer with {@code tls.pin-sha256}: the server's leaf certificate must have one of the
 * pinned SHA-256 fingerprints. It replaces Netty's {@code FingerprintTrustManagerFactory}, whose
 * refusal ({@code unknown fingerprint: CN=...}) names neither the pins nor what arrived, and which
 * QUIC reports only as {@code CERTIFICATE_VERIFY_FAILED} (BoringSSL drops the trust manager's
 * message). So a refusal is logged here, once per handshake, naming the pin received, the pins
 * expected, where they are set and what to do; the exception carries the same text for transports
 * that pass it on (wss does).
 */
final class PinnedCertificateTrust extends SimpleTrustManagerFactory {
    private static final Logger log = LoggerFactory.getLogger(PinnedCertificateTrust.class);

    private final Set<String> pins;
    private final String expected;
    private final String configuredAt;

    PinnedCertificateTrust(TlsSettings settings) {
        this.pins = settings.pinSha256().stream().map(TlsSettings::normalizeFingerprint).collect(Collectors.toUnmodifiableSet());
        this.expected = settings.pinSha256().stream()
                .map(p -> HexFormat.ofDelimiter(":").withUpperCase().formatHex(HexFormat.of().parseHex(TlsSettings.normalizeFingerprint(p))))
                .collect(Collectors.joining(", ", "[", "]"));
        this.configuredAt = settings.origin().hasPath("pin-sha256")
                ? " (" + settings.origin().getValue("pin-sha256").origin().description() + ")" : "";
    }

    private final X509ExtendedTrustManager manager = new X509ExtendedTrustManager() {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            verify(chain, engine == null || engine.getPeerHost() == null ? "the server"
                    : "server " + engine.getPeerHost() + ":" + engine.getPeerPort());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            verify(chain, socket == null ? "the server" : "server " + socket.getRemoteSocketAddress());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            verify(chain, "the server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("pin-sha256 is a dialer setting; it does not check clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("pin-sha256 is a dialer setting; it does not check clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("pin-sha256 is a dialer setting; it does not check clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    private void verify(X509Certificate[] chain, String peer) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException(peer + " presented no certificate");
        }
        String received = HostTlsMaterials.fingerprint(chain[0]);
        if (pins.contains(TlsSettings.normalizeFingerprint(received))) {
            return;
        }
        String message = "certificate pin mismatch: " + peer + " presented SHA-256 " + received + " ("
                + chain[0].getSubjectX500Principal().getName() + "), expected tls.pin-sha256 " + expected + configuredAt
                + ". If that server's identity changed on purpose, run 'tcp-to-any-proxy fingerprint' on it and pin"
                + " the new value; otherwise something else answers at that address";
        log.warn(message);
        throw new CertificateException(message);
    }

    @Override
    protected void engineInit(KeyStore keyStore) {
    }

    @Override
    protected void engineInit(ManagerFactoryParameters params) {
    }

    @Override
    protected TrustManager[] engineGetTrustManagers() {
        return new TrustManager[] {manager};
    }
}
