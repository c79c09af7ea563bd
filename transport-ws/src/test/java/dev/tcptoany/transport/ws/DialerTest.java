package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.api.ByteStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okio.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The dialer: HTTP CONNECT proxies, TLS verification, refused upgrades, dead servers. */
@org.junit.jupiter.api.extension.ExtendWith(dev.tcptoany.testkit.LeakDetection.class)
class DialerTest {

    /** Dials, expecting failure; returns the failure message and checks it came promptly. */
    static String dialFailure(WebSocketDialer dialer, long withinMillis) {
        long start = System.nanoTime();
        Throwable t = null;
        try {
            WsFixture.dialAsync(dialer).get(10, TimeUnit.SECONDS).channel().close();
        } catch (ExecutionException e) {
            t = e.getCause();
        } catch (Exception e) {
            t = e;
        }
        assertThat(t).as("dial failure").isNotNull();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(withinMillis);
        return t.getMessage();
    }

    static void assertEchoes(ByteStream client) throws Exception {
        StreamProbe c = StreamProbe.attach(client);
        byte[] data = WebSocketStreamTest.random(200_000, 21);
        c.write(data);
        assertThat(c.awaitBytes(data.length)).isEqualTo(data);
        client.channel().close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "wss"})
    void throughAnHttpConnectProxyWithCredentials(String transport) throws Exception {
        try (WsFixture f = new WsFixture(transport, "", StreamProbe::echo);
             ConnectProxy proxy = new ConnectProxy("alice", "p@ss")) {
            String tls = transport.equals("wss") ? "tls { pin-sha256 = [\"" + TestTls.INSTANCE.identity.sha256Fingerprint() + "\"] }" : "";
            WebSocketDialer d = f.dialer("proxy = \"http://alice:p%40ss@127.0.0.1:" + proxy.port() + "\"\n" + tls);
            assertEchoes(WsFixture.dial(d));
            assertThat(proxy.tunnels).containsExactly("127.0.0.1:" + f.port);
        }
    }

    @Test
    void proxyRefusalFailsTheDialPromptlyWithTheStatus() throws Exception {
        try (WsFixture f = new WsFixture("ws", ""); ConnectProxy proxy = new ConnectProxy("alice", "right")) {
            String msg = dialFailure(f.dialer("proxy = \"" + proxy.url("alice", "wrong") + "\""), 3000);
            assertThat(msg).contains("407").contains("ws://127.0.0.1:" + f.port).contains("route test");
            assertThat(msg).doesNotContain("wrong"); // never log a password
        }
    }

    @Test
    void proxyFromTheEnvironmentHonoursNoProxy() throws Exception {
        try (WsFixture f = new WsFixture("wss", "", StreamProbe::echo); ConnectProxy proxy = new ConnectProxy(null, null)) {
            String pin = "tls { pin-sha256 = [\"" + TestTls.INSTANCE.identity.sha256Fingerprint() + "\"] }\nproxy = env";
            assertEchoes(WsFixture.dial(f.dialer(pin, Map.of("HTTPS_PROXY", proxy.url(null, null)))));
            assertThat(proxy.tunnels).hasSize(1);
            assertEchoes(WsFixture.dial(f.dialer(pin, Map.of("https_proxy", proxy.url(null, null), "NO_PROXY", "localhost,127.0.0.1"))));
            // ws uses HTTP_PROXY, so HTTPS_PROXY alone leaves a ws dial direct.
            assertThat(proxy.tunnels).hasSize(1);
        }
    }

    @Test
    void okHttpReachesTheListenerThroughTheProxyOverWss() throws Exception {
        try (WsFixture f = new WsFixture("wss", "", StreamProbe::echo); ConnectProxy proxy = new ConnectProxy(null, null)) {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {TestTls.INSTANCE.trustManager()}, null);
            OkHttpClient ok = new OkHttpClient.Builder()
                    .sslSocketFactory(ssl.getSocketFactory(), TestTls.INSTANCE.trustManager())
                    .proxy(new java.net.Proxy(java.net.Proxy.Type.HTTP, new java.net.InetSocketAddress("127.0.0.1", proxy.port())))
                    .build();
            try {
                OkSocket s = OkSocket.open(ok, new Request.Builder().url("https://127.0.0.1:" + f.port + "/x").build());
                s.opened.get(10, TimeUnit.SECONDS);
                s.socket.send(ByteString.encodeUtf8("via proxy"));
                assertThat(s.awaitBinary(9)).isEqualTo("via proxy".getBytes());
                s.socket.close(1000, null);
                assertThat(proxy.tunnels).containsExactly("127.0.0.1:" + f.port);
            } finally {
                ok.dispatcher().executorService().shutdown();
                ok.connectionPool().evictAll();
            }
        }
    }

    @Test
    void refusedUpgradeFailsPromptlyNamingUrlAndStatus() throws Exception {
        try (WsFixture f = new WsFixture("ws", "path = \"/t\"\nauth.token = \"s3cret\"", StreamProbe::echo)) {
            String msg = dialFailure(f.dialer("url = \"" + f.url("/t") + "\""), 3000);
            assertThat(msg).contains("route test").contains(f.url("/t")).contains("HTTP 401");
            assertThat(dialFailure(f.dialer("url = \"" + f.url("/nope") + "\""), 3000)).contains("HTTP 404");
            // Extra headers carry the token.
            assertEchoes(WsFixture.dial(f.dialer("url = \"" + f.url("/t") + "\"\nheaders { Authorization = \"Bearer s3cret\" }")));
        }
    }

    @Test
    void nothingListeningFailsPromptly() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        WebSocketDialer d = new WebSocketDialer(TestContext.dial("ws", "url = \"ws://127.0.0.1:" + port + "/\""), false, Map.of());
        assertThat(dialFailure(d, 3000)).contains("cannot connect");
    }

    @Test
    void serverThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            WebSocketDialer d = new WebSocketDialer(TestContext.dial("ws",
                    "url = \"ws://127.0.0.1:" + s.getLocalPort() + "/\"\nhandshake-timeout = 300ms"), false, Map.of());
            Socket accepted;
            String msg = dialFailure(d, 3000);
            accepted = s.accept();
            accepted.close();
            assertThat(msg).contains("within");
        }
    }

    @Test
    void tlsVerificationChecksTheNameAndThePin() throws Exception {
        try (WsFixture f = new WsFixture("wss", "", StreamProbe::echo)) {
            // The certificate names 127.0.0.1 and is trusted by the test's trust store: accepted.
            assertEchoes(WsFixture.dial(f.dialer("")));
            // Another name: refused by hostname verification.
            assertThat(dialFailure(f.dialer("tls { server-name = \"example.org\" }"), 5000)).containsIgnoringCase("example.org");
            // A wrong pin: refused.
            String wrongPin = "01:02:".repeat(15) + "01:02";
            dialFailure(f.dialer("tls { pin-sha256 = [\"" + wrongPin + "\"] }"), 5000);
            assertThat(f.listenContext.rejected).anyMatch(r -> r.startsWith("tls-handshake"));
        }
    }

    @Test
    void unansweredPingsEndTheConnection() throws Exception {
        try (WsFixture f = new WsFixture("ws", "ping-interval = 100ms\npong-timeout = 300ms")) {
            // A raw client that completes the handshake and then goes silent (never answers pings).
            try (Socket raw = new Socket("127.0.0.1", f.port)) {
                raw.getOutputStream().write(("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes());
                StreamProbe s = StreamProbe.attach(f.nextAccepted());
                s.closed.get(5, TimeUnit.SECONDS);
                assertThat(s.inputShutdown).isNotDone();
            }
            // Our dialer answers pings: the connection lives on.
            try (WsFixture g = new WsFixture("ws", "ping-interval = 100ms\npong-timeout = 300ms")) {
                StreamProbe c = StreamProbe.attach(WsFixture.dial(g.dialer("ping-interval = 0s")));
                StreamProbe s = StreamProbe.attach(g.nextAccepted());
                Thread.sleep(1000);
                assertThat(s.closed).isNotDone();
                c.write("alive".getBytes());
                assertThat(s.awaitBytes(5)).isEqualTo("alive".getBytes());
            }
        }
    }
}
