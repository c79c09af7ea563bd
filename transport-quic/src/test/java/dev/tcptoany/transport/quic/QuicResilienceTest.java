package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.api.ByteStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Timeouts, restarts and the original tool's one-connection-per-stream mode. */
class QuicResilienceTest extends QuicTestSupport {

    private static void echoRoundTrip(ByteStream client, ByteStream server, int size) throws Exception {
        StreamProbe c = StreamProbe.attach(client, false);
        StreamProbe.attach(server, true);
        byte[] data = random(size, size);
        c.send(data, true).get(10, TimeUnit.SECONDS);
        c.inputEnded.get(10, TimeUnit.SECONDS);
        assertThat(c.sha256()).isEqualTo(StreamProbe.sha256(data));
    }

    @Test
    void idleTimeoutClosesTheConnectionAndAbortsItsStreams() throws Exception {
        Server server = listen("idle-timeout = 800ms");
        QuicDialer dialer = dialer(server, "keep-alive = 0\nidle-timeout = 800ms");
        StreamProbe client = StreamProbe.attach(dial(dialer), false);
        StreamProbe srv = StreamProbe.attach(server.next(), false);
        long start = System.nanoTime();
        client.aborted.get(10, TimeUnit.SECONDS);
        srv.aborted.get(10, TimeUnit.SECONDS);
        assertThat(client.inputEnded).isNotDone();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(700);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (dialer.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(dialer.openConnections()).isZero();
    }

    @Test
    void keepAliveHoldsAnIdleConnectionOpen() throws Exception {
        Server server = listen("idle-timeout = 600ms");
        QuicDialer dialer = dialer(server, "keep-alive = 200ms\nidle-timeout = 600ms");
        ByteStream first = dial(dialer);
        ByteStream firstServer = server.next();
        StreamProbe c = StreamProbe.attach(first, false);
        StreamProbe.attach(firstServer, true);
        // Three idle timeouts pass; the pings keep the connection and its stream alive.
        Thread.sleep(1_800);
        assertThat(c.aborted).isNotDone();
        byte[] data = random(10_000, 1);
        c.send(data, true).get(5, TimeUnit.SECONDS);
        c.inputEnded.get(5, TimeUnit.SECONDS);
        assertThat(c.sha256()).isEqualTo(StreamProbe.sha256(data));
        assertThat(dialer.openConnections()).isEqualTo(1);
    }

    @Test
    void restartedUpstreamIsNoticedAndReplacedWithinTenSecondsWithDefaults() throws Exception {
        Server first = listen("");
        QuicDialer dialer = dialer(first, "");
        ByteStream before = dial(dialer);
        StreamProbe beforeProbe = StreamProbe.attach(before, false);
        StreamProbe.attach(first.next(), true);
        // Node 2 dies without a word and comes back on the same port with the same certificate.
        first.listener().closeWithoutNotice().get(5, TimeUnit.SECONDS);
        long crashed = System.nanoTime();
        Server second = listenOn(first.port(), "");
        assertThat(second.listener().certificateFingerprint()).isEqualTo(first.listener().certificateFingerprint());
        // New TCP connections are served by a new QUIC connection, within 10 s of the crash.
        ByteStream after = null;
        while (after == null && System.nanoTime() - crashed < TimeUnit.SECONDS.toNanos(10)) {
            try {
                ByteStream s = dial(dialer);
                StreamProbe p = StreamProbe.attach(s, false);
                ByteStream srv = second.accepted().poll(1, TimeUnit.SECONDS);
                if (srv != null) {
                    StreamProbe.attach(srv, true);
                    byte[] data = random(20_000, 2);
                    p.send(data, true).get(5, TimeUnit.SECONDS);
                    p.inputEnded.get(5, TimeUnit.SECONDS);
                    assertThat(p.sha256()).isEqualTo(StreamProbe.sha256(data));
                    after = s;
                } else {
                    p.abort();
                }
            } catch (java.util.concurrent.ExecutionException e) {
                Thread.sleep(100);
            }
        }
        assertThat(after).as("served by the restarted upstream within 10 s").isNotNull();
        // The stream on the dead connection was aborted, not ended cleanly.
        beforeProbe.aborted.get(10, TimeUnit.SECONDS);
        assertThat(beforeProbe.inputEnded).isNotDone();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - crashed)).isLessThan(10);
    }

    @Test
    void unreachableUpstreamFailsTheDialWithACause() throws Exception {
        Server server = listen("");
        int port = server.port();
        server.listener().close().get(5, TimeUnit.SECONDS);
        QuicDialer dialer = dialerTo(port, "tls.insecure = true\nhandshake-timeout = 500ms");
        var f = dialer.dial(new dev.tcptoany.api.DialRequest(env.group.next(), java.time.Duration.ofSeconds(5), "x"));
        assertThat(f.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(f.isSuccess()).isFalse();
        assertThat(f.cause()).hasMessageContaining("127.0.0.1:" + port);
    }

    @Test
    void aRefusedUdpPortFailsTheDialAtOnceNotAfterTheHandshakeTimeout() throws Exception {
        Server server = listen("");
        int port = server.port();
        server.listener().close().get(5, TimeUnit.SECONDS);
        // The handshake timeout is far longer than the wait below: only the kernel's ICMP
        // "port unreachable" (reported to a connected UDP socket) can end the dial in time.
        QuicDialer dialer = dialerTo(port, "tls.insecure = true\nhandshake-timeout = 60s");
        var f = dialer.dial(new dev.tcptoany.api.DialRequest(env.group.next(), java.time.Duration.ofSeconds(90), "x"));
        assertThat(f.await(15, TimeUnit.SECONDS)).as("dial ended before the 60 s handshake timeout").isTrue();
        assertThat(f.isSuccess()).isFalse();
        assertThat(f.cause()).hasMessageContaining("127.0.0.1:" + port).hasMessageContaining("ICMP port unreachable");
        // A listener that comes back on the port is reached by the next dial.
        Server again = listenOn(port, "");
        ByteStream s = null;
        for (int i = 0; i < 50 && s == null; i++) {
            var next = dialer.dial(new dev.tcptoany.api.DialRequest(env.group.next(), java.time.Duration.ofSeconds(5), "x"));
            next.await(6, TimeUnit.SECONDS);
            if (next.isSuccess()) {
                s = next.getNow();
            } else {
                Thread.sleep(100);
            }
        }
        assertThat(s).as("dialled the listener that came back").isNotNull();
        echoRoundTrip(s, again.next(), 10_000);
    }

    @Test
    void originalAlpnGivesEachStreamItsOwnConnectionWithoutHeader() throws Exception {
        Server server = listen("");
        QuicDialer dialer = dialer(server, "alpn = [\"proto\"]\noriginal-linger = 200ms");
        List<StreamProbe> clients = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            StreamProbe c = StreamProbe.attach(dial(dialer), false);
            byte[] data = random(100_000, 10 + i);
            // The original protocol has no header: the listener sees the stream at its first byte.
            assertThat(server.accepted().poll(300, TimeUnit.MILLISECONDS)).isNull();
            c.send(data, false).get(5, TimeUnit.SECONDS);
            ByteStream s = server.next();
            assertThat(s.supportsHalfClose()).isFalse();
            StreamProbe.attach(s, true);
            clients.add(c);
            payloads.add(data);
        }
        assertThat(dialer.openConnections()).isEqualTo(3);
        assertThat(server.listener().openConnections()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            StreamProbe c = clients.get(i);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (c.received.get() < payloads.get(i).length && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(c.sha256()).isEqualTo(StreamProbe.sha256(payloads.get(i)));
            c.shutdownOutput().get(5, TimeUnit.SECONDS);
        }
        // Each connection goes once its single stream is done.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (dialer.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(dialer.openConnections()).isZero();
    }

    @Test
    void connectionsOptionSpreadsStreamsOverThatManyConnections() throws Exception {
        Server server = listen("");
        QuicDialer dialer = dialer(server, "connections = 2");
        List<StreamProbe> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(StreamProbe.attach(dial(dialer), false));
            StreamProbe.attach(server.next(), true);
        }
        assertThat(dialer.openConnections()).isEqualTo(2);
        assertThat(server.listener().openConnections()).isEqualTo(2);
        for (StreamProbe c : clients) {
            byte[] data = random(50_000, 4);
            c.send(data, true).get(5, TimeUnit.SECONDS);
            c.inputEnded.get(5, TimeUnit.SECONDS);
            assertThat(c.sha256()).isEqualTo(StreamProbe.sha256(data));
        }
    }

    @Test
    void listenerWithSeveralReusePortSocketsServesEveryConnection() throws Exception {
        Server server = listen("sockets = 3");
        List<StreamProbe> clients = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            // A dialer each: a UDP socket (source port) each, hashed over the listener's sockets.
            QuicDialer d = dialer(server, "");
            clients.add(StreamProbe.attach(dial(d), false));
            StreamProbe.attach(server.next(), true);
        }
        for (StreamProbe c : clients) {
            byte[] data = random(100_000, 6);
            c.send(data, true).get(10, TimeUnit.SECONDS);
            c.inputEnded.get(10, TimeUnit.SECONDS);
            assertThat(c.sha256()).isEqualTo(StreamProbe.sha256(data));
        }
        assertThat(server.listener().openConnections()).isEqualTo(6);
    }

    @Test
    void streamsBeyondThePeersLimitGoToAnotherConnection() throws Exception {
        Server server = listen("max-streams-per-connection = 2");
        QuicDialer dialer = dialer(server, "");
        List<ByteStream> open = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            open.add(dial(dialer));
            StreamProbe.attach(server.next(), true);
        }
        assertThat(dialer.openConnections()).isEqualTo(3);
        for (ByteStream s : open) {
            StreamProbe c = StreamProbe.attach(s, false);
            byte[] data = random(5_000, 3);
            c.send(data, true).get(5, TimeUnit.SECONDS);
            c.inputEnded.get(5, TimeUnit.SECONDS);
            assertThat(c.sha256()).isEqualTo(StreamProbe.sha256(data));
        }
    }
}
