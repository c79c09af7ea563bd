package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.api.ByteStream;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Listener and dialer driven directly over real QUIC on loopback: bytes, half-close, abort. */
class QuicStreamBehaviourTest extends QuicTestSupport {

    @Test
    void manyParallelStreamsShareOneConnectionAndArriveIntact() throws Exception {
        Server server = listen("");
        QuicDialer dialer = dialer(server, "connections = 1");
        int streams = 12;
        List<StreamProbe> clients = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            ByteStream s = dial(dialer);
            StreamProbe.attach(server.next(), true);
            StreamProbe c = StreamProbe.attach(s, false);
            byte[] data = random(1 << 20, i);
            payloads.add(data);
            clients.add(c);
            c.send(data, true);
        }
        for (int i = 0; i < streams; i++) {
            StreamProbe c = clients.get(i);
            c.inputEnded.get(30, TimeUnit.SECONDS);
            assertThat(c.received.get()).isEqualTo(payloads.get(i).length);
            assertThat(c.sha256()).isEqualTo(StreamProbe.sha256(payloads.get(i)));
            assertThat(c.aborted).isNotDone();
        }
        assertThat(dialer.openConnections()).isEqualTo(1);
        assertThat(server.listener().openConnections()).isEqualTo(1);
    }

    @Test
    void byDefaultEachStreamIsOpenedOnTheDialingLoopsOwnConnection() throws Exception {
        // The relay between a client's TCP connection and its stream stays on one thread.
        Server server = listen("");
        QuicDialer dialer = dialer(server, "");
        List<EventLoop> loops = new ArrayList<>();
        env.group.forEach(e -> loops.add((EventLoop) e));
        assertThat(loops).hasSizeGreaterThan(1);
        for (int round = 0; round < 2; round++) {
            for (EventLoop loop : loops) {
                ByteStream s = dialer.dial(new dev.tcptoany.api.DialRequest(loop, java.time.Duration.ofSeconds(10), "test"))
                        .get(15, TimeUnit.SECONDS);
                assertThat(s.channel().eventLoop()).isSameAs(loop);
                server.next();
            }
        }
        assertThat(dialer.openConnections()).isEqualTo(loops.size());
    }

    @Test
    void largePayloadArrivesByteExact() throws Exception {
        Server server = listen("");
        QuicDialer dialer = dialer(server, "");
        StreamProbe client = StreamProbe.attach(dial(dialer), false);
        StreamProbe receiver = StreamProbe.attach(server.next(), false);
        byte[] data = random(24 << 20, 42);
        client.send(data, true).get(60, TimeUnit.SECONDS);
        receiver.inputEnded.get(60, TimeUnit.SECONDS);
        assertThat(receiver.received.get()).isEqualTo(data.length);
        assertThat(receiver.sha256()).isEqualTo(StreamProbe.sha256(data));
    }

    @Test
    void listenerGetsTheStreamBeforeTheClientSpeaks() throws Exception {
        Server server = listen("");
        QuicDialer dialer = dialer(server, "");
        StreamProbe client = StreamProbe.attach(dial(dialer), false);
        // The client sends nothing; the header alone makes the stream visible.
        StreamProbe banner = StreamProbe.attach(server.next(), false);
        byte[] hello = "220 ready\r\n".getBytes(StandardCharsets.US_ASCII);
        banner.send(hello, false).get(5, TimeUnit.SECONDS);
        client.firstByte.get(5, TimeUnit.SECONDS);
        assertThat(client.sha256()).isEqualTo(StreamProbe.sha256(hello));
    }

    /**
     * A server-first peer's banner can reach the dialer's stream before the host has put a handler
     * on it (the relay attaches on the dial's loop, which may not be the stream's). The stream
     * must not read on its own in that window: the bytes wait in quiche for the host's first read.
     */
    @Test
    void bytesTheListenerSendsBeforeTheDialerSideAttachesAreKept() throws Exception {
        Server server = listen("");
        QuicDialer dialer = dialer(server, "");
        ByteStream dialed = dial(dialer);
        StreamProbe banner = StreamProbe.attach(server.next(), false);
        byte[] hello = random(40_000, 12);
        banner.send(hello, true).get(5, TimeUnit.SECONDS);
        // Leave the bytes and the FIN time to reach the dialer's connection before attaching.
        Thread.sleep(300);
        StreamProbe client = StreamProbe.attach(dialed, false);
        client.inputEnded.get(5, TimeUnit.SECONDS);
        assertThat(client.sha256()).isEqualTo(StreamProbe.sha256(hello));
        assertThat(client.aborted).isNotDone();
    }

    @Test
    void halfCloseFromDialerLetsListenerKeepSending() throws Exception {
        Server server = listen("");
        QuicDialer dialer = dialer(server, "");
        StreamProbe client = StreamProbe.attach(dial(dialer), false);
        StreamProbe srv = StreamProbe.attach(server.next(), false);
        byte[] request = random(300_000, 1);
        client.send(request, true).get(10, TimeUnit.SECONDS);
        srv.inputEnded.get(10, TimeUnit.SECONDS);
        assertThat(srv.sha256()).isEqualTo(StreamProbe.sha256(request));
        // After the client's FIN the server still answers, then ends.
        byte[] response = random(500_000, 2);
        srv.send(response, true).get(10, TimeUnit.SECONDS);
        client.inputEnded.get(10, TimeUnit.SECONDS);
        assertThat(client.sha256()).isEqualTo(StreamProbe.sha256(response));
        assertThat(client.aborted).isNotDone();
        assertThat(srv.aborted).isNotDone();
    }

    @Test
    void halfCloseFromListenerLetsDialerKeepSending() throws Exception {
        Server server = listen("");
        QuicDialer dialer = dialer(server, "");
        StreamProbe client = StreamProbe.attach(dial(dialer), false);
        StreamProbe srv = StreamProbe.attach(server.next(), false);
        byte[] banner = random(100_000, 3);
        srv.send(banner, true).get(10, TimeUnit.SECONDS);
        client.inputEnded.get(10, TimeUnit.SECONDS);
        assertThat(client.sha256()).isEqualTo(StreamProbe.sha256(banner));
        byte[] upload = random(700_000, 4);
        client.send(upload, true).get(10, TimeUnit.SECONDS);
        srv.inputEnded.get(10, TimeUnit.SECONDS);
        assertThat(srv.sha256()).isEqualTo(StreamProbe.sha256(upload));
        assertThat(client.aborted).isNotDone();
        assertThat(srv.aborted).isNotDone();
    }

    @Test
    void abortFromDialerIsSeenAsAbortNotEnd() throws Exception {
        Server server = listen("");
        QuicDialer dialer = dialer(server, "");
        StreamProbe client = StreamProbe.attach(dial(dialer), false);
        StreamProbe srv = StreamProbe.attach(server.next(), false);
        client.send(random(50_000, 5), false).get(5, TimeUnit.SECONDS);
        srv.firstByte.get(5, TimeUnit.SECONDS);
        client.abort();
        srv.aborted.get(10, TimeUnit.SECONDS);
        assertThat(srv.inputEnded).isNotDone();
    }

    @Test
    void abortFromListenerIsSeenAsAbortNotEnd() throws Exception {
        Server server = listen("");
        QuicDialer dialer = dialer(server, "");
        StreamProbe client = StreamProbe.attach(dial(dialer), false);
        StreamProbe srv = StreamProbe.attach(server.next(), false);
        srv.send(random(50_000, 6), false).get(5, TimeUnit.SECONDS);
        client.firstByte.get(5, TimeUnit.SECONDS);
        srv.abort();
        client.aborted.get(10, TimeUnit.SECONDS);
        assertThat(client.inputEnded).isNotDone();
    }

    @Test
    void slowReaderBoundsBytesInFlight() throws Exception {
        Server server = listen("initial-max-stream-data = 1MiB");
        QuicDialer dialer = dialer(server, "initial-max-stream-data = 1MiB");
        ByteStream stream = dial(dialer);
        StreamProbe client = StreamProbe.attach(stream, false);
        StreamProbe slow = StreamProbe.attachPaused(server.next());
        byte[] data = random(16 << 20, 7);
        client.send(data, true);
        // The reader reads nothing: the sender must stall once the stream window is used up, with
        // at most the gate's bounded backlog (plus one write chunk) held outside quiche.
        long bound = (1 << 20) + StreamWriteGate.HIGH_WATER + 64 * 1024;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stream.isWritable() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(stream.isWritable()).isFalse();
        for (int i = 0; i < 10; i++) {
            assertThat((long) client.sent()).isLessThanOrEqualTo(bound);
            Thread.sleep(50);
        }
        slow.resumeReading();
        slow.inputEnded.get(60, TimeUnit.SECONDS);
        assertThat(slow.sha256()).isEqualTo(StreamProbe.sha256(data));
    }

    /**
     * The relay writes from the other side's event loop, in a loop that stops when the stream turns
     * unwritable. The bound must hold for bytes still on their way to the stream's loop: here the
     * writer runs on another loop and never yields, so without counting on the writer's thread it
     * would queue all 64 MiB.
     */
    @Test
    void writerOnAnotherLoopMeetsTheBound() throws Exception {
        Server server = listen("initial-max-stream-data = 1MiB");
        QuicDialer dialer = dialer(server, "initial-max-stream-data = 1MiB");
        ByteStream stream = dial(dialer);
        StreamProbe slow = StreamProbe.attachPaused(server.next());
        EventLoop writerLoop = env.group.next();
        while (writerLoop == stream.channel().eventLoop()) {
            writerLoop = env.group.next();
        }
        byte[] chunk = random(64 * 1024, 11);
        long limit = 64L << 20;
        java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();
        Runnable writeWhileWritable = () -> {
            while (stream.isWritable() && written.size() < limit) {
                stream.write(stream.channel().alloc().directBuffer(chunk.length).writeBytes(chunk));
                written.write(chunk, 0, chunk.length);
            }
            stream.channel().flush();
        };
        // As the relay does: write while writable, and again whenever the stream may have drained.
        for (int round = 0; round < 20; round++) {
            writerLoop.submit(writeWhileWritable).get(30, TimeUnit.SECONDS);
            Thread.sleep(20);
        }
        // quiche may take the stream window (1 MiB); the gate holds at most its backlog plus one write.
        long bound = (1 << 20) + StreamWriteGate.HIGH_WATER + chunk.length;
        assertThat((long) written.size()).isLessThanOrEqualTo(bound);
        assertThat(stream.isWritable()).isFalse();

        slow.resumeReading();
        // The writability event must come back to the writer once the backlog drained.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!stream.isWritable() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(stream.isWritable()).isTrue();
        stream.channel().eventLoop().submit(() -> stream.shutdownOutput()).get(10, TimeUnit.SECONDS);
        slow.inputEnded.get(30, TimeUnit.SECONDS);
        assertThat(slow.sha256()).isEqualTo(StreamProbe.sha256(written.toByteArray()));
    }
}
