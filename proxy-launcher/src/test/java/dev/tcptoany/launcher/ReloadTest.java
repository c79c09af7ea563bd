package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.TestServer;
import dev.tcptoany.testkit.UnusedPort;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reload of issue 12: during a multi-MB transfer on route a, a reload adds route b, changes
 * route c's upstream and removes route d; a's transfer finishes byte-exact, b serves, c's open
 * connection finishes on the old upstream while new ones go to the new one, d refuses.
 */
class ReloadTest {
    @TempDir
    Path dir;

    /** Answers every read with the server's name before the bytes, so a client sees which upstream it reached. */
    static TestServer.Behaviour named(String name) {
        return s -> {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) >= 0) {
                s.getOutputStream().write((name + ":").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(buf, 0, n);
                s.getOutputStream().flush();
            }
            s.shutdownOutput();
        };
    }

    static int freePort() throws IOException {
        return UnusedPort.pick();
    }

    /** Sends text, reads the answer of a {@link #named} upstream (a three-letter name). */
    static String ask(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        byte[] answer = new byte[4 + text.length()];
        new DataInputStream(s.getInputStream()).readFully(answer);
        return new String(answer, StandardCharsets.US_ASCII);
    }

    String config(int a, int b, int c, int d, int echoPort, int cUpstream, boolean after) {
        String routes = """
                a { listen { transport = tcp, address = "127.0.0.1:%d" }, dial { transport = tcp, address = "127.0.0.1:%d" } }
                c { listen { transport = tcp, address = "127.0.0.1:%d" }, dial { transport = tcp, address = "127.0.0.1:%d" } }
                """.formatted(a, echoPort, c, cUpstream);
        routes += after
                ? "b { listen { transport = tcp, address = \"127.0.0.1:%d\" }, dial { transport = tcp, address = \"127.0.0.1:%d\" } }\n"
                        .formatted(b, echoPort)
                : "d { listen { transport = tcp, address = \"127.0.0.1:%d\" }, dial { transport = tcp, address = \"127.0.0.1:%d\" } }\n"
                        .formatted(d, echoPort);
        return "proxy.data-dir = \"" + dir + "\"\nproxy.shutdown-grace = 20s\nproxy.routes {\n" + routes + "}\n";
    }

    @Test
    void addChangeRemoveWhileATransferRunsAndOpenConnectionsFinishWhereTheyStarted() throws Exception {
        int a = freePort(), b = freePort(), c = freePort(), d = freePort();
        try (TestServer echo = new TestServer(); TestServer oldUp = new TestServer(named("old"));
             TestServer newUp = new TestServer(named("new"));
             Proxy proxy = Proxy.start(ConfigLoader.parseString(config(a, b, c, d, echo.port(), oldUp.port(), false), "v1.conf"))) {
            // a: 16 MiB echoed while the reload happens; the digest each way must match.
            byte[] payload = new byte[16 << 20];
            new Random(7).nextBytes(payload);
            Socket transfer = new Socket("127.0.0.1", a);
            transfer.setSoTimeout(30_000);
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    byte[] buf = new byte[65536];
                    int n;
                    long total = 0;
                    while ((n = transfer.getInputStream().read(buf)) >= 0) {
                        md.update(buf, 0, n);
                        total += n;
                    }
                    assertThat(total).isEqualTo(payload.length);
                    return md.digest();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    for (int off = 0; off < payload.length; off += 1 << 16) {
                        transfer.getOutputStream().write(payload, off, 1 << 16);
                        if (off == 4 << 20) {
                            Thread.sleep(300); // the reload happens while this transfer is in flight
                        }
                    }
                    transfer.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // c: an open connection on the old upstream.
            Socket cOld = new Socket("127.0.0.1", c);
            cOld.setSoTimeout(10_000);
            assertThat(ask(cOld, "hello")).isEqualTo("old:hello");
            Thread.sleep(100);

            Proxy.ReloadOutcome outcome = proxy.reload(ConfigLoader.parseString(
                    config(a, b, c, d, echo.port(), newUp.port(), true), "v2.conf"));
            assertThat(outcome.applied()).as(outcome.problems().toString()).isTrue();
            assertThat(outcome.added()).containsExactly("b");
            assertThat(outcome.changed()).containsExactly("c");
            assertThat(outcome.removed()).containsExactly("d");
            assertThat(outcome.unchanged()).containsExactly("a");

            // c: the open connection still reaches the old upstream; a new one reaches the new upstream.
            assertThat(ask(cOld, "again")).isEqualTo("old:again");
            try (Socket cNew = new Socket("127.0.0.1", c)) {
                cNew.setSoTimeout(10_000);
                assertThat(ask(cNew, "fresh")).isEqualTo("new:fresh");
            }
            cOld.close();
            // b serves.
            try (Socket sb = new Socket("127.0.0.1", b)) {
                sb.setSoTimeout(10_000);
                sb.getOutputStream().write("bee".getBytes(StandardCharsets.US_ASCII));
                sb.shutdownOutput();
                assertThat(new String(sb.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bee");
            }
            // d refuses.
            assertThatThrownBy(() -> new Socket("127.0.0.1", d).close()).isInstanceOf(java.net.ConnectException.class);
            assertThat(proxy.routeNames()).containsExactly("a", "b", "c");

            sending.get(30, TimeUnit.SECONDS);
            assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
            transfer.close();
        }
    }

    @Test
    void aConfigWithErrorsIsRefusedWholeAndTheRunningRoutesStay() throws Exception {
        int a = freePort(), b = freePort(), c = freePort(), d = freePort();
        try (TestServer echo = new TestServer(); TestServer up = new TestServer(named("old"));
             Proxy proxy = Proxy.start(ConfigLoader.parseString(config(a, b, c, d, echo.port(), up.port(), false), "v1.conf"))) {
            Proxy.ReloadOutcome outcome = proxy.reload(ConfigLoader.parseString(
                    config(a, b, c, d, echo.port(), up.port(), true) + "proxy.routes.b.listen.nodelya = true\n"
                            + "proxy.routes.c.dial.transport = qiuc\n", "bad.conf"));
            assertThat(outcome.applied()).isFalse();
            assertThat(outcome.problems()).anySatisfy(p -> assertThat(p)
                    .startsWith("bad.conf: ").contains("proxy.routes.b.listen.nodelya").contains("nodelay"));
            assertThat(outcome.problems()).anySatisfy(p -> assertThat(p)
                    .contains("proxy.routes.c.dial.transport").contains("unknown transport 'qiuc'"));
            assertThat(proxy.routeNames()).containsExactly("a", "c", "d");
            try (Socket sc = new Socket("127.0.0.1", c)) {
                sc.setSoTimeout(10_000);
                assertThat(ask(sc, "still")).isEqualTo("old:still");
            }
        }
    }

    @Test
    void aNewListenerThatCannotBindRollsTheWholeReloadBack() throws Exception {
        int a = freePort(), b = freePort(), c = freePort(), d = freePort();
        try (TestServer echo = new TestServer(); TestServer oldUp = new TestServer(named("old"));
             TestServer newUp = new TestServer(named("new"));
             ServerSocket taken = new ServerSocket(b, 50, java.net.InetAddress.getLoopbackAddress());
             Proxy proxy = Proxy.start(ConfigLoader.parseString(config(a, b, c, d, echo.port(), oldUp.port(), false), "v1.conf"))) {
            Proxy.ReloadOutcome outcome = proxy.reload(ConfigLoader.parseString(
                    config(a, b, c, d, echo.port(), newUp.port(), true), "v2.conf"));
            assertThat(outcome.applied()).isFalse();
            assertThat(outcome.problems()).singleElement().asString().contains("route b").contains("cannot listen");
            assertThat(proxy.routeNames()).containsExactly("a", "c", "d");
            // c is back on its old upstream, d still serves.
            try (Socket sc = new Socket("127.0.0.1", c)) {
                sc.setSoTimeout(10_000);
                assertThat(ask(sc, "back")).isEqualTo("old:back");
            }
            try (Socket sd = new Socket("127.0.0.1", d)) {
                sd.setSoTimeout(10_000);
                sd.getOutputStream().write("dee".getBytes(StandardCharsets.US_ASCII));
                sd.shutdownOutput();
                assertThat(new String(sd.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("dee");
            }
        }
    }
}
