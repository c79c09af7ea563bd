package dev.tcptoany.transport.ws;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The RFC 6455 opening-handshake arithmetic shared by listener and dialer. */
final class Handshakes {
    private Handshakes() {
    }

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A fresh {@code Sec-WebSocket-Key}: 16 random bytes, base64. */
    static String newKey() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** The {@code Sec-WebSocket-Accept} answering {@code key}. */
    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by the Java platform", e);
        }
    }

    /** True when {@code key} is base64 of 16 bytes, as RFC 6455 requires. */
    static boolean isValidKey(String key) {
        try {
            return key != null && Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** True when the headers ask to upgrade to WebSocket ({@code Connection: upgrade}, {@code Upgrade: websocket}). */
    static boolean isWebSocketUpgrade(HttpHeaders headers) {
        return headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /** The comma-separated tokens of every {@code name} header, trimmed, empty ones dropped. */
    static List<String> tokens(HttpHeaders headers, CharSequence name) {
        List<String> out = new ArrayList<>();
        for (String value : headers.getAll(name)) {
            for (String t : value.split(",")) {
                String s = t.trim();
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }
}
