package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.TestServer;
import dev.tcptoany.testkit.UnusedPort;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built distribution (proxy-launcher/target/tcp-to-any-proxy), copied and run as users run it:
 * bin/tcp-to-any-proxy in a separate process, transports from plugins/.
 */
class DistributionIT {
    @TempDir
    Path tmp;
    Path home;

    @BeforeEach
    void copyDistribution() throws IOException {
        Path dist = Path.of(System.getProperty("distribution.dir", "target/tcp-to-any-proxy"));
        assertThat(dist.resolve("bin/tcp-to-any-proxy")).exists();
        home = tmp.resolve("dist");
        try (Stream<Path> files = Files.walk(dist)) {
            for (Path p : files.toList()) {
                Path target = home.resolve(dist.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private record Run(int code, String out) {
    }

    /** A long-running proxy whose output goes to a file (Process.destroy() closes its pipes). */
    private Process startLogged(String... args) throws IOException {
        return startLoggedWith(builder(args));
    }

    private Process startLoggedWith(ProcessBuilder builder) throws IOException {
        Path log = tmp.resolve("proxy-" + System.nanoTime() + ".log");
        Process p = builder.redirectOutput(log.toFile()).start();
        logs.put(p, log);
        return p;
    }

    private final java.util.Map<Process, Path> logs = new java.util.HashMap<>();

    private ProcessBuilder builder(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin/tcp-to-any-proxy").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_OPTS", "-Duser.home=" + tmp);
        return pb;
    }

    private Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin/tcp-to-any-proxy").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_OPTS", "-Duser.home=" + tmp);
        return pb.start();
    }

    private Run run(String... args) throws Exception {
        Process p = start(args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static int freePort() throws IOException {
        return UnusedPort.pick(); // below the ephemeral range: no port-0 bind can take it meanwhile
    }

    private static void awaitListening(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("proxy process still running").isTrue();
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing listening on " + port);
    }

    private static void assertEcho(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            byte[] payload = new byte[3 * 1024 * 1024];
            new java.util.Random(1).nextBytes(payload);
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(payload);
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // the read side fails the test
                }
            });
            writer.start();
            assertThat(s.getInputStream().readAllBytes()).isEqualTo(payload);
        }
    }

    private void stopAndExpectZero(Process p) throws Exception {
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(logs.get(p));
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("stopped");
    }

    @Test
    void transportsListsTheTcpPluginFromPluginsFolder() throws Exception {
        Run r = run("transports");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).containsPattern("(?m)^tcp\\s+listen\\+dial\\s+.*plugins/tcp");
        assertThat(home.resolve("lib")).isDirectoryNotContaining("glob:**/transport-tcp*");
        // The SOCKS5 entry point brings its codec in its own folder, and only that.
        assertThat(r.out()).containsPattern("(?m)^socks5\\s+listen\\s+.*plugins/socks5");
        assertThat(home.resolve("plugins/socks5")).isDirectoryContaining("glob:**/netty-codec-socks-*.jar")
                .isDirectoryNotContaining("glob:**/netty-codec-base-*.jar");
        assertThat(home.resolve("lib")).isDirectoryNotContaining("glob:**/netty-codec-socks*");
        assertThat(r.out()).containsPattern("(?m)^http-connect\\s+listen\\s+.*plugins/http-connect");
        // The HTTP codec is the host's (lib/, for the admin endpoint): the plugin folder has only the plugin.
        assertThat(home.resolve("lib")).isDirectoryContaining("glob:**/netty-codec-http-*.jar");
        assertThat(home.resolve("plugins/http-connect")).isDirectoryNotContaining("glob:**/netty-codec-http-*.jar")
                .isDirectoryNotContaining("glob:**/netty-codec-base-*.jar").isDirectoryNotContaining("glob:**/netty-handler-4*.jar");
    }

    @Test
    void runsAConfigFileAndStopsCleanlyOnSigterm() throws Exception {
        try (TestServer server = new TestServer()) {
            int port = freePort();
            Path conf = tmp.resolve("node.conf");
            Files.writeString(conf, """
                    proxy.routes.echo {
                      listen { transport = tcp, address = "127.0.0.1:%d" }
                      dial   { transport = tcp, address = "127.0.0.1:%d" }
                    }
                    proxy.shutdown-grace = 2s
                    """.formatted(port, server.port()));
            Process p = startLogged("run", "-c", conf.toString());
            try {
                awaitListening(port, p);
                assertEcho(port);
                stopAndExpectZero(p);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void ioUringLoopsLoadFromTheDistributionsLib() throws Exception {
        assertThat(home.resolve("lib"))
                .isDirectoryContaining("glob:**/netty-transport-native-io_uring-*-linux-x86_64.jar")
                .isDirectoryContaining("glob:**/netty-transport-native-io_uring-*-linux-aarch_64.jar")
                .isDirectoryContaining("glob:**/netty-transport-classes-io_uring-*.jar");
        org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.channel.uring.IoUring.isAvailable(),
                () -> "io_uring is unavailable here: " + io.netty.channel.uring.IoUring.unavailabilityCause());
        try (TestServer server = new TestServer()) {
            int port = freePort();
            Path conf = tmp.resolve("uring.conf");
            Files.writeString(conf, """
                    proxy.event-loop.kind = io_uring
                    proxy.routes.echo {
                      listen { transport = tcp, address = "127.0.0.1:%d" }
                      dial   { transport = tcp, address = "127.0.0.1:%d" }
                    }
                    proxy.shutdown-grace = 2s
                    """.formatted(port, server.port()));
            Process p = startLogged("run", "-c", conf.toString());
            try {
                awaitListening(port, p);
                assertEcho(port);
                assertThat(Files.readString(logs.get(p))).contains("(event loops: io_uring x");
                stopAndExpectZero(p);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void whereIoUringDoesNotLoadTheNodeSaysSoAndFallsBack() throws Exception {
        try (TestServer server = new TestServer()) {
            int port = freePort();
            Path conf = tmp.resolve("fallback.conf");
            Files.writeString(conf, """
                    proxy.event-loop.kind = io_uring
                    proxy.routes.echo {
                      listen { transport = tcp, address = "127.0.0.1:%d" }
                      dial   { transport = tcp, address = "127.0.0.1:%d" }
                    }
                    proxy.shutdown-grace = 2s
                    """.formatted(port, server.port()));
            ProcessBuilder b = builder("run", "-c", conf.toString());
            // Netty's switch that keeps every native transport from loading: io_uring falls back to
            // epoll, which does not load either, so the node ends on NIO, saying so at each step.
            b.environment().put("JAVA_OPTS", b.environment().get("JAVA_OPTS") + " -Dio.netty.transport.noNative=true");
            Process p = startLoggedWith(b);
            try {
                awaitListening(port, p);
                assertEcho(port);
                assertThat(Files.readString(logs.get(p)))
                        .containsOnlyOnce("io_uring transport unavailable (").contains("noNative=true); using epoll")
                        .containsOnlyOnce("Native epoll transport unavailable (")
                        .contains("(event loops: nio x");
                stopAndExpectZero(p);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void originalFlagsRunWithoutASubcommand() throws Exception {
        try (TestServer server = new TestServer()) {
            int port = freePort();
            Process p = startLogged("-l", "127.0.0.1:" + port, "-r", "127.0.0.1:" + server.port(), "-p", "tcp", "-u", "tcp");
            try {
                awaitListening(port, p);
                assertEcho(port);
                stopAndExpectZero(p);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void originalWebSocketCommandsCarryBytesIntact() throws Exception {
        try (TestServer server = new TestServer()) {
            int node1 = freePort();
            int node2 = freePort();
            Process n2 = startLogged("-l", "127.0.0.1:" + node2, "-r", "127.0.0.1:" + server.port(), "-p", "ws", "-u", "tcp");
            Process n1 = startLogged("-l", "127.0.0.1:" + node1, "-r", "http://127.0.0.1:" + node2, "-p", "tcp", "-u", "ws");
            try {
                awaitListening(node2, n2);
                awaitListening(node1, n1);
                assertEcho(node1);
                stopAndExpectZero(n1);
                stopAndExpectZero(n2);
            } finally {
                n1.destroyForcibly();
                n2.destroyForcibly();
            }
        }
    }

    @Test
    void originalQuicCommandsCarryBytesIntact() throws Exception {
        try (TestServer server = new TestServer()) {
            int node1 = freePort();
            int node2 = freePort();
            Process n2 = startLogged("-l", "127.0.0.1:" + node2, "-r", "127.0.0.1:" + server.port(), "-p", "quic", "-u", "tcp");
            Process n1 = startLogged("-l", "127.0.0.1:" + node1, "-r", "127.0.0.1:" + node2, "-p", "tcp", "-u", "quic");
            try {
                // QUIC listens on UDP: wait for node 2's own word that it does.
                awaitLogLine(n2, "quic route cli: listening on");
                awaitListening(node1, n1);
                assertEcho(node1);
                assertThat(Files.readString(logs.get(n1))).contains("TLS verification is OFF");
                stopAndExpectZero(n1);
                stopAndExpectZero(n2);
            } finally {
                n1.destroyForcibly();
                n2.destroyForcibly();
            }
        }
    }

    private void awaitLogLine(Process p, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.readString(logs.get(p)).contains(text)) {
                return;
            }
            assertThat(p.isAlive()).as("proxy process still running: %s", Files.readString(logs.get(p))).isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' in " + Files.readString(logs.get(p)));
    }

    @Test
    void removingThePluginMakesItsTransportUnknown() throws Exception {
        deleteTree(home.resolve("plugins/tcp"));
        Run list = run("transports");
        assertThat(list.code()).isZero();
        assertThat(list.out()).doesNotContainPattern("(?m)^tcp ");
        Path conf = tmp.resolve("node.conf");
        Files.writeString(conf, """
                proxy.routes.a {
                  listen { transport = tcp, address = "127.0.0.1:0" }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                }
                """);
        Run check = run("check", "-c", conf.toString());
        assertThat(check.code()).isEqualTo(2);
        assertThat(check.out()).contains("node.conf: 2").contains("unknown transport 'tcp'").contains("known transports are");
    }

    @Test
    void duplicateBrokenAndEmptyPluginsAreSpecificErrors() throws Exception {
        Path plugins = home.resolve("plugins");
        copyTree(plugins.resolve("tcp"), plugins.resolve("tcp-copy"));
        Run dup = run("transports");
        assertThat(dup.code()).isEqualTo(2);
        assertThat(dup.out()).contains("transport 'tcp' is registered twice").contains("plugins/tcp").contains("plugins/tcp-copy");
        deleteTree(plugins.resolve("tcp-copy"));

        Files.writeString(plugins.resolve("broken.jar"), "this is not a zip file");
        Run broken = run("transports");
        assertThat(broken.code()).isEqualTo(2);
        assertThat(broken.out()).contains("broken.jar is not a readable jar");
        Files.delete(plugins.resolve("broken.jar"));

        Files.createDirectories(plugins.resolve("empty"));
        Run empty = run("transports");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.out()).contains("plugin folder").contains("empty holds no .jar");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
