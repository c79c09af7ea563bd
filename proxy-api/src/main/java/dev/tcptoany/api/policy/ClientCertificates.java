package dev.tcptoany.api.policy;

import com.typesafe.config.Config;
import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.TlsSettings;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A listener's {@code auth.clients { NAME { cert-sha256 = "AB:CD:...", allow = [...] } }}: which
 * client certificate is which client, by the SHA-256 of the certificate the client presented (its
 * leaf, DER), and what each may reach. TLS has already verified the certificate against
 * {@code tls.ca} ({@code client-auth = require}); this names it. A verified certificate that no
 * entry lists is refused like an unknown token: admitting it with the route's allow list would let
 * anyone the CA ever signed for reach what only listed clients should.
 */
public final class ClientCertificates {

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
        for (NamedClientEntries.Entry named : NamedClientEntries.read(listen, "auth.clients", "cert-sha256",
                "{ cert-sha256 = \"AB:CD:...\", allow = [...] }")) {
            String name = named.name();
            String path = named.path();
            String text = named.credential();
            String hex = TlsSettings.normalizeFingerprint(text);
            if (!hex.matches("[0-9a-f]{64}")) {
                throw ConfigProblems.badValue(listen, path + ".cert-sha256",
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
            entries.add(new Entry(fingerprint, named.client()));
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
