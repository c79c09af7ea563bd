package dev.tcptoany.core;

import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.TlsEngine;
import dev.tcptoany.api.TlsIdentity;
import dev.tcptoany.api.TlsMaterials;
import dev.tcptoany.api.TlsSettings;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's {@link TlsMaterials}: PEM files, generated self-signed identities (ECDSA P-256, cheap
 * to make once, fast to handshake with; kept under {@code data-dir/tls/}), pins, CAs.
 */
final class HostTlsMaterials implements TlsMaterials {
    private static final Logger log = LoggerFactory.getLogger(HostTlsMaterials.class);

    private final Path tlsDir;
    private final ConcurrentHashMap<String, TlsIdentity> generated = new ConcurrentHashMap<>();
    /** For {@code check}: nothing is written; a missing identity is made in memory and noted. */
    private final boolean dryRun;
    private final List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final TlsEngine engine;

    HostTlsMaterials(Path dataDir) {
        this(dataDir, false);
    }

    HostTlsMaterials(Path dataDir, boolean dryRun) {
        this(dataDir, dryRun, TlsEngine.JDK);
    }

    HostTlsMaterials(Path dataDir, boolean dryRun, TlsEngine engine) {
        this.tlsDir = dataDir.resolve("tls");
        this.dryRun = dryRun;
        this.engine = engine;
    }

    @Override
    public TlsEngine engine() {
        return engine;
    }

    /** In a dry run: what a real start would do with each generated identity, one line each. */
    List<String> notes() {
        return List.copyOf(notes);
    }

    @Override
    public TlsIdentity serverIdentity(TlsSettings settings, String name) {
        if (settings.cert().isPresent()) {
            TlsIdentity id = loadIdentity(settings, false);
            log.info("TLS identity {} from {}: SHA-256 fingerprint {}", name, settings.cert().get(), id.sha256Fingerprint());
            return id;
        }
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("identity name '" + name + "' must be a plain file name");
        }
        return generated.computeIfAbsent(name, this::loadOrGenerate);
    }

    @Override
    public Optional<TlsIdentity> clientIdentity(TlsSettings settings) {
        return settings.cert().isPresent() ? Optional.of(loadIdentity(settings, false)) : Optional.empty();
    }

    @Override
    public TrustManagerFactory serverTrust(TlsSettings settings) {
        if (!settings.pinSha256().isEmpty()) {
            return new PinnedCertificateTrust(settings);
        }
        if (settings.insecure()) {
            log.warn("TLS verification is OFF (insecure = true): any server certificate is accepted, so the"
                    + " connection can be intercepted. Pin the server's fingerprint (pin-sha256) instead.");
            return InsecureTrustManagerFactory.INSTANCE;
        }
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (settings.ca().isPresent()) {
                tmf.init(trustStore(settings, "ca"));
            } else {
                tmf.init((KeyStore) null);
            }
            return tmf;
        } catch (GeneralSecurityException e) {
            throw ConfigProblems.badValue(settings.origin(), "ca", "cannot build trust: " + e.getMessage());
        }
    }

    @Override
    public Optional<TrustManagerFactory> clientTrust(TlsSettings settings) {
        if (settings.clientAuth() == TlsSettings.ClientAuth.NONE) {
            return Optional.empty();
        }
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore(settings, "ca"));
            return Optional.of(tmf);
        } catch (GeneralSecurityException e) {
            throw ConfigProblems.badValue(settings.origin(), "ca", "cannot build trust: " + e.getMessage());
        }
    }

    private KeyStore trustStore(TlsSettings settings, String key) throws GeneralSecurityException {
        List<X509Certificate> cas = readCertificates(settings.ca().orElseThrow(), settings, key);
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        for (int i = 0; i < cas.size(); i++) {
            ks.setCertificateEntry("ca-" + i, cas.get(i));
        }
        return ks;
    }

    private TlsIdentity loadIdentity(TlsSettings settings, boolean generatedFlag) {
        List<X509Certificate> chain = readCertificates(settings.cert().orElseThrow(), settings, "cert");
        PrivateKey key = readKey(settings.key().orElseThrow(), settings);
        return new TlsIdentity(key, chain, fingerprint(chain.get(0)), generatedFlag);
    }

    private static List<X509Certificate> readCertificates(Path file, TlsSettings settings, String key) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : certs) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw ConfigProblems.badValue(settings.origin(), key, file + " holds no PEM certificate");
            }
            return out;
        } catch (IOException e) {
            throw ConfigProblems.badValue(settings.origin(), key, "cannot read " + file + ": " + e);
        } catch (GeneralSecurityException e) {
            throw ConfigProblems.badValue(settings.origin(), key, file + " is not a PEM certificate: " + e.getMessage());
        }
    }

    private static PrivateKey readKey(Path file, TlsSettings settings) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                // SEC1 / PKCS#1 keys: the private part is all we need (the public key may be absent).
                return converter.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw ConfigProblems.badValue(settings.origin(), "key", file
                    + " holds no unencrypted PEM private key (PKCS#8 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY')");
        } catch (IOException e) {
            throw ConfigProblems.badValue(settings.origin(), "key", "cannot read " + file + ": " + e.getMessage());
        }
    }

    private TlsIdentity loadOrGenerate(String name) {
        Path crt = tlsDir.resolve(name + ".crt");
        Path key = tlsDir.resolve(name + ".key");
        TlsIdentity id;
        if (Files.exists(crt) && Files.exists(key)) {
            TlsSettings s = new TlsSettings(Optional.of(crt), Optional.of(key), Optional.empty(), List.of(), false,
                    Optional.empty(), TlsSettings.ClientAuth.NONE, com.typesafe.config.ConfigFactory.empty(crt.toString()));
            TlsIdentity loaded = loadIdentity(s, true);
            id = new TlsIdentity(loaded.key(), loaded.chain(), loaded.sha256Fingerprint(), true);
            if (dryRun) {
                notes.add("identity '" + name + "' exists in " + tlsDir + ", SHA-256 " + id.sha256Fingerprint());
                return id;
            }
            log.info("TLS identity {}: self-signed certificate {} (SHA-256 fingerprint {})", name, crt, id.sha256Fingerprint());
        } else if (dryRun) {
            id = generate(name, crt, key);
            notes.add("identity '" + name + "' will be generated in " + tlsDir + " (its pin is printed then)");
            return id;
        } else {
            id = generate(name, crt, key);
            log.info("TLS identity {}: generated a self-signed certificate {} (SHA-256 fingerprint {}); dialers"
                    + " pin it with tls.pin-sha256", name, crt, id.sha256Fingerprint());
        }
        return id;
    }

    private TlsIdentity generate(String name, Path crt, Path keyFile) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair kp = gen.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=tcp-to-any-proxy " + name);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(1, ChronoUnit.DAYS)),
                    Date.from(now.plus(3650, ChronoUnit.DAYS)), subject, kp.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")}));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            if (dryRun) {
                return new TlsIdentity(kp.getPrivate(), List.of(cert), fingerprint(cert), true);
            }
            Files.createDirectories(tlsDir);
            writePem(keyFile, new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(kp.getPrivate(), null), true);
            writePem(crt, cert, false);
            return new TlsIdentity(kp.getPrivate(), List.of(cert), fingerprint(cert), true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate a self-signed certificate in " + tlsDir + ": " + e.getMessage(), e);
        }
    }

    private static void writePem(Path file, Object o, boolean secret) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret) {
            // Created 0600: a private key is never readable by others, not even between create and chmod.
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(tmp);
            }
        }
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(o);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** SHA-256 of the DER certificate, "AB:CD:...". */
    static String fingerprint(X509Certificate cert) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }


}
