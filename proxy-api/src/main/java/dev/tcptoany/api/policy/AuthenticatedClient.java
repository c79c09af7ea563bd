package dev.tcptoany.api.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A client an exit's listener recognised on one stream, by the token it presented
 * ({@code auth.tokens}) or its certificate ({@code auth.clients}), and what it may reach. The
 * listener puts it on the stream ({@code ByteStream.authenticatedClient()}); a dynamic dialer judges
 * that stream's destination with the client's {@code allow} in place of the route's, while the
 * route's {@code deny} and the built-in deny list still apply ({@link DestinationPolicy#forClient}).
 *
 * @param name  the entry's name in the configuration, for log lines (never the secret)
 * @param allow the client's own allow list; empty when the entry has none and the route's applies
 */
public record AuthenticatedClient(String name, Optional<List<DestinationRule>> allow) {
    public AuthenticatedClient {
        Objects.requireNonNull(name, "name");
        allow = allow.map(List::copyOf);
    }

    @Override
    public String toString() {
        return "'" + name + "'";
    }
}
