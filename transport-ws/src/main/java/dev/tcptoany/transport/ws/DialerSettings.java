package dev.tcptoany.transport.ws;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.tcptoany.api.ConfigProblems;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A ws/wss dialer's settings, read and checked eagerly from its {@code dial {}} block. */
record DialerSettings(
        WebSocketUrl url,
        Map<String, String> headers,
        String subprotocol,
        ProxyChoice proxy,
        Duration handshakeTimeout,
        int maxHeaderSize,
        FrameSettings frames,
        SocketBuffers buffers,
        boolean forwardDestination) {

    /**
     * @param secure true for the wss transport: the URL scheme must agree with it
     * @param env    the process environment, for {@code proxy = env}
     */
    static DialerSettings fromConfig(Config c, boolean secure, Map<String, String> env) {
        if (!c.hasPath("url")) {
            throw ConfigProblems.missing(c, "url");
        }
        WebSocketUrl url;
        try {
            url = WebSocketUrl.parse(ConfigValues.string(c, "url"));
        } catch (IllegalArgumentException e) {
            throw ConfigProblems.badValue(c, "url", e.getMessage());
        }
        if (url.secure() != secure) {
            throw ConfigProblems.badValue(c, "url", secure
                    ? "transport wss needs a wss:// or https:// URL; use transport = ws for ws://"
                    : "transport ws needs a ws:// or http:// URL; use transport = wss for wss://");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        Config h;
        try {
            h = c.getConfig("headers");
        } catch (ConfigException.WrongType e) {
            throw ConfigProblems.badValue(c, "headers", "expected an object, e.g. { Authorization = \"Bearer s3cret\" }");
        }
        for (Map.Entry<String, ConfigValue> e : h.root().entrySet()) {
            if (e.getValue().valueType() == ConfigValueType.OBJECT || e.getValue().valueType() == ConfigValueType.LIST) {
                throw ConfigProblems.badValue(c, "headers", "header '" + e.getKey() + "' needs a string value (quote names with dots)");
            }
            headers.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
        }
        addToken(c, headers);
        String proxySetting = ConfigValues.string(c, "proxy");
        ProxyChoice proxy;
        try {
            proxy = ProxyChoice.fromSetting(proxySetting, secure, env);
        } catch (IllegalArgumentException e) {
            throw ConfigProblems.badValue(c, "proxy", e.getMessage());
        }
        return new DialerSettings(url, java.util.Collections.unmodifiableMap(headers), ConfigValues.string(c, "subprotocol"), proxy,
                ConfigValues.duration(c, "handshake-timeout", false),
                ConfigValues.size(c, "max-header-size", 1024, 1024 * 1024),
                FrameSettings.fromConfig(c),
                SocketBuffers.fromConfig(c),
                forwardDestination(c));
    }

    /**
     * {@code auth.token}: sent in the header {@code auth.header} names, the way a listener's
     * {@code auth} block reads it: {@code Bearer <token>} in Authorization, the bare token otherwise.
     */
    private static void addToken(Config c, Map<String, String> headers) {
        String token = ConfigValues.string(c, "auth.token");
        if (token.isEmpty()) {
            return;
        }
        String header = ConfigValues.string(c, "auth.header");
        if (header.isEmpty()) {
            throw ConfigProblems.badValue(c, "auth.header", "must name a header, e.g. Authorization");
        }
        for (String name : headers.keySet()) {
            if (name.equalsIgnoreCase(header)) {
                throw ConfigProblems.badValue(c, "auth.token", "headers sets " + name + " too; give the token once");
            }
        }
        headers.put(header, header.equalsIgnoreCase("Authorization") ? "Bearer " + token : token);
    }

    private static boolean forwardDestination(Config c) {
        boolean forward = c.getBoolean("forward-destination");
        if (forward && ConfigValues.string(c, "subprotocol").isEmpty()) {
            throw ConfigProblems.badValue(c, "forward-destination", "a destination travels only under our subprotocol;"
                    + " set subprotocol = \"" + Subprotocol.NAME + "\" (plain WebSocket peers cannot carry one)");
        }
        return forward;
    }
}
