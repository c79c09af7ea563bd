package dev.tcptoany.transport.httpconnect;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The one username/password an http-connect listener accepts as {@code Proxy-Authorization: Basic}.
 * The header's whole credential is compared in constant time against the expected one (both
 * hashed first, so neither where the first wrong byte sits nor the expected length shows).
 */
final class BasicCredentials {
    private final byte[] expectedDigest;

    BasicCredentials(String username, String password) {
        this.expectedDigest = digest(username + ":" + password);
    }

    /** Whether a {@code Proxy-Authorization} value (null when absent) carries these credentials. */
    boolean matches(String header) {
        String given = "";
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                given = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException notBase64) {
                given = "";
            }
        }
        return MessageDigest.isEqual(expectedDigest, digest(given)) && header != null;
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BasicCredentials[redacted]";
    }
}
