package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code socks5 -> ws(forward-destination) -> tcp(dynamic)} across two real nodes (the exit answers
 * 101 only after its dial, else 403 / 502 / 504): the JDK's
 * SOCKS client reaches IPv4, IPv6 and name targets behind node 2, and node 2's policy refusals
 * come back to the client as SOCKS5 replies, with a counting server proving nothing was reached.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DynamicWsRouteTest {
    private ServerSocket v4;
    private ServerSocket v6;
    private final AtomicInteger v4Accepted = new AtomicInteger();
    private Proxy exit;
    private Proxy entry;
    private InetSocketAddress socks;

    @BeforeAll
    void start() throws IOException {
        v4 = echoServer(InetAddress.getByName("127.0.0.1"), v4Accepted);
        v6 = echoServer(InetAddress.getByName("::1"), new AtomicInteger());
        Path dataDir = Files.createTempDirectory("tcp2any-dynamic-ws");
        String common = "proxy.data-dir = \"" + dataDir + "\"\n";
        exit = Proxy.start(ConfigLoader.parseString(common + "proxy.routes.exit {\n"
                + "  listen { transport = ws, address = \"127.0.0.1:0\" }\n"
                + "  dial { transport = tcp, address = dynamic, allow = [\"127.0.0.1/32:" + v4.getLocalPort() + "\", \"[::1]:"
                + v6.getLocalPort() + "\", \"*.invalid\"] }\n}\n", "exit.conf"));
        int wsPort = ((InetSocketAddress) exit.boundAddresses("exit").get(0)).getPort();
        entry = Proxy.start(ConfigLoader.parseString(common + "proxy.routes.entry {\n"
                + "  listen { transport = socks5, address = \"127.0.0.1:0\" }\n"
                + "  dial { transport = ws, url = \"ws://127.0.0.1:" + wsPort + "/\","
                + " forward-destination = true }\n}\n", "entry.conf"));
        socks = (InetSocketAddress) entry.boundAddresses("entry").get(0);
    }

    @AfterAll
    void stop() throws IOException {
        if (entry != null) {
            entry.close();
        }
        if (exit != null) {
            exit.close();
        }
        v4.close();
        v6.close();
    }

    private static ServerSocket echoServer(InetAddress bind, AtomicInteger accepted) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, bind);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    Thread echo = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                            s.shutdownOutput();
                        } catch (IOException e) {
                            // client gone
                        }
                    });
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    private String echoThrough(InetSocketAddress target) throws IOException {
        try (Socket s = new Socket(new java.net.Proxy(java.net.Proxy.Type.SOCKS, socks))) {
            s.setSoTimeout(10_000);
            s.connect(target, 10_000);
            byte[] payload = TestServer.class.getName().repeat(1000).getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(payload);
            s.shutdownOutput();
            byte[] back = s.getInputStream().readAllBytes();
            return back.length == payload.length ? new String(back, 0, 10, StandardCharsets.US_ASCII) : "length " + back.length;
        }
    }

    @Test
    void ipv4Ipv6AndNameTargetsBehindTheExitAreReached() throws Exception {
        String expected = TestServer.class.getName().substring(0, 10);
        assertThat(echoThrough(new InetSocketAddress("127.0.0.1", v4.getLocalPort()))).isEqualTo(expected);
        assertThat(echoThrough(new InetSocketAddress("::1", v6.getLocalPort()))).isEqualTo(expected);
        assertThat(echoThrough(InetSocketAddress.createUnresolved("localhost", v4.getLocalPort()))).isEqualTo(expected);
    }

    @Test
    void theExitsRefusalsReachTheClientAsSocksReplies() throws Exception {
        int before = v4Accepted.get();
        // The JDK's client turns reply codes into exception messages (RFC 1928's wording).
        for (InetSocketAddress refused : List.of(new InetSocketAddress("127.0.0.2", v4.getLocalPort()),
                InetSocketAddress.createUnresolved("2130706433", v4.getLocalPort() + 1),
                new InetSocketAddress("169.254.169.254", 80))) {
            assertThatThrownBy(() -> echoThrough(refused)).as(refused.toString())
                    .isInstanceOf(SocketException.class).hasMessageContaining("not allowed");
        }
        assertThatThrownBy(() -> echoThrough(InetSocketAddress.createUnresolved("nothing-here.invalid", 80)))
                .isInstanceOf(SocketException.class).hasMessageContaining("unreachable");
        assertThat(v4Accepted.get()).isEqualTo(before);
        assertThat(exit.counters("exit").dialFailures()).isGreaterThanOrEqualTo(4);
    }
}
