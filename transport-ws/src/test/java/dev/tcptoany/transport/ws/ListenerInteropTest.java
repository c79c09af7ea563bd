package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okio.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OkHttp, an independent WebSocket implementation, against our listener: standard WebSocket on
 * the wire (ws and wss), and bad handshakes refused while good clients keep working.
 */
@org.junit.jupiter.api.extension.ExtendWith(dev.tcptoany.testkit.LeakDetection.class)
class ListenerInteropTest {

    static final OkHttpClient OK = client();

    static OkHttpClient client() {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {TestTls.INSTANCE.trustManager()}, null);
            return new OkHttpClient.Builder()
                    .sslSocketFactory(ssl.getSocketFactory(), TestTls.INSTANCE.trustManager())
                    .readTimeout(10, TimeUnit.SECONDS)
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stopOkHttp() {
        OK.dispatcher().executorService().shutdown();
        OK.connectionPool().evictAll();
    }

    static WsFixture echoListener(String transport, String block) throws Exception {
        return new WsFixture(transport, block, StreamProbe::echo);
    }

    static Request.Builder request(WsFixture f, String path) {
        // OkHttp takes http(s) URLs for WebSockets too.
        return new Request.Builder().url(f.url(path).replace("wss://", "https://").replace("ws://", "http://"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "wss"})
    void okHttpClientIsEchoedAndClosedCleanly(String transport) throws Exception {
        try (WsFixture f = echoListener(transport, "")) {
            OkSocket s = OkSocket.open(OK, request(f, "/any/path?x=1").build());
            s.opened.get(10, TimeUnit.SECONDS);
            byte[] data = WebSocketStreamTest.random(300_000, 11);
            s.socket.send(ByteString.of(data));
            assertThat(s.awaitBinary(data.length)).isEqualTo(data);
            // OkHttp's close is the plain-peer end: the echo side ends too, with a normal close.
            s.socket.close(1000, "done");
            assertThat(s.closing.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
        }
    }

    @Test
    void okHttpOfferingOurSubprotocolGetsIt() throws Exception {
        try (WsFixture f = echoListener("ws", "")) {
            OkSocket s = OkSocket.open(OK, request(f, "/").header("Sec-WebSocket-Protocol", "other, tcp-to-any.v1").build());
            assertThat(s.opened.get(10, TimeUnit.SECONDS).header("Sec-WebSocket-Protocol")).isEqualTo("tcp-to-any.v1");
            s.socket.send(ByteString.encodeUtf8("abc"));
            assertThat(s.awaitBinary(3)).isEqualTo("abc".getBytes());
            // Our half-close message: the echo side answers with its own fin, then Close 1000.
            s.socket.send("fin");
            assertThat(s.closing.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
        }
    }

    @Test
    void anAbortIsClose4000WithItsReason() throws Exception {
        try (WsFixture f = new WsFixture("ws", "", stream -> stream.abort("upstream unavailable: connection refused"))) {
            OkSocket s = OkSocket.open(OK, request(f, "/").header("Sec-WebSocket-Protocol", "tcp-to-any.v1").build());
            assertThat(s.closing.get(10, TimeUnit.SECONDS)).isEqualTo(4000);
            assertThat(s.closeReason).isEqualTo("upstream unavailable: connection refused");
        }
    }

    @Test
    void textFromAPlainPeerIsRefusedWith1003() throws Exception {
        try (WsFixture f = echoListener("ws", "")) {
            OkSocket s = OkSocket.open(OK, request(f, "/").build());
            s.opened.get(10, TimeUnit.SECONDS);
            s.socket.send("hello");
            assertThat(s.closing.get(10, TimeUnit.SECONDS)).isEqualTo(1003);
        }
    }

    @Test
    void frameOverTheLimitIsRefusedWith1009() throws Exception {
        try (WsFixture f = echoListener("ws", "max-frame-size = 64k")) {
            OkSocket s = OkSocket.open(OK, request(f, "/").build());
            s.opened.get(10, TimeUnit.SECONDS);
            s.socket.send(ByteString.of(new byte[100_000]));
            assertThat(s.closing.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
        }
    }

    @Test
    void badHandshakesAreRefusedWhileAGoodClientKeepsWorking() throws Exception {
        String block = "path = \"/t\"\nauth.token = \"s3cret\"\nallowed-origins = [\"https://app.example.org\"]\nmax-header-size = 4k";
        try (WsFixture f = echoListener("ws", block)) {
            OkSocket good = OkSocket.open(OK, request(f, "/t").header("Authorization", "Bearer s3cret").build());
            good.opened.get(10, TimeUnit.SECONDS);

            assertThat(status(f, request(f, "/elsewhere").header("Authorization", "Bearer s3cret"))).isEqualTo(404);
            assertThat(status(f, request(f, "/t"))).isEqualTo(401);
            assertThat(status(f, request(f, "/t").header("Authorization", "Bearer wrong"))).isEqualTo(401);
            assertThat(status(f, request(f, "/t").header("Authorization", "Bearer s3cret")
                    .header("Origin", "https://evil.example.com"))).isEqualTo(403);
            assertThat(status(f, request(f, "/t").header("Authorization", "Bearer s3cret")
                    .header("X-Big", "x".repeat(6000)))).isEqualTo(431);
            // A listed origin is fine.
            OkSocket browser = OkSocket.open(OK, request(f, "/t").header("Authorization", "Bearer s3cret")
                    .header("Origin", "https://app.example.org").build());
            browser.opened.get(10, TimeUnit.SECONDS);

            assertThat(f.listenContext.rejected).anyMatch(r -> r.startsWith("ws-bad-path"))
                    .anyMatch(r -> r.startsWith("ws-unauthorized"))
                    .anyMatch(r -> r.startsWith("ws-forbidden-origin") && r.contains("https://evil.example.com"))
                    .anyMatch(r -> r.startsWith("ws-header-too-large"));

            good.socket.send(ByteString.encodeUtf8("still here"));
            assertThat(good.awaitBinary(10)).isEqualTo("still here".getBytes());
            good.socket.close(1000, null);
            browser.socket.close(1000, null);
        }
    }

    @Test
    void allowedOriginsStarAllowsEveryOrigin() throws Exception {
        try (WsFixture f = echoListener("ws", "allowed-origins = [\"*\"]")) {
            OkSocket s = OkSocket.open(OK, request(f, "/").header("Origin", "https://anything.example").build());
            s.opened.get(10, TimeUnit.SECONDS);
            s.socket.close(1000, null);
        }
    }

    @Test
    void tokenInACustomHeader() throws Exception {
        try (WsFixture f = echoListener("ws", "auth { token = \"k\", header = \"X-Tunnel-Key\" }")) {
            assertThat(status(f, request(f, "/").header("X-Tunnel-Key", "nope"))).isEqualTo(401);
            OkSocket s = OkSocket.open(OK, request(f, "/").header("X-Tunnel-Key", "k").build());
            s.opened.get(10, TimeUnit.SECONDS);
            s.socket.close(1000, null);
        }
    }

    @Test
    void plainHttpGetsShortAnswersAndHealthIs200() throws Exception {
        try (WsFixture f = echoListener("ws", "path = \"/t\"")) {
            assertThat(rawRequest(f.port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");
            assertThat(rawRequest(f.port, "GET /t HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 426");
            assertThat(rawRequest(f.port, "GET /other HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 404");
            assertThat(rawRequest(f.port, "BLAH\r\n\r\n")).startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void silentClientIsDroppedAfterTheHandshakeTimeout() throws Exception {
        try (WsFixture f = echoListener("ws", "handshake-timeout = 300ms"); Socket s = new Socket("127.0.0.1", f.port)) {
            s.setSoTimeout(5000);
            long start = System.nanoTime();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
            assertThat(f.listenContext.rejected).anyMatch(r -> r.startsWith("ws-handshake-timeout"));
        }
    }

    private static int status(WsFixture f, Request.Builder r) throws Exception {
        OkSocket s = OkSocket.open(OK, r.build());
        return s.failedStatus.get(10, TimeUnit.SECONDS);
    }

    /** Sends raw bytes and returns everything the listener answers before closing. */
    static String rawRequest(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
