package dev.tcptoany.examples.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private copy of the built distribution (proxy-launcher/target/tcp-to-any-proxy), run as a
 * user runs it: {@code bin/tcp-to-any-proxy} in its own process.
 */
final class Distribution {
    final Path home;
    private final Path tmp;

    record Run(int code, String out) {
    }

    private Distribution(Path home, Path tmp) {
        this.home = home;
        this.tmp = tmp;
    }

    /** Copies the built distribution into {@code tmp/dist}. */
    static Distribution copy(Path tmp) throws IOException {
        Path dist = Path.of(System.getProperty("distribution.dir", "../../proxy-launcher/target/tcp-to-any-proxy"));
        assertThat(dist.resolve("bin/tcp-to-any-proxy")).as("the built distribution; run mvn package first").exists();
        Path home = tmp.resolve("dist");
        copyTree(dist, home);
        return new Distribution(home, tmp);
    }

    /** The data directory every command here uses (user.home is a throwaway). */
    Path dataDir() {
        return tmp.resolve(".tcp-to-any-proxy");
    }

    Path plugins() {
        return home.resolve("plugins");
    }

    private ProcessBuilder builder(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin/tcp-to-any-proxy").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // Generated certificates go to a throwaway data directory.
        pb.environment().put("JAVA_OPTS", "-Duser.home=" + tmp + " -Xshare:auto -XX:TieredStopAtLevel=1");
        // The node-1 examples take node 2's pin from ${NODE2_PIN}, as their comments tell users to.
        pb.environment().put("NODE2_PIN", "01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F:20");
        return pb;
    }

    /** Runs a command to its end. */
    Run run(String... args) throws Exception {
        Process p = builder(args).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** Starts a long-running command whose output goes to {@code log} (destroy() closes pipes). */
    Process start(Path log, String... args) throws IOException {
        return builder(args).redirectOutput(log.toFile()).start();
    }

    /** SIGTERM, then the launcher's clean exit: code 0 and "stopped". */
    static void stopAndExpectZero(Process p, Path log) throws Exception {
        p.destroy();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("stopped");
    }

    static void awaitListening(int port, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("proxy still running; log:\n%s", Files.exists(log) ? Files.readString(log) : "").isTrue();
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing listening on " + port + "; log:\n" + Files.readString(log));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
