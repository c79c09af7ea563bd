package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fingerprint} prints pins of existing identities and certificate files, and never generates one. */
class FingerprintCommandTest {
    @TempDir
    Path dir;


    private Path config(Path dataDir) throws Exception {
        Path conf = dir.resolve("node.conf");
        Files.writeString(conf, "proxy.data-dir = \"" + dataDir + "\"\n");
        return conf;
    }

    /** A real certificate, made by the JDK's keytool, and its SHA-256 as the proxy prints it. */
    private String certificate(Path pem) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path store = dir.resolve("ks-" + pem.getFileName() + ".p12");
        exec(keytool.toString(), "-genkeypair", "-alias", "a", "-keyalg", "EC", "-dname", "CN=test", "-validity", "2",
                "-keystore", store.toString(), "-storepass", "changeit", "-storetype", "PKCS12");
        exec(keytool.toString(), "-exportcert", "-rfc", "-alias", "a", "-keystore", store.toString(),
                "-storepass", "changeit", "-file", pem.toString());
        try (InputStream in = Files.newInputStream(pem)) {
            byte[] der = CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        }
    }

    private static void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void aMissingIdentityIsNotGeneratedAndExitsOne() throws Exception {
        Path data = dir.resolve("data");
        CommandRun r = CommandRun.of("fingerprint", "-c", config(data).toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("not generated yet in " + data.resolve("tls"));
        assertThat(data).doesNotExist();
    }

    @Test
    void existingIdentitiesAndCertificateFilesArePrinted() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("tls"));
        String quic = certificate(data.resolve("tls/quic.crt"));
        String wss = certificate(data.resolve("tls/wss.crt"));

        CommandRun all = CommandRun.of("fingerprint", "-c", config(data).toString());
        assertThat(all.code()).as(all.err()).isZero();
        assertThat(all.out()).contains("identity quic (" + data.resolve("tls/quic.crt") + "): SHA-256 " + quic)
                .contains("identity wss (" + data.resolve("tls/wss.crt") + "): SHA-256 " + wss);

        CommandRun one = CommandRun.of("fingerprint", "-c", config(data).toString(), "--name", "wss");
        assertThat(one.out()).contains("SHA-256 " + wss).doesNotContain(quic);

        CommandRun file = CommandRun.of("fingerprint", data.resolve("tls/quic.crt").toString());
        assertThat(file.code()).isZero();
        assertThat(file.out()).isEqualToIgnoringNewLines(data.resolve("tls/quic.crt") + ": SHA-256 " + quic);
    }
}
