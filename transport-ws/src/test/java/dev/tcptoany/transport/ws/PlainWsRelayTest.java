package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.ProxyNodes;
import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TestServer;
import dev.tcptoany.testkit.TunnelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * tcp -> ws -> tcp with a dialer that offers no subprotocol: how plain peers (the original tool,
 * browsers, other clients) are served by our listener. Without half-close, either side's end closes
 * both after flushing, as in the original tool; so these round trips read their answer before
 * ending, instead of half-closing as {@link RelayBehaviourSuite} does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlainWsRelayTest {
    private TestServer server;
    private ProxyNodes nodes;

    static TunnelSpec plainWs() {
        return TunnelSpec.of("ws-plain", "transport = ws, address = \"127.0.0.1:0\"",
                a -> "transport = ws, url = \"ws://127.0.0.1:" + a.getPort() + "/\", subprotocol = \"\"");
    }

    @BeforeAll
    void start() throws IOException {
        server = new TestServer();
        nodes = new ProxyNodes(plainWs(), server.address(), Files.createTempDirectory("ws-plain"), "");
    }

    @AfterAll
    void stop() throws IOException {
        nodes.close();
        server.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(nodes.entry(), 5000);
        s.setSoTimeout(20_000);
        return s;
    }

    @Test
    void echoesByteExactOverParallelConnections() throws Exception {
        server.behaviour(TestServer.ECHO);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int seed = i;
                results.add(pool.submit(() -> {
                    byte[] payload = new byte[1024 * 1024];
                    new Random(seed).nextBytes(payload);
                    try (Socket s = connect()) {
                        Future<byte[]> back = pool.submit(() -> s.getInputStream().readNBytes(payload.length));
                        s.getOutputStream().write(payload);
                        return java.util.Arrays.equals(back.get(30, TimeUnit.SECONDS), payload);
                    }
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get(40, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void serverEndArrivesAfterAllItsBytes() throws Exception {
        byte[] data = new byte[500_000];
        new Random(3).nextBytes(data);
        server.behaviour(s -> {
            s.getOutputStream().write(data);
            s.shutdownOutput();
            server.drain(s);
        });
        try (Socket s = connect()) {
            assertThat(s.getInputStream().readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void clientEndReachesTheServerAsACleanEndAfterAllItsBytes() throws Exception {
        server.clearOutcomes();
        server.behaviour(server::drain);
        try (Socket s = connect()) {
            s.getOutputStream().write(new byte[400_000]);
            s.shutdownOutput();
            TestServer.Outcome o = server.nextOutcome(10, TimeUnit.SECONDS);
            assertThat(o).isNotNull();
            assertThat(o.cleanEof()).isTrue();
            assertThat(o.bytesRead()).isEqualTo(400_000);
        }
    }

    @Test
    void serverResetReachesTheClientAsAReset() throws Exception {
        server.behaviour(s -> {
            s.getOutputStream().write("partial".getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().readNBytes(1);
            s.setSoLinger(true, 0);
            s.close();
        });
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            assertThat(in.readNBytes(7)).isEqualTo("partial".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(1);
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class);
        }
    }
}
