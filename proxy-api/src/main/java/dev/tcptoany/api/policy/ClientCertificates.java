package dev.tcptoany.api.policy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.TlsSettings;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A listener's {@code auth.clients { NAME { cert-sha256 = "AB:CD:...", allow = [...] } }}: which
 * client certificate is which client, by the SHA-256 of the certificate the client presented (its
 * leaf, DER), and what each may reach. TLS has already verified the certificate against
 * {@code tls.ca} ({@code client-auth = require}); this names it. A verified certificate that no
 * entry lists is refused like an unknown token: admitting it with the route's allow list would let
 * anyone the CA ever signed for reach what only listed clients should.
 */
public final class ClientCertificates {
    private static final Set<String> ENTRY_KEYS = Set.of("cert-sha256", "allow");

    private record Entry(byte[] fingerprint, AuthenticatedClient client) {
    }

    private final List<Entry> entries;

    private ClientCertificates(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads {@code auth.clients} from a listen block whose TLS settings are {@code tls}; entries need
     * {@code client-auth = require}. Errors name the file, line and full key.
     */
    public static ClientCertificates fromConfig(Config listen, TlsSettings tls) {
        if (!listen.hasPath("auth.clients") || listen.getObject("auth.clients").isEmpty()) {
            return new ClientCertificates(List.of());
        }
        if (tls.clientAuth() != TlsSettings.ClientAuth.REQUIRE) {
            throw ConfigProblems.badValue(listen, "auth.clients", "client certificates name clients only when every"
                    + " client must present one: set tls { client-auth = require, ca = \"clients-ca.pem\" }");
        }
        if (listen.hasPath("auth.tokens") && !listen.getObject("auth.tokens").isEmpty()) {
            throw ConfigProblems.badValue(listen, "auth.clients", "auth.clients and auth.tokens both name clients;"
                    + " use one of them (auth.token, one shared secret, may go with auth.clients)");
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : listen.getObject("auth.clients").entrySet()) {
            String name = e.getKey();
            String path = "auth.clients.\"" + name + "\"";
            if (e.getValue().valueType() != ConfigValueType.OBJECT) {
                throw ConfigProblems.badValue(listen, path, "expected { cert-sha256 = \"AB:CD:...\", allow = [...] }");
            }
            Config entry = listen.getConfig(path);
            for (String key : entry.root().keySet()) {
                if (!ENTRY_KEYS.contains(key)) {
                    throw ConfigProblems.badValue(listen, path + "." + key, "unknown key; a client entry takes"
                            + " cert-sha256 and allow");
                }
            }
            String text;
            try {
                text = entry.hasPath("cert-sha256") ? entry.getString("cert-sha256") : "";
            } catch (ConfigException.WrongType x) {
                throw ConfigProblems.badValue(listen, path + ".cert-sha256", "expected a string");
            }
            String hex = TlsSettings.normalizeFingerprint(text);
            if (!hex.matches("[0-9a-f]{64}")) {
                throw ConfigProblems.badValue(listen, entry.hasPath("cert-sha256") ? path + ".cert-sha256" : path,
                        "client entry '" + name + "' needs cert-sha256, the SHA-256 fingerprint of its certificate"
                        + " (64 hex digits, colons allowed; 'tcp-to-any-proxy fingerprint CERT' prints it)");
            }
            byte[] fingerprint = HexFormat.of().parseHex(hex);
            for (Entry other : entries) {
                if (MessageDigest.isEqual(other.fingerprint(), fingerprint)) {
                    throw ConfigProblems.badValue(listen, path + ".cert-sha256", "client entries '"
                            + other.client().name() + "' and '" + name + "' list the same certificate");
                }
            }
            Optional<List<DestinationRule>> allow = entry.hasPath("allow")
                    ? Optional.of(DestinationPolicy.rules(listen, path + ".allow")) : Optional.empty();
            entries.add(new Entry(fingerprint, new AuthenticatedClient(name, allow)));
        }
        return new ClientCertificates(entries);
    }

    /** Whether clients are named by their certificates (and one no entry lists is refused). */
    public boolean required() {
        return !entries.isEmpty();
    }

    /**
     * The entry listing the client's certificate ({@code peerChain[0]}, as the TLS session reports
     * it); empty when none does or there is no certificate.
     */
    public Optional<AuthenticatedClient> match(Certificate[] peerChain) {
        if (peerChain == null || peerChain.length == 0) {
            return Optional.empty();
        }
        byte[] fingerprint;
        try {
            fingerprint = MessageDigest.getInstance("SHA-256").digest(peerChain[0].getEncoded());
        } catch (CertificateEncodingException e) {
            return Optional.empty();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
        AuthenticatedClient found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.fingerprint(), fingerprint)) {
                found = e.client();
            }
        }
        return Optional.ofNullable(found);
    }
}
