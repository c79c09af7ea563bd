package dev.tcptoany.examples.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.TestServer;
import dev.tcptoany.testkit.UnusedPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The path docs/plugins.md walks a plugin author through, on the built distribution: unzip the
 * example plugin into plugins/, see it in {@code transports}, tunnel through it, remove it again.
 */
class ExamplePluginIT {
    @TempDir
    Path tmp;
    Distribution dist;

    @BeforeEach
    void installExamplePlugin() throws IOException {
        dist = Distribution.copy(tmp);
        Path unzipped = Path.of(System.getProperty("example.plugins.dir", "target/example-plugins"), "unix");
        assertThat(unzipped.resolve(".")).as("examples/transport-unix's plugin zip, unpacked").isDirectory();
        assertThat(dist.plugins().resolve("unix")).doesNotExist();
        Distribution.copyTree(unzipped, dist.plugins().resolve("unix"));
    }

    @Test
    void droppedIntoPluginsTheUnixTransportIsListedAndCarriesARoute() throws Exception {
        // Only the plugin's own jar: everything else it uses is shared by the host (lib/).
        try (var files = Files.list(dist.plugins().resolve("unix"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).singleElement().asString()
                    .startsWith("transport-unix-").endsWith(".jar");
        }
        Distribution.Run list = dist.run("transports");
        assertThat(list.code()).as(list.out()).isZero();
        assertThat(list.out()).containsPattern("(?m)^unix\\s+listen\\+dial\\s+.*plugins/unix")
                .containsPattern("(?m)^tcp\\s+listen\\+dial");

        try (TestServer echo = new TestServer()) {
            int port = freePort();
            Path socket = tmp.resolve("hop.sock");
            Path conf = tmp.resolve("unix.conf");
            // tcp -> unix -> tcp, both routes in one file and one process.
            Files.writeString(conf, """
                    proxy.routes {
                      entry {
                        listen { transport = tcp, address = "127.0.0.1:%d" }
                        dial   { transport = unix, path = "%s" }
                      }
                      exit {
                        listen { transport = unix, path = "%s", mode = "600" }
                        dial   { transport = tcp, address = "127.0.0.1:%d" }
                      }
                    }
                    proxy.shutdown-grace = 2s
                    """.formatted(port, socket, socket, echo.port()));
            Distribution.Run check = dist.run("check", "-c", conf.toString());
            assertThat(check.code()).as(check.out()).isZero();

            Path log = tmp.resolve("run.log");
            Process p = dist.start(log, "run", "-c", conf.toString());
            try {
                Distribution.awaitListening(port, p, log); // route "entry" starts first (name order)
                for (int i = 0; i < 100 && !Files.exists(socket); i++) {
                    Thread.sleep(100); // then "exit" creates the socket file
                }
                assertThat(socket).exists();
                pingPong(port);
                Distribution.stopAndExpectZero(p, log);
                assertThat(Files.readString(log)).contains("route exit: unix [" + socket + "]");
                assertThat(socket).as("the listener removes its socket file when it stops").doesNotExist();
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void removedAgainRoutesNamingItAreRejectedWithTheKnownTransports() throws Exception {
        Distribution.deleteTree(dist.plugins().resolve("unix"));
        Distribution.Run list = dist.run("transports");
        assertThat(list.code()).isZero();
        assertThat(list.out()).doesNotContainPattern("(?m)^unix ");
        Path conf = tmp.resolve("unix.conf");
        Files.writeString(conf, """
                proxy.routes.local {
                  listen { transport = tcp, address = "127.0.0.1:0" }
                  dial   { transport = unix, path = "/run/app.sock" }
                }
                """);
        Distribution.Run check = dist.run("check", "-c", conf.toString());
        assertThat(check.code()).isEqualTo(2);
        assertThat(check.out()).contains("unix.conf: 3").contains("proxy.routes.local.dial.transport")
                .contains("unknown transport 'unix'; known transports are: ").contains("tcp");
    }

    /**
     * Byte-exact echoes of 64 KiB, a few times, then a clean end both ways. (Each answer comes
     * before the client's FIN: a large answer after it hits the Netty 4.2.13+ epoll issue that
     * UnixByteStreamTest reproduces.)
     */
    private static void pingPong(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            Random random = new Random(1);
            for (int i = 0; i < 8; i++) {
                byte[] chunk = new byte[64 * 1024];
                random.nextBytes(chunk);
                out.write(chunk);
                out.flush();
                byte[] back = in.readNBytes(chunk.length);
                assertThat(Arrays.equals(back, chunk)).as("echo %d intact", i).isTrue();
            }
            s.shutdownOutput();
            assertThat(in.read()).as("clean end after ours").isEqualTo(-1);
        }
    }

    private static int freePort() throws IOException {
        return UnusedPort.pick(); // below the ephemeral range: no port-0 bind can take it meanwhile
    }
}
