package dev.tcptoany.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcptoany.core.RouteCounters;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The behaviours every tunnel is judged on (after Envoy's TCP proxy tests), run through
 * client -> node 1 (tcp listener) -> [tunnel] -> node 2 -> real TCP server, with real sockets on
 * loopback and Netty's leak detector at PARANOID. Subclass it and return the middle hop from
 * {@link #tunnel()}; a transport that cannot half-close overrides {@link #supportsHalfClose()}, one
 * that has no way to signal an abort (Unix stream sockets have no reset) overrides
 * {@link #carriesAborts()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class RelayBehaviourSuite {
    private static final int PARALLEL = 16;
    private static final int PAYLOAD = 2 * 1024 * 1024;

    protected TestServer server;
    protected ProxyNodes nodes;
    protected Path dataDir;

    /** The middle hop under test. */
    protected abstract TunnelSpec tunnel();

    /** Whether FIN travels across the tunnel one direction at a time. */
    protected boolean supportsHalfClose() {
        return true;
    }

    /**
     * Whether an abort on one side of the tunnel reaches the other side as an abort. When false
     * (a transport whose streams can only end cleanly, such as Unix stream sockets), the abort tests
     * check only that the far end's connection ends promptly, without a hang or a leak.
     */
    protected boolean carriesAborts() {
        return true;
    }

    /**
     * Node 1's listen block, where {@link #connect()} connects: plain tcp by default; an entry point
     * (socks5, http-connect) overrides it together with {@link #connect()}.
     */
    protected String entryListenBlock() {
        return "transport = tcp, address = \"127.0.0.1:0\"";
    }

    /**
     * Node 1's dial block toward node 2's bound tunnel address: the tunnel's by default. An entry
     * point's clients name their destination, which a fixed dial refuses, so its suite dials
     * {@code address = dynamic} and has its clients ask for {@link #tunnelAddress()}.
     */
    protected String entryDialBlock(java.net.SocketAddress tunnelAddress) {
        return tunnel().dialBlockFor(tunnelAddress);
    }

    /** Node 2's bound tunnel address, of the nodes running now. */
    protected InetSocketAddress tunnelAddress() {
        return (InetSocketAddress) nodes.tunnelAddress();
    }

    /** Extra HOCON for both nodes (e.g. shorter timeouts). */
    protected String extraConfig() {
        return "";
    }

    @BeforeAll
    void startNodes() throws IOException {
        dataDir = java.nio.file.Files.createTempDirectory("tcp2any-test");
        server = new TestServer();
        nodes = new ProxyNodes(tunnel(), server.address(), dataDir, extraConfig(), "", entryListenBlock(), this::entryDialBlock);
    }

    @AfterAll
    void stopNodes() throws IOException {
        if (nodes != null) {
            nodes.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void echoByDefault() {
        server.behaviour(TestServer.ECHO);
        server.clearOutcomes();
    }

    protected Socket connect() throws IOException {
        return connectTo(nodes.entry());
    }

    @Test
    void relaysLargePayloadsByteExactOverParallelConnections() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL * 2);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < PARALLEL; i++) {
                int seed = i;
                results.add(pool.submit(() -> echoRoundTrip(pool, seed)));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get(45, TimeUnit.SECONDS)).as("echoed bytes equal sent bytes").isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        awaitNoOpenConnections();
        RouteCounters.Snapshot c = nodes.node1().counters("node1");
        assertThat(c.bytesToUpstream()).isGreaterThanOrEqualTo((long) PARALLEL * PAYLOAD);
        assertThat(c.bytesToClient()).isGreaterThanOrEqualTo((long) PARALLEL * PAYLOAD);
    }

    private boolean echoRoundTrip(ExecutorService pool, int seed) throws Exception {
        byte[] payload = new byte[PAYLOAD];
        new Random(seed).nextBytes(payload);
        try (Socket s = connect()) {
            Future<byte[]> received = pool.submit(() -> readToEof(s.getInputStream()));
            OutputStream out = s.getOutputStream();
            for (int off = 0; off < payload.length; off += 100_000) {
                out.write(payload, off, Math.min(100_000, payload.length - off));
            }
            s.shutdownOutput();
            byte[] back = received.get(40, TimeUnit.SECONDS);
            return Arrays.equals(sha256(payload), sha256(back)) && back.length == payload.length;
        }
    }

    @Test
    void serverThatSpeaksFirstIsReachedBeforeTheClientSendsAnything() throws Exception {
        server.behaviour(s -> {
            s.getOutputStream().write("220 banner\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            TestServer.ECHO.serve(s);
        });
        try (Socket s = connect()) {
            byte[] banner = s.getInputStream().readNBytes(12);
            assertThat(new String(banner, StandardCharsets.US_ASCII)).isEqualTo("220 banner\r\n");
        }
    }

    @Test
    void clientFinTravelsAndServerKeepsSendingAfterIt() throws Exception {
        byte[] response = new byte[1024 * 1024];
        new Random(7).nextBytes(response);
        server.behaviour(s -> {
            TestServer.Outcome in = server.drain(s); // until the client's FIN
            if (in.cleanEof()) {
                s.getOutputStream().write(response);
            }
            s.shutdownOutput();
        });
        try (Socket s = connect()) {
            s.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            byte[] got = readToEof(s.getInputStream());
            if (supportsHalfClose()) {
                assertThat(got.length).isEqualTo(response.length);
                assertThat(Arrays.equals(got, response)).as("response bytes intact").isTrue();
            }
        }
        TestServer.Outcome o = server.nextOutcome(10, TimeUnit.SECONDS);
        assertThat(o).isNotNull();
        assertThat(o.cleanEof()).as("server saw the client's FIN as a clean end").isTrue();
        assertThat(o.bytesRead()).isEqualTo(7);
    }

    @Test
    void serverFinTravelsAndClientKeepsSendingAfterIt() throws Exception {
        server.behaviour(s -> {
            s.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            server.drain(s);
        });
        try (Socket s = connect()) {
            assertThat(readToEof(s.getInputStream())).asString(StandardCharsets.US_ASCII).isEqualTo("bye");
            if (supportsHalfClose()) {
                byte[] more = new byte[300_000];
                s.getOutputStream().write(more);
                s.shutdownOutput();
            }
        }
        if (supportsHalfClose()) {
            TestServer.Outcome o = server.nextOutcome(10, TimeUnit.SECONDS);
            assertThat(o).isNotNull();
            assertThat(o.cleanEof()).isTrue();
            assertThat(o.bytesRead()).isEqualTo(300_000);
        }
    }

    @Test
    void clientResetReachesTheServerAsAnAbortNotAnEnd() throws Exception {
        server.behaviour(server::drain);
        Socket s = connect();
        s.getOutputStream().write(new byte[10_000]);
        s.getOutputStream().flush();
        Thread.sleep(200); // let the bytes cross before the reset
        s.setSoLinger(true, 0);
        s.close();
        TestServer.Outcome o = server.nextOutcome(15, TimeUnit.SECONDS);
        assertThat(o).as("server connection ended").isNotNull();
        if (carriesAborts()) {
            assertThat(o.cleanEof()).as("server must see an abort, not a clean end: %s", o).isFalse();
        }
    }

    @Test
    void serverResetReachesTheClientAsAnAbortNotAnEnd() throws Exception {
        server.behaviour(s -> {
            s.getOutputStream().write(new byte[5000]);
            s.getOutputStream().flush();
            s.getInputStream().readNBytes(4);
            s.setSoLinger(true, 0);
            s.close();
        });
        try (Socket s = connect()) {
            // Read the server's bytes before letting it reset: a reset may discard what the far
            // node has not yet handed over (QUIC's RESET_STREAM allows that, RFC 9000 section 3.2),
            // and this test is about the reset arriving as an abort, not about that race.
            InputStream in = s.getInputStream();
            assertThat(in.readNBytes(5000)).hasSize(5000);
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            if (carriesAborts()) {
                assertThatThrownBy(() -> readToEof(in)).as("client must see a reset, not EOF").isInstanceOf(IOException.class)
                        .isNotInstanceOf(java.net.SocketTimeoutException.class);
            } else {
                try {
                    readToEof(in);
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("the client connection did not end after the server's reset", e);
                } catch (IOException reset) {
                    // a reset is even better than the clean end this transport can promise
                }
            }
        }
    }

    @Test
    void pausedReaderDoesNotGrowProxyMemory() throws Exception {
        CompletableFuture<Void> resume = new CompletableFuture<>();
        server.behaviour(s -> {
            try {
                resume.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException(e);
            }
            server.drain(s);
        });
        long before = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        long sent;
        try (Socket s = connect()) {
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < 64 * 16; i++) { // 64 MiB, far more than any buffer on the way
                        out.write(chunk);
                    }
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // reported through the server's byte count
                }
            });
            writer.start();
            Thread.sleep(2500);
            long during = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            assertThat(during - before).as("direct memory held while the reader is paused")
                    .isLessThan(48L * 1024 * 1024);
            resume.complete(null);
            writer.join(30_000);
            sent = 64L * 1024 * 1024;
            TestServer.Outcome o = server.nextOutcome(30, TimeUnit.SECONDS);
            assertThat(o).isNotNull();
            assertThat(o.bytesRead()).as("bytes the paused server finally read: %s", o).isEqualTo(sent);
        }
    }

    @Test
    void closedUpstreamClosesTheClientPromptlyAndIsCounted() throws Exception {
        long failuresBefore = nodes.node2().counters("node2").dialFailures();
        InetSocketAddress gone = server.address();
        server.close();
        // Hold the closed server's port with a bound, non-listening socket where the kernel allows it
        // (not while connections accepted earlier still use the port): connections to it are then
        // refused, and no other listener can take the port meanwhile (CI once saw an echo from a
        // stranger's server on the reused port).
        Socket holder = new Socket();
        try {
            holder.setReuseAddress(true);
            holder.bind(gone);
        } catch (IOException inUse) {
            holder.close();
        }
        try {
            long start = System.nanoTime();
            // A fast transport may reset the client before connect() even returns: that counts too.
            try (Socket s = connect()) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                int r = s.getInputStream().read();
                assertThat(r).isEqualTo(-1);
            } catch (IOException expected) {
                // a reset is a fine way to say the upstream is gone
            }
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (nodes.node2().counters("node2").dialFailures() == failuresBefore && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(nodes.node2().counters("node2").dialFailures()).isGreaterThan(failuresBefore);
        } finally {
            holder.close();
            server = new TestServer();
            nodes.close();
            nodes = new ProxyNodes(tunnel(), server.address(), dataDir, extraConfig(), "", entryListenBlock(), this::entryDialBlock);
        }
        // and the route serves again once the upstream is back
        try (Socket s = connect()) {
            s.getOutputStream().write("again".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(readToEof(s.getInputStream())).asString(StandardCharsets.US_ASCII).isEqualTo("again");
        }
    }

    /**
     * {@code max-open-connections} on the tunnel's listen side (node 2): the connection over the
     * limit is aborted in the transport's terms (so node 1 resets its client), counted, and the
     * place is given back when the first connection ends.
     */
    @Test
    void aConnectionOverTheListenersLimitIsAbortedCountedAndThePlaceComesBack() throws Exception {
        // The suite's nodes restart with the limit (a transport may listen on a fixed address, such
        // as a socket path, so a second pair beside them is not possible), and without it after.
        nodes.close();
        ProxyNodes limited = new ProxyNodes(tunnel(), server.address(), dataDir, extraConfig(), "max-open-connections = 1", entryListenBlock(),
                this::entryDialBlock);
        nodes = limited;
        try {
            try (Socket first = connectTo(limited.entry())) {
                first.getOutputStream().write("held".getBytes(StandardCharsets.US_ASCII));
                assertThat(first.getInputStream().readNBytes(4)).asString(StandardCharsets.US_ASCII).isEqualTo("held");
                assertThat(bytesThroughARefusedConnection(limited.entry()))
                        .as("no byte may come back through a refused connection").isEmpty();
                assertThat(limited.node2().counters("node2").rejectedPeers()).containsEntry("connection-limit", 1L);
                // the first connection was not disturbed by the refusal
                first.getOutputStream().write("still".getBytes(StandardCharsets.US_ASCII));
                assertThat(first.getInputStream().readNBytes(5)).asString(StandardCharsets.US_ASCII).isEqualTo("still");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (limited.node2().counters("node2").connectionsOpen() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            try (Socket third = connectTo(limited.entry())) {
                third.getOutputStream().write("again".getBytes(StandardCharsets.US_ASCII));
                third.shutdownOutput();
                assertThat(readToEof(third.getInputStream())).asString(StandardCharsets.US_ASCII).isEqualTo("again");
            }
        } finally {
            nodes.close();
            nodes = new ProxyNodes(tunnel(), server.address(), dataDir, extraConfig(), "", entryListenBlock(), this::entryDialBlock);
        }
    }

    /**
     * What comes back through a connection that node 2 refuses: the expected way is a reset (node 2
     * aborted the tunnel stream, node 1 reset its client). An entry point that answers only after
     * its dial (SOCKS5, CONNECT) may refuse it already in its handshake, or reset it before the
     * first write: as good.
     */
    private byte[] bytesThroughARefusedConnection(InetSocketAddress entry) {
        try (Socket over = connectTo(entry)) {
            over.getOutputStream().write("over".getBytes(StandardCharsets.US_ASCII));
            return readToEof(over.getInputStream());
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the connection over the limit was neither refused nor ended", e);
        } catch (IOException reset) {
            return new byte[0];
        }
    }

    /**
     * A client connection through node 1's listener at {@code address}, ready for payload. An entry
     * point's suite overrides it to run its handshake (a SOCKS5 CONNECT to {@link #server}).
     */
    protected Socket connectTo(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 5000);
        s.setSoTimeout(20_000);
        return s;
    }

    /** Waits until both nodes report no open connection. */
    protected void awaitNoOpenConnections() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (nodes.node1().counters("node1").connectionsOpen() == 0
                    && nodes.node2().counters("node2").connectionsOpen() == 0) {
                return;
            }
            Thread.sleep(20);
        }
        assertThat(nodes.node1().counters("node1").connectionsOpen()).as("node1 open connections").isZero();
        assertThat(nodes.node2().counters("node2").connectionsOpen()).as("node2 open connections").isZero();
    }

    public static byte[] readToEof(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    public static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    protected InetSocketAddress entry() {
        return nodes.entry();
    }
}
