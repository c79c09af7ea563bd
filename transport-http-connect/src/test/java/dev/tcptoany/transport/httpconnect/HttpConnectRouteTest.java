package dev.tcptoany.transport.httpconnect;

import dev.tcptoany.testkit.CountingEchoServer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.LeakDetection;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One node, {@code http-connect -> tcp(dynamic)}, through a raw socket: 200 and bytes both ways for
 * IPv4, IPv6 and names; 403/502/504 by the dial's outcome; 407 and 405; a counting server proves
 * refused targets were never connected to.
 */
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpConnectRouteTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Proxy> proxies = new ArrayList<>();
    private CountingEchoServer v4;

    @BeforeEach
    void servers() throws IOException {
        v4 = new CountingEchoServer(InetAddress.getByName("127.0.0.1"));
        open.add(v4);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private InetSocketAddress start(String allow, String extraListen, String extraRoute) {
        Proxy p = Proxy.start(ConfigLoader.parseString("proxy.routes.entry {\n"
                + "  listen { transport = http-connect, address = \"127.0.0.1:0\"" + extraListen + " }\n"
                + "  dial { transport = tcp, address = dynamic, allow = " + allow + " }\n"
                + extraRoute + "\n}\n", "connect-test.conf"));
        open.add(p);
        proxies.add(p);
        return (InetSocketAddress) p.boundAddresses("entry").get(0);
    }

    private static String echoThrough(InetSocketAddress entry, String target, String authorization) throws IOException {
        try (RawConnectClient c = new RawConnectClient(entry)) {
            String head = c.connect(target, authorization);
            assertThat(head).startsWith("HTTP/1.1 200 ");
            OutputStream out = c.socket.getOutputStream();
            out.write("hello through connect".getBytes(StandardCharsets.US_ASCII));
            c.socket.shutdownOutput();
            return new String(c.in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void ipv4Ipv6AndNameTargetsAreReached() throws Exception {
        CountingEchoServer v6 = new CountingEchoServer(InetAddress.getByName("::1"));
        open.add(v6);
        InetSocketAddress entry = start("[\"127.0.0.1/32:" + v4.port() + "\", \"[::1]:" + v6.port() + "\"]", "", "");
        assertThat(echoThrough(entry, "127.0.0.1:" + v4.port(), null)).isEqualTo("hello through connect");
        assertThat(echoThrough(entry, "[::1]:" + v6.port(), null)).isEqualTo("hello through connect");
        assertThat(echoThrough(entry, "localhost:" + v4.port(), null)).isEqualTo("hello through connect");
        assertThat(v4.accepted()).isEqualTo(2);
        assertThat(v6.accepted()).isEqualTo(1);
    }

    @Test
    void refusedTargetsGet403AndAreNeverConnected() throws Exception {
        InetSocketAddress entry = start("[\"any\"]", "", "");
        int port = v4.port();
        for (String host : List.of("localhost", "127.0.0.1", "2130706433", "0177.0.0.1", "[::ffff:127.0.0.1]", "[::1]",
                "169.254.169.254")) {
            try (RawConnectClient c = new RawConnectClient(entry)) {
                String head = c.connect(host + ":" + port, null);
                assertThat(RawConnectClient.status(head)).as(host).isEqualTo(403);
                assertThat(c.closedByServer()).isTrue();
            }
        }
        assertThat(v4.accepted()).isZero();
    }

    @Test
    void aRefusedPortAndAnUnknownNameGet502AndASilentTarget504() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        ServerSocket full = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        open.add(full);
        for (int i = 0; i < 4; i++) {
            Socket f = new Socket();
            open.add(f);
            try {
                f.connect(full.getLocalSocketAddress(), 300);
            } catch (IOException queueFull) {
                break;
            }
        }
        InetSocketAddress entry = start("[\"127.0.0.1/32\", \"*.invalid\"]", "", "connect-timeout = 1s");
        try (RawConnectClient c = new RawConnectClient(entry)) {
            assertThat(RawConnectClient.status(c.connect("127.0.0.1:" + closed, null))).isEqualTo(502);
        }
        try (RawConnectClient c = new RawConnectClient(entry)) {
            assertThat(RawConnectClient.status(c.connect("no-such-host.invalid:80", null))).isEqualTo(502);
        }
        try (RawConnectClient c = new RawConnectClient(entry)) {
            assertThat(RawConnectClient.status(c.connect("127.0.0.1:" + full.getLocalPort(), null))).isEqualTo(504);
        }
    }

    @Test
    void proxyAuthorizationBasicIsRequiredWhenConfigured() throws Exception {
        InetSocketAddress entry = start("[\"127.0.0.1/32:" + v4.port() + "\"]",
                ", auth { username = alice, password = \"s3cret\" }", "");
        String target = "127.0.0.1:" + v4.port();
        try (RawConnectClient c = new RawConnectClient(entry)) {
            String head = c.connect(target, null);
            assertThat(RawConnectClient.status(head)).isEqualTo(407);
            assertThat(head).contains("Proxy-Authenticate: Basic realm=");
            assertThat(c.closedByServer()).isTrue();
        }
        String wrong = "Basic " + Base64.getEncoder().encodeToString("alice:wrong".getBytes(StandardCharsets.UTF_8));
        try (RawConnectClient c = new RawConnectClient(entry)) {
            assertThat(RawConnectClient.status(c.connect(target, wrong))).isEqualTo(407);
        }
        String right = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        assertThat(echoThrough(entry, target, right)).isEqualTo("hello through connect");
        assertThat(v4.accepted()).isEqualTo(1);
        assertThat(proxies.get(0).counters("entry").rejectedPeers()).containsEntry("http-connect-auth", 2L);
    }

    @Test
    void plainHttpGets405WithAHint() throws Exception {
        InetSocketAddress entry = start("[\"any\"]", "", "");
        try (RawConnectClient c = new RawConnectClient(entry)) {
            String head = c.request("GET http://example.org/ HTTP/1.1", "Host: example.org");
            assertThat(RawConnectClient.status(head)).isEqualTo(405);
            assertThat(head).contains("Allow: CONNECT");
            String body = new String(c.in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(body).contains("CONNECT host:port only");
        }
        try (RawConnectClient c = new RawConnectClient(entry)) {
            assertThat(RawConnectClient.status(c.connect("no-port.example", null))).isEqualTo(400);
        }
    }

    @Test
    void bytesSentBehindTheConnectRequestAreNotParsedAsHttp() throws Exception {
        InetSocketAddress entry = start("[\"127.0.0.1/32:" + v4.port() + "\"]", "", "");
        try (Socket s = new Socket()) {
            s.connect(entry, 5000);
            s.setSoTimeout(10_000);
            String target = "127.0.0.1:" + v4.port();
            s.getOutputStream().write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\nGET / HTTP/1.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(all).isEqualTo("HTTP/1.1 200 Connection established\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        }
    }
}
