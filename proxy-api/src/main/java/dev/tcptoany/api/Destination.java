package dev.tcptoany.api;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a client asked to go: a host name or IP literal as the client wrote it, and a port. An
 * entry point (SOCKS5, HTTP CONNECT) puts it on the stream it accepts; a dialer with a dynamic
 * target receives it in {@link DialRequest#destination()}. Nothing here resolves or judges it:
 * the exit's policy does, on every stream.
 *
 * @param host a host name (lower-cased, no trailing dot) or an IP literal (IPv6 without brackets)
 * @param port 1-65535
 */
public record Destination(String host, int port) {
    /** DNS names are at most 255 bytes on the wire; SOCKS5 and our headers carry one length byte. */
    public static final int MAX_HOST_LENGTH = 255;

    public Destination {
        Objects.requireNonNull(host, "host");
        if (host.endsWith(".") && host.length() > 1) {
            host = host.substring(0, host.length() - 1);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.isEmpty()) {
            throw new IllegalArgumentException("a destination needs a host");
        }
        if (host.getBytes(StandardCharsets.UTF_8).length > MAX_HOST_LENGTH) {
            throw new IllegalArgumentException("destination host is longer than " + MAX_HOST_LENGTH + " bytes");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c == '/' || c == '[' || c == ']' || c == '@' || c >= 127) {
                throw new IllegalArgumentException("destination host '" + host + "' contains '" + c + "'");
            }
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("destination port " + port + " is out of range 1-65535");
        }
    }

    /**
     * Parses {@code host:port} or {@code [v6]:port}, as in an HTTP CONNECT request line; throws
     * {@link IllegalArgumentException} with a reason on bad input.
     */
    public static Destination parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + text + "' has no port; expected host:port");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("'" + text + "': an IPv6 address needs brackets, e.g. [::1]:443");
        }
        String portText = text.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': port '" + portText + "' is not a number");
        }
        return new Destination(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
