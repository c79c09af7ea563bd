package dev.tcptoany.transport.ws;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A dialer's target: {@code ws://}, {@code wss://}, or, as the original tool accepted,
 * {@code http://} and {@code https://} standing for them.
 *
 * @param secure       TLS (wss/https)
 * @param host         host name or address literal (IPv6 without brackets)
 * @param port         explicit or the scheme's default (80, 443)
 * @param pathAndQuery the request target, at least {@code "/"}
 * @param text         the URL as written, for log lines (user info removed)
 */
record WebSocketUrl(boolean secure, String host, int port, String pathAndQuery, String text) {

    /** Parses {@code url}; throws {@link IllegalArgumentException} saying what is wrong. */
    static WebSocketUrl parse(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + url + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean secure = switch (scheme) {
            case "ws", "http" -> false;
            case "wss", "https" -> true;
            default -> throw new IllegalArgumentException("'" + url
                    + "' must start with ws://, wss://, http:// or https://");
        };
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("'" + url + "' has no host");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + url + "': a WebSocket URL has no #fragment");
        }
        int port = uri.getPort() == -1 ? (secure ? 443 : 80) : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String text = (secure ? "wss" : "ws") + "://" + hostPort(host, port, secure) + path;
        return new WebSocketUrl(secure, host, port, path, text);
    }

    /** The {@code Host} header value: port omitted when it is the scheme's default. */
    String hostHeader() {
        return hostPort(host, port, secure);
    }

    private static String hostPort(String host, int port, boolean secure) {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == (secure ? 443 : 80) ? h : h + ":" + port;
    }

    @Override
    public String toString() {
        return text;
    }
}
