package dev.tcptoany.core;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The SHA-256 pins ({@code tls.pin-sha256}) of certificates: of a PEM file, and of the identities a
 * node generated in its data directory. Reads only; never generates an identity.
 */
public final class CertificateFingerprints {
    private CertificateFingerprints() {
    }

    /** A generated identity found in the data directory. */
    public record Identity(String name, Path certificate, String sha256) {
    }

    /** "AB:CD:..." of the first certificate in a PEM (or DER) file. */
    public static String ofFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return HostTlsMaterials.fingerprint(cert);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " holds no X.509 certificate: " + e.getMessage(), e);
        }
    }

    /** Where a node with this configuration keeps its generated identities. */
    public static Path identityDirectory(Config userConfig) {
        return ProxySettings.read(ConfigLoader.effective(userConfig, List.of())).dataDir().resolve("tls");
    }

    /** Every generated identity in {@code dir} ({@code NAME.crt}), by name; empty when there is none. */
    public static List<Identity> identities(Path dir) throws IOException {
        List<Identity> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path crt : files.filter(p -> p.getFileName().toString().endsWith(".crt")).sorted().toList()) {
                String name = crt.getFileName().toString();
                out.add(new Identity(name.substring(0, name.length() - 4), crt, ofFile(crt)));
            }
        }
        return out;
    }
}
