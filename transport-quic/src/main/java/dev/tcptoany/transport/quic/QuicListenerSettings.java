package dev.tcptoany.transport.quic;

import com.typesafe.config.Config;
import dev.tcptoany.api.HostPort;
import dev.tcptoany.api.TlsSettings;
import dev.tcptoany.api.policy.ClientCertificates;
import dev.tcptoany.api.policy.ClientTokens;
import java.util.List;

/** A QUIC listener's options, read and validated from the route's {@code listen {}} block. */
record QuicListenerSettings(
        HostPort address,
        List<String> alpn,
        TlsSettings tls,
        String identityName,
        int maxConnections,
        int maxStreamsPerConnection,
        long idleTimeoutMillis,
        boolean retryTokens,
        boolean activeMigration,
        int sockets,
        QuicTuning tuning,
        ClientTokens tokens,
        ClientCertificates clients) {

    static QuicListenerSettings fromConfig(Config c) {
        TlsSettings tls = TlsSettings.fromConfig(c, "tls");
        if (tls.insecure() || !tls.pinSha256().isEmpty()) {
            throw dev.tcptoany.api.ConfigProblems.badValue(c, "tls",
                    "'insecure' and 'pin-sha256' are dialer settings; a listener takes cert, key, ca and client-auth");
        }
        String identity = c.getString("identity-name").trim();
        if (identity.isEmpty() || !identity.matches("[A-Za-z0-9._-]+")) {
            throw dev.tcptoany.api.ConfigProblems.badValue(c, "identity-name", "use letters, digits, '.', '_' or '-'");
        }
        return new QuicListenerSettings(
                HostPort.fromConfig(c, "address"),
                Alpn.fromConfig(c, "alpn"),
                tls,
                identity,
                QuicTuning.intIn(c, "max-connections", 1, Integer.MAX_VALUE),
                QuicTuning.intIn(c, "max-streams-per-connection", 1, 1L << 30),
                QuicTuning.millis(c, "idle-timeout", 100),
                c.getBoolean("retry-tokens"),
                c.getBoolean("active-migration"),
                QuicTuning.intIn(c, "sockets", 1, 64),
                QuicTuning.fromConfig(c),
                ClientTokens.fromConfig(c),
                ClientCertificates.fromConfig(c, tls));
    }
}
