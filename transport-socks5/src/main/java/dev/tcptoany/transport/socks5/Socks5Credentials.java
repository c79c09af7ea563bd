package dev.tcptoany.transport.socks5;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The one username/password a socks5 listener accepts (RFC 1929). Compared in constant time:
 * both sides are hashed first, so neither the position of the first wrong byte nor the length of
 * the expected values shows in the time an answer takes.
 */
final class Socks5Credentials {
    private final byte[] userDigest;
    private final byte[] passwordDigest;

    Socks5Credentials(String username, String password) {
        this.userDigest = digest(username);
        this.passwordDigest = digest(password);
    }

    boolean matches(String username, String password) {
        boolean user = MessageDigest.isEqual(userDigest, digest(username));
        boolean pass = MessageDigest.isEqual(passwordDigest, digest(password));
        return user & pass; // both compared, always
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
        return "Socks5Credentials[redacted]";
    }
}
