package dev.tcptoany.transport.httpconnect;

import com.typesafe.config.Config;
import dev.tcptoany.api.AcceptedSocketOptions;
import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.HostPort;
import java.time.Duration;
import java.util.Optional;

/** The listen block of an http-connect route, read and checked eagerly. */
record HttpConnectOptions(HostPort address, Optional<BasicCredentials> credentials, Duration handshakeTimeout,
                          AcceptedSocketOptions socket) {

    static HttpConnectOptions fromConfig(Config c) {
        HostPort address = HostPort.fromConfig(c, "address");
        String user = c.getString("auth.username");
        String password = c.getString("auth.password");
        if (user.isEmpty() != password.isEmpty()) {
            throw ConfigProblems.badValue(c, user.isEmpty() ? "auth.username" : "auth.password",
                    "set both auth.username and auth.password, or neither (no authentication)");
        }
        if (user.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255
                || password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            throw ConfigProblems.badValue(c, "auth", "at most 255 bytes of username and of password");
        }
        Duration timeout = c.getDuration("handshake-timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw ConfigProblems.badValue(c, "handshake-timeout", "must be positive");
        }
        return new HttpConnectOptions(address, user.isEmpty() ? Optional.empty() : Optional.of(new BasicCredentials(user, password)),
                timeout, AcceptedSocketOptions.fromConfig(c));
    }
}
