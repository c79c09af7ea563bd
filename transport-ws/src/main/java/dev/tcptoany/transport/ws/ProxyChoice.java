package dev.tcptoany.transport.ws;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a dialer goes through an HTTP proxy (with CONNECT), and which. Three forms of the
 * {@code proxy} setting: empty (direct), a URL {@code http://user:pass@host:port}, or {@code env}:
 * {@code HTTPS_PROXY} for wss and {@code HTTP_PROXY} for ws (lower-case names too, the lower-case
 * one first as curl does), skipped for hosts matched by {@code NO_PROXY}.
 */
final class ProxyChoice {

    /** One HTTP proxy. */
    record HttpProxy(String host, int port, String user, String password, String text) {
        /** The proxy's address as written: the dialer resolves it with the host's resolver. */
        InetSocketAddress unresolved() {
            return InetSocketAddress.createUnresolved(host, port);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private final Optional<HttpProxy> proxy;
    private final List<String> noProxy;

    private ProxyChoice(Optional<HttpProxy> proxy, List<String> noProxy) {
        this.proxy = proxy;
        this.noProxy = noProxy;
    }

    static ProxyChoice direct() {
        return new ProxyChoice(Optional.empty(), List.of());
    }

    /**
     * @param setting the {@code proxy} value
     * @param secure  the dialer's scheme, which picks the environment variable
     * @param env     the process environment (a parameter so tests can give their own)
     * @throws IllegalArgumentException with a reason, for a malformed proxy URL
     */
    static ProxyChoice fromSetting(String setting, boolean secure, Map<String, String> env) {
        if (setting.isEmpty()) {
            return direct();
        }
        if (!setting.equalsIgnoreCase("env")) {
            return new ProxyChoice(Optional.of(parse(setting)), List.of());
        }
        String name = secure ? "https_proxy" : "http_proxy";
        String value = firstNonEmpty(env.get(name), env.get(name.toUpperCase(Locale.ROOT)));
        if (value == null) {
            return direct();
        }
        String noProxy = firstNonEmpty(env.get("no_proxy"), env.get("NO_PROXY"));
        List<String> entries = new ArrayList<>();
        if (noProxy != null) {
            for (String e : noProxy.split(",")) {
                String s = e.trim().toLowerCase(Locale.ROOT);
                if (!s.isEmpty()) {
                    entries.add(s);
                }
            }
        }
        try {
            return new ProxyChoice(Optional.of(parse(value)), List.copyOf(entries));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("environment " + name + ": " + e.getMessage());
        }
    }

    /** The proxy to use for {@code host:port}, or empty for a direct connection. */
    Optional<HttpProxy> forTarget(String host, int port) {
        if (proxy.isEmpty() || bypassed(host.toLowerCase(Locale.ROOT), port)) {
            return Optional.empty();
        }
        return proxy;
    }

    /** NO_PROXY as curl reads it: "*", exact hosts or IPs, domain suffixes with or without a leading dot, optional :port. */
    private boolean bypassed(String host, int port) {
        for (String entry : noProxy) {
            if (entry.equals("*")) {
                return true;
            }
            String e = entry;
            int colon = e.lastIndexOf(':');
            if (colon > 0 && e.indexOf(']') < colon && e.chars().filter(c -> c == ':').count() == 1) {
                if (!e.substring(colon + 1).equals(Integer.toString(port))) {
                    continue;
                }
                e = e.substring(0, colon);
            }
            if (e.startsWith("[") && e.endsWith("]")) {
                e = e.substring(1, e.length() - 1);
            }
            if (e.startsWith(".")) {
                e = e.substring(1);
            }
            if (host.equals(e) || host.endsWith("." + e)) {
                return true;
            }
        }
        return false;
    }

    private static HttpProxy parse(String url) {
        String text = url.contains("://") ? url : "http://" + url;
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + url + "' is not a proxy URL: " + e.getReason());
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("'" + url + "': only http:// proxies (HTTP CONNECT) are supported");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("'" + url + "' has no host");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
            password = colon < 0 ? "" : URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        // Never log the password.
        String shown = "http://" + (user != null ? user + ":***@" : "") + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        return new HttpProxy(host, port, user, password, shown);
    }

    private static String firstNonEmpty(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a.trim();
        }
        return b != null && !b.isBlank() ? b.trim() : null;
    }
}
