package dev.tcptoany.transport.quic;

import dev.tcptoany.api.TlsIdentity;
import dev.tcptoany.api.TlsMaterials;
import dev.tcptoany.api.TlsSettings;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ClientAuth;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the QUIC TLS 1.3 contexts from the host's {@link TlsMaterials}, once per listener or
 * dialer: keys are loaded or generated at start, never per connection.
 */
final class QuicTlsContexts {
    private QuicTlsContexts() {
    }

    /** A listener's context and the identity it presents. */
    record Server(QuicSslContext context, TlsIdentity identity) {
    }

    static Server forListener(TlsMaterials materials, QuicListenerSettings s) {
        TlsIdentity identity = materials.serverIdentity(s.tls(), s.identityName());
        QuicSslContextBuilder b = QuicSslContextBuilder.forServer(identity.key(), null, identity.chainArray())
                .applicationProtocols(s.alpn().toArray(new String[0]));
        Optional<TrustManagerFactory> clientTrust = materials.clientTrust(s.tls());
        switch (s.tls().clientAuth()) {
            case REQUIRE -> b.clientAuth(ClientAuth.REQUIRE);
            case OPTIONAL -> b.clientAuth(ClientAuth.OPTIONAL);
            case NONE -> b.clientAuth(ClientAuth.NONE);
        }
        clientTrust.ifPresent(b::trustManager);
        return new Server(b.build(), identity);
    }

    /**
     * A dialer's context. With {@code pin-local-identity}, the pin is the fingerprint of the
     * certificate the host keeps for a local listener under that name.
     */
    static QuicSslContext forDialer(TlsMaterials materials, QuicDialerSettings s) {
        TlsSettings tls = s.tls();
        if (s.pinLocalIdentity().isPresent()) {
            TlsIdentity local = materials.serverIdentity(TlsSettings.defaults(), s.pinLocalIdentity().get());
            tls = new TlsSettings(tls.cert(), tls.key(), tls.ca(), List.of(local.sha256Fingerprint()), false,
                    tls.serverName(), tls.clientAuth(), tls.origin());
        }
        QuicSslContextBuilder b = QuicSslContextBuilder.forClient()
                .trustManager(materials.serverTrust(tls))
                .applicationProtocols(s.alpn().toArray(new String[0]));
        // CA or system trust: the certificate must also name the host we dial (or server-name).
        // A pin or insecure mode identifies the server by other means (Netty 4.2 verifies host
        // names by default, so switch it off explicitly there).
        b.endpointIdentificationAlgorithm(tls.pinSha256().isEmpty() && !tls.insecure() ? "HTTPS" : null);
        materials.clientIdentity(tls).ifPresent(id -> b.keyManager(id.key(), null, id.chainArray()));
        return b.build();
    }

    /** The name to send as SNI and verify: {@code server-name}, else the dialled host. */
    static String serverName(QuicDialerSettings s) {
        return s.tls().serverName().orElse(s.address().host());
    }
}
