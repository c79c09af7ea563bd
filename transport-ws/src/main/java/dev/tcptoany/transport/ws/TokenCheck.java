package dev.tcptoany.transport.ws;

import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The listener's optional shared secret. The token travels in one header: as
 * {@code Bearer <token>} in {@code Authorization}, as the bare value in any other header.
 * Comparison hashes both sides first, so it takes the same time whatever the length or content of
 * the guess.
 */
final class TokenCheck {
    private final String header;
    private final byte[] expectedDigest;
    private final boolean bearer;

    /** @param token empty disables the check */
    TokenCheck(String token, String header) {
        this.header = header;
        this.bearer = header.equalsIgnoreCase("Authorization");
        this.expectedDigest = token.isEmpty() ? null : sha256(token);
    }

    boolean enabled() {
        return expectedDigest != null;
    }

    String header() {
        return header;
    }

    boolean accepts(HttpHeaders headers) {
        if (expectedDigest == null) {
            return true;
        }
        String value = headers.get(header);
        if (value == null) {
            return false;
        }
        value = value.trim();
        if (bearer) {
            if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return false;
            }
            value = value.substring(7).trim();
        }
        return MessageDigest.isEqual(expectedDigest, sha256(value));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
