package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okio.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Plain peers (no {@code tcp-to-any.v1} subprotocol: the original tool, browsers, websockify-style
 * clients) get messages of at most plain-frame-size (32 KiB by default), the default read limit of
 * the original tool's WebSocket library, in both directions of a real route: OkHttp as the client
 * of our listening node, OkHttp's MockWebServer as the server our dialing node reaches.
 */
@ExtendWith(LeakDetection.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PlainPeerInteropTest {
    /** The original tool's read limit (nhooyr.io/websocket, now github.com/coder/websocket). */
    static final int ORIGINAL_READ_LIMIT = 32_768;
    static final int PAYLOAD = 4 * 1024 * 1024;
    private static final okhttp3.OkHttpClient OK = ListenerInteropTest.client();

    @org.junit.jupiter.api.AfterAll
    static void stopOkHttp() {
        OK.dispatcher().executorService().shutdown();
        OK.connectionPool().evictAll();
    }

    private static Proxy node(String name, String listen, String dial) {
        return Proxy.start(ConfigLoader.parseString("proxy.routes." + name + " {\n listen { " + listen + " }\n dial { "
                + dial + " }\n}\n", name));
    }

    @Test
    void ourListenerSendsAnOkHttpClientNoMessageOver32KiB() throws Exception {
        // original node 1 -> our node 2 -> echo server, with OkHttp in the original's place.
        try (TestServer echo = new TestServer(TestServer.ECHO);
             Proxy node2 = node("node2", "transport = ws, address = \"127.0.0.1:0\"",
                     "transport = tcp, address = \"127.0.0.1:" + echo.port() + "\"")) {
            int port = ((InetSocketAddress) node2.boundAddresses("node2").get(0)).getPort();
            OkSocket s = OkSocket.open(OK, new Request.Builder().url("http://127.0.0.1:" + port + "/").build());
            assertThat(s.opened.get(10, TimeUnit.SECONDS).header("Sec-WebSocket-Protocol")).isNull();
            byte[] data = WebSocketStreamTest.random(PAYLOAD, 21);
            // As the original sends: what one 32 KiB read from its TCP side returned.
            for (int off = 0; off < data.length; off += ORIGINAL_READ_LIMIT) {
                s.socket.send(ByteString.of(data, off, Math.min(ORIGINAL_READ_LIMIT, data.length - off)));
            }
            assertThat(s.awaitBinary(data.length, 60)).isEqualTo(data);
            assertThat(s.largestMessage.get()).isPositive().isLessThanOrEqualTo(ORIGINAL_READ_LIMIT);
            s.socket.close(1000, "done");
            assertThat(s.closing.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
        }
    }

    @Test
    void ourDialerSendsAPlainServerNoMessageOver32KiB() throws Exception {
        // our node 1 -> original node 2, with OkHttp's server in the original's place; it echoes.
        MessageSizeCheckingEcho server = new MessageSizeCheckingEcho();
        try (MockWebServer original = new MockWebServer()) {
            original.enqueue(new MockResponse.Builder().webSocketUpgrade(server).build());
            original.start(InetAddress.getLoopbackAddress(), 0);
            try (Proxy node1 = node("node1", "transport = tcp, address = \"127.0.0.1:0\"",
                    "transport = ws, url = \"http://127.0.0.1:" + original.getPort() + "/\"");
                 Socket client = new Socket()) {
                client.connect(node1.boundAddresses("node1").get(0), 5000);
                client.setSoTimeout(30_000);
                byte[] data = WebSocketStreamTest.random(PAYLOAD, 22);
                CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
                    try {
                        return client.getInputStream().readNBytes(data.length);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                client.getOutputStream().write(data);
                assertThat(Arrays.equals(back.get(60, TimeUnit.SECONDS), data)).as("echoed intact").isTrue();
                assertThat(server.bytes.get()).isEqualTo(data.length);
                assertThat(server.largestMessage.get()).isPositive().isLessThanOrEqualTo(ORIGINAL_READ_LIMIT);
                assertThat(server.offeredSubprotocol).as("our dialer offered its subprotocol").isEqualTo(Subprotocol.NAME);
            }
        }
    }

    @Test
    void binaryMessageSplitIntoContinuationFramesArrivesIntact() throws Exception {
        byte[] message = WebSocketStreamTest.random(100_000, 23);
        CompletableFuture<StreamProbe> host = new CompletableFuture<>();
        try (WsFixture f = new WsFixture("ws", "", stream -> host.complete(StreamProbe.echo(stream)));
             RawWebSocketClient c = new RawWebSocketClient(f.port)) {
            c.writeAtOnce(RawWebSocketClient.upgradeRequest("/"));
            assertThat(c.readResponseHead()).startsWith("HTTP/1.1 101");
            c.send(false, RawWebSocketClient.BINARY, Arrays.copyOfRange(message, 0, 30_000));
            c.send(false, RawWebSocketClient.CONTINUATION, Arrays.copyOfRange(message, 30_000, 31_000));
            c.send(false, RawWebSocketClient.CONTINUATION, Arrays.copyOfRange(message, 31_000, 70_000));
            c.send(true, RawWebSocketClient.CONTINUATION, Arrays.copyOfRange(message, 70_000, message.length));

            assertThat(host.get(10, TimeUnit.SECONDS).awaitBytes(message.length)).isEqualTo(message);
            // And back: the echo reaches the raw client as whole messages of at most 32 KiB.
            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            while (echoed.size() < message.length) {
                RawWebSocketClient.Frame frame = c.readFrame();
                assertThat(frame.opcode()).isEqualTo(RawWebSocketClient.BINARY);
                assertThat(frame.fin()).isTrue();
                assertThat(frame.payload().length).isLessThanOrEqualTo(ORIGINAL_READ_LIMIT);
                echoed.writeBytes(frame.payload());
            }
            assertThat(echoed.toByteArray()).isEqualTo(message);
        }
    }

    /** OkHttp's server side: echoes every message and notes the largest. */
    static final class MessageSizeCheckingEcho extends okhttp3.WebSocketListener {
        final AtomicInteger largestMessage = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        volatile String offeredSubprotocol;

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            offeredSubprotocol = response.request().header("Sec-WebSocket-Protocol");
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString message) {
            largestMessage.accumulateAndGet(message.size(), Math::max);
            bytes.addAndGet(message.size());
            webSocket.send(message);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(1000, null);
        }
    }
}
