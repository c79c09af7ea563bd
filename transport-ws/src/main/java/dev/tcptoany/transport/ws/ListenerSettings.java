package dev.tcptoany.transport.ws;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.HostPort;
import dev.tcptoany.api.TlsSettings;
import dev.tcptoany.api.policy.ClientCertificates;
import dev.tcptoany.api.policy.ClientTokens;
import java.time.Duration;
import java.util.List;

/** A ws/wss listener's settings, read and checked eagerly from its {@code listen {}} block. */
record ListenerSettings(
        HostPort address,
        String path,
        String healthPath,
        String subprotocol,
        OriginPolicy origins,
        TokenCheck token,
        ClientCertificates clients,
        Duration handshakeTimeout,
        int maxHeaderSize,
        FrameSettings frames,
        SocketBuffers buffers) {

    static ListenerSettings fromConfig(Config c) {
        HostPort address = HostPort.fromConfig(c, "address");
        String path = pathSetting(c, "path");
        String health = pathSetting(c, "health-path");
        List<String> origins;
        try {
            origins = c.getStringList("allowed-origins");
        } catch (ConfigException.WrongType e) {
            throw ConfigProblems.badValue(c, "allowed-origins", "expected a list of origins, e.g. [\"https://app.example.org\"] or [\"*\"]");
        }
        String header = ConfigValues.string(c, "auth.header");
        if (header.isEmpty()) {
            throw ConfigProblems.badValue(c, "auth.header", "must name a header, e.g. Authorization");
        }
        return new ListenerSettings(
                address, path, health,
                ConfigValues.string(c, "subprotocol"),
                new OriginPolicy(origins),
                new TokenCheck(ClientTokens.fromConfig(c), header),
                ClientCertificates.fromConfig(c, TlsSettings.fromConfig(c, "tls")),
                ConfigValues.duration(c, "handshake-timeout", false),
                ConfigValues.size(c, "max-header-size", 1024, 1024 * 1024),
                FrameSettings.fromConfig(c),
                SocketBuffers.fromConfig(c));
    }

    /** True when {@code requestPath} (without query) is one this listener upgrades. */
    boolean upgradesPath(String requestPath) {
        return path.isEmpty() || path.equals(requestPath);
    }

    private static String pathSetting(Config c, String key) {
        String p = ConfigValues.string(c, key);
        if (!p.isEmpty() && !p.startsWith("/")) {
            throw ConfigProblems.badValue(c, key, "a path starts with '/', e.g. \"/t\"; empty means " + (key.equals("path") ? "any path" : "off"));
        }
        return p;
    }
}
