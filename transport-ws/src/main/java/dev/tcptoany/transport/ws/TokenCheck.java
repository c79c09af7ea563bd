package dev.tcptoany.transport.ws;

import dev.tcptoany.api.policy.AuthenticatedClient;
import dev.tcptoany.api.policy.ClientTokens;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Optional;

/**
 * The listener's tokens ({@code auth.token}, or {@code auth.tokens} with an allow list each), read
 * from one header: as {@code Bearer <token>} in {@code Authorization}, as the bare value in any
 * other header. {@link ClientTokens} compares in constant time whatever the guess.
 */
final class TokenCheck {
    private final String header;
    private final ClientTokens tokens;
    private final boolean bearer;

    TokenCheck(ClientTokens tokens, String header) {
        this.header = header;
        this.bearer = header.equalsIgnoreCase("Authorization");
        this.tokens = tokens;
    }

    boolean enabled() {
        return tokens.required();
    }

    String header() {
        return header;
    }

    boolean accepts(HttpHeaders headers) {
        return !enabled() || match(headers).isPresent();
    }

    /** The entry whose token the request carries; empty when it carries none this listener knows. */
    Optional<AuthenticatedClient> match(HttpHeaders headers) {
        String value = headers.get(header);
        if (value == null) {
            return Optional.empty();
        }
        value = value.trim();
        if (bearer) {
            if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Optional.empty();
            }
            value = value.substring(7).trim();
        }
        return tokens.match(value);
    }
}
