package dev.tcptoany.transport.quic;

import com.typesafe.config.Config;
import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.HostPort;
import dev.tcptoany.api.TlsSettings;
import java.util.List;
import java.util.Optional;

/** A QUIC dialer's options, read and validated from the route's {@code dial {}} block. */
record QuicDialerSettings(
        HostPort address,
        List<String> alpn,
        TlsSettings tls,
        Optional<String> pinLocalIdentity,
        int connections,
        long keepAliveMillis,
        long idleTimeoutMillis,
        long handshakeTimeoutMillis,
        long backoffMinMillis,
        long backoffMaxMillis,
        long originalLingerMillis,
        QuicTuning tuning,
        boolean forwardDestination,
        Optional<String> token) {

    /** {@code connections = auto}: one connection slot per event loop of the host. */
    static final int CONNECTIONS_PER_LOOP = 0;

    static QuicDialerSettings fromConfig(Config c) {
        HostPort address = HostPort.fromConfig(c, "address");
        if (address.isWildcard() || address.port() == 0) {
            throw ConfigProblems.badValue(c, "address", "a dialer needs a host and a port, e.g. 127.0.0.1:4202");
        }
        TlsSettings tls = TlsSettings.fromConfig(c, "tls");
        if (tls.clientAuth() != TlsSettings.ClientAuth.NONE) {
            throw ConfigProblems.badValue(c, "tls", "'client-auth' is a listener setting; a dialer presents cert + key");
        }
        String pinLocal = c.getString("pin-local-identity").trim();
        long keepAlive = c.getDuration("keep-alive").toMillis();
        long idle = QuicTuning.millis(c, "idle-timeout", 100);
        if (keepAlive < 0) {
            throw ConfigProblems.badValue(c, "keep-alive", "must be 0 (off) or positive");
        }
        if (keepAlive > 0 && keepAlive * 2 > idle) {
            throw ConfigProblems.badValue(c, "keep-alive",
                    "must be at most half of idle-timeout (" + idle + "ms), or a live connection may time out");
        }
        long min = QuicTuning.millis(c, "reconnect-backoff-min", 1);
        long max = QuicTuning.millis(c, "reconnect-backoff-max", 1);
        if (max < min) {
            throw ConfigProblems.badValue(c, "reconnect-backoff-max", "must not be below reconnect-backoff-min");
        }
        return new QuicDialerSettings(
                address,
                Alpn.fromConfig(c, "alpn"),
                tls,
                pinLocal.isEmpty() ? Optional.empty() : Optional.of(pinLocal),
                connections(c),
                keepAlive,
                idle,
                QuicTuning.millis(c, "handshake-timeout", 100),
                min,
                max,
                QuicTuning.millis(c, "original-linger", 0),
                QuicTuning.fromConfig(c),
                forwardDestination(c),
                token(c));
    }

    private static boolean forwardDestination(Config c) {
        boolean forward = c.getBoolean("forward-destination");
        if (forward && Alpn.fromConfig(c, "alpn").stream().allMatch(Alpn::isOriginal)) {
            throw ConfigProblems.badValue(c, "forward-destination", "the original tool's ALPN (proto) has no stream"
                    + " header to carry a destination; offer \"" + Alpn.TCP_TO_ANY_V1 + "\" in alpn");
        }
        return forward;
    }

    /** {@code token}: sent in every stream header, for an exit whose listener has auth.tokens. */
    private static Optional<String> token(Config c) {
        String token = c.getString("token");
        if (token.isEmpty()) {
            return Optional.empty();
        }
        if (token.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > StreamHeader.MAX_TOKEN_LENGTH) {
            throw ConfigProblems.badValue(c, "token", "longer than " + StreamHeader.MAX_TOKEN_LENGTH + " bytes");
        }
        if (Alpn.fromConfig(c, "alpn").stream().allMatch(Alpn::isOriginal)) {
            throw ConfigProblems.badValue(c, "token", "the original tool's ALPN (proto) has no stream header to carry a"
                    + " token; offer \"" + Alpn.TCP_TO_ANY_V1 + "\" in alpn");
        }
        return Optional.of(token);
    }

    private static int connections(Config c) {
        if (c.hasPath("connections") && c.getValue("connections").unwrapped() instanceof String v
                && v.trim().equalsIgnoreCase("auto")) {
            return CONNECTIONS_PER_LOOP;
        }
        return QuicTuning.intIn(c, "connections", 1, 1024);
    }
}
