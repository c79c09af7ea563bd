package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fingerprint} prints pins of existing identities and certificate files, and never generates one. */
class FingerprintCommandTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = ProxyCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

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
        Result r = run("fingerprint", "-c", config(data).toString());
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

        Result all = run("fingerprint", "-c", config(data).toString());
        assertThat(all.code()).as(all.err()).isZero();
        assertThat(all.out()).contains("identity quic (" + data.resolve("tls/quic.crt") + "): SHA-256 " + quic)
                .contains("identity wss (" + data.resolve("tls/wss.crt") + "): SHA-256 " + wss);

        Result one = run("fingerprint", "-c", config(data).toString(), "--name", "wss");
        assertThat(one.out()).contains("SHA-256 " + wss).doesNotContain(quic);

        Result file = run("fingerprint", data.resolve("tls/quic.crt").toString());
        assertThat(file.code()).isZero();
        assertThat(file.out()).isEqualToIgnoringNewLines(data.resolve("tls/quic.crt") + ": SHA-256 " + quic);
    }
}
