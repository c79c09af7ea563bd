package dev.tcptoany.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code tls { }} block, shared by every transport that uses TLS, inside {@code listen {}} or
 * {@code dial {}}:
 *
 * <pre>
 * tls {
 *   cert = "node.crt"        # PEM certificate chain (listener identity, or dialer client cert)
 *   key = "node.key"         # PEM PKCS#8 private key for cert
 *   ca = "ca.crt"            # PEM CA(s): dialer trusts them instead of the system's;
 *                            # listener verifies client certificates against them
 *   pin-sha256 = ["AB:CD:..."]  # dialer: accept only these certificate SHA-256 fingerprints
 *   insecure = false         # dialer: skip verification (logged as a warning)
 *   server-name = "example.org" # dialer: SNI and the name verified; default the dialled host
 *   client-auth = none       # listener: none | optional | require
 * }
 * </pre>
 *
 * <p>Relative paths resolve against the working directory.
 */
public record TlsSettings(
        Optional<Path> cert,
        Optional<Path> key,
        Optional<Path> ca,
        List<String> pinSha256,
        boolean insecure,
        Optional<String> serverName,
        ClientAuth clientAuth,
        Config origin) {

    /** Whether a listener asks dialers for a certificate. */
    public enum ClientAuth { NONE, OPTIONAL, REQUIRE }

    /** Settings with nothing configured: generated identity, system trust. */
    public static TlsSettings defaults() {
        return fromConfig(ConfigFactory.empty(), "tls");
    }

    /**
     * Reads {@code path} (usually {@code "tls"}) of {@code config}; an absent block means defaults.
     * Errors name the file, line and key.
     */
    public static TlsSettings fromConfig(Config config, String path) {
        Config c = config.hasPath(path) ? config.getConfig(path) : ConfigFactory.empty();
        Optional<Path> cert = optionalPath(c, "cert");
        Optional<Path> key = optionalPath(c, "key");
        if (cert.isPresent() != key.isPresent()) {
            throw ConfigProblems.badValue(c, cert.isPresent() ? "cert" : "key",
                    "'cert' and 'key' go together: give both or neither");
        }
        List<String> pins = c.hasPath("pin-sha256") ? c.getStringList("pin-sha256") : List.of();
        for (int i = 0; i < pins.size(); i++) {
            String hex = normalizeFingerprint(pins.get(i));
            if (!hex.matches("[0-9a-f]{64}")) {
                throw ConfigProblems.badValue(c, "pin-sha256",
                        "'" + pins.get(i) + "' is not a SHA-256 fingerprint (64 hex digits, colons allowed)");
            }
            if (hex.replace(hex.substring(0, 2), "").isEmpty()) {
                throw ConfigProblems.badValue(c, "pin-sha256", "'" + pins.get(i) + "' is a placeholder (every byte the"
                        + " same), not a certificate's fingerprint: run 'tcp-to-any-proxy fingerprint' on the listening"
                        + " node (or copy the pin from its log line 'TLS identity ...') and put that here");
            }
        }
        boolean insecure = c.hasPath("insecure") && c.getBoolean("insecure");
        Optional<String> serverName = c.hasPath("server-name") ? Optional.of(c.getString("server-name")) : Optional.empty();
        ClientAuth clientAuth = ClientAuth.NONE;
        if (c.hasPath("client-auth")) {
            String v = c.getString("client-auth").toUpperCase(Locale.ROOT);
            try {
                clientAuth = ClientAuth.valueOf(v);
            } catch (IllegalArgumentException e) {
                throw ConfigProblems.badValue(c, "client-auth", "expected none, optional or require");
            }
        }
        Optional<Path> ca = optionalPath(c, "ca");
        if (clientAuth != ClientAuth.NONE && ca.isEmpty()) {
            throw ConfigProblems.badValue(c, "client-auth", "client-auth needs 'ca' to verify client certificates against");
        }
        return new TlsSettings(cert, key, ca, List.copyOf(pins), insecure, serverName, clientAuth, c);
    }

    /** Lower-case hex without separators: the form pins are compared in. */
    public static String normalizeFingerprint(String fingerprint) {
        return fingerprint.replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
    }

    private static Optional<Path> optionalPath(Config c, String key) {
        if (!c.hasPath(key)) {
            return Optional.empty();
        }
        String v = c.getString(key);
        if (v.isBlank()) {
            throw ConfigProblems.badValue(c, key, "empty path");
        }
        return Optional.of(Path.of(v));
    }
}
