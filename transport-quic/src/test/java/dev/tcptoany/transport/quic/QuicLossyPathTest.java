package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.LossyUdpRelay;
import dev.tcptoany.testkit.LossyUdpRelay.Impairment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * QUIC over a bad path: dialer -> {@link LossyUdpRelay} (1% of datagrams dropped and 10 ms delay,
 * each way) -> listener, with 1452-byte datagrams as on an ordinary 1500-byte MTU. Bytes must
 * arrive intact and FIN and abort keep their meaning, however many packets quiche resends. Each
 * test checks the relay really dropped in both directions (and the big one that quiche noticed),
 * so none can pass on a lossless path.
 */
class QuicLossyPathTest extends QuicTestSupport {
    /** One connection: the relay forwards one client socket, and connections = auto opens one per loop. */
    private static final String PATH = "max-udp-payload = 1452\nconnections = 1\n";
    private static final Impairment EACH_WAY = new Impairment(0.01, Duration.ofMillis(10));
    private static final long SEED = 10;

    private LossyUdpRelay relay;

    /** A listener and a dialer that reaches it through a fresh lossy relay. */
    private QuicDialer dialerThroughRelay(Server server) throws Exception {
        relay = new LossyUdpRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()),
                EACH_WAY, EACH_WAY, SEED);
        int port = relay.start().getPort();
        return dialerTo(port, "tls.pin-sha256 = [\"" + server.listener().certificateFingerprint() + "\"]\n" + PATH);
    }

    /** Relay last, so the dialer's and listener's goodbyes still cross it. */
    @Override
    @AfterEach
    void closeAll() throws Exception {
        try {
            super.closeAll();
        } finally {
            if (relay != null) {
                relay.close();
            }
        }
    }

    private void assertRelayDroppedBothWays() {
        assertThat(relay.toTarget().dropped()).as("datagrams the relay dropped towards the listener").isPositive();
        assertThat(relay.toClient().dropped()).as("datagrams the relay dropped towards the dialer").isPositive();
    }

    private static long lost(List<QuicPathStatistics> connections) {
        return connections.stream().mapToLong(QuicPathStatistics::lost).sum();
    }

    private static void awaitReceived(StreamProbe probe, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (probe.received.get() < bytes && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(probe.received.get()).as("bytes received before the abort").isEqualTo(bytes);
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void sixteenMegabytesEchoByteExactAndQuicheCountsTheLosses() throws Exception {
        Server server = listen(PATH);
        QuicDialer dialer = dialerThroughRelay(server);
        StreamProbe client = StreamProbe.attach(dial(dialer), false);
        StreamProbe.attach(server.next(), true);
        byte[] data = random(16 << 20, 16);
        long start = System.nanoTime();
        client.send(data, true);
        // Echoed: the data crosses the lossy path in both directions, so both ends lose packets.
        client.inputEnded.get(120, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(client.received.get()).isEqualTo(data.length);
        assertThat(client.sha256()).isEqualTo(StreamProbe.sha256(data));
        assertThat(client.aborted).isNotDone();

        // Taken while the connection is still open.
        List<QuicPathStatistics> dialerSide = dialer.pathStatistics().get(5, TimeUnit.SECONDS);
        List<QuicPathStatistics> listenerSide = server.listener().pathStatistics().get(5, TimeUnit.SECONDS);
        System.out.printf("16 MiB each way in %d ms through the lossy relay %s; dialer %s; listener %s%n", millis,
                relay.countsJson(), dialerSide.get(0).describe(), listenerSide.get(0).describe());
        assertRelayDroppedBothWays();
        assertThat(dialerSide).hasSize(1);
        assertThat(listenerSide).hasSize(1);
        assertThat(lost(dialerSide)).as("packets quiche declared lost on the dialer's side").isPositive();
        assertThat(lost(listenerSide)).as("packets quiche declared lost on the listener's side").isPositive();
        assertThat(dialerSide.get(0).rttNanos()).as("round trip of two 10 ms delays")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void halfCloseFromDialerLetsListenerAnswerAfterTheFin() throws Exception {
        Server server = listen(PATH);
        QuicDialer dialer = dialerThroughRelay(server);
        StreamProbe client = StreamProbe.attach(dial(dialer), false);
        StreamProbe srv = StreamProbe.attach(server.next(), false);
        byte[] request = random(1 << 20, 1);
        client.send(request, true).get(30, TimeUnit.SECONDS);
        srv.inputEnded.get(30, TimeUnit.SECONDS);
        assertThat(srv.sha256()).isEqualTo(StreamProbe.sha256(request));
        // The dialer's side is shut for output; the listener still answers, then ends.
        byte[] response = random(2 << 20, 2);
        srv.send(response, true).get(30, TimeUnit.SECONDS);
        client.inputEnded.get(30, TimeUnit.SECONDS);
        assertThat(client.sha256()).isEqualTo(StreamProbe.sha256(response));
        assertThat(client.aborted).isNotDone();
        assertThat(srv.aborted).isNotDone();
        assertRelayDroppedBothWays();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void abortsCrossAsAbortsEachWay() throws Exception {
        Server server = listen(PATH);
        QuicDialer dialer = dialerThroughRelay(server);

        StreamProbe client = StreamProbe.attach(dial(dialer), false);
        StreamProbe srv = StreamProbe.attach(server.next(), false);
        // Enough traffic first that the relay has dropped in both directions.
        client.send(random(1 << 20, 3), false);
        srv.send(random(1 << 20, 4), false);
        awaitReceived(srv, 1 << 20);
        awaitReceived(client, 1 << 20);
        client.abort();
        srv.aborted.get(30, TimeUnit.SECONDS);
        assertThat(srv.inputEnded).isNotDone();

        StreamProbe client2 = StreamProbe.attach(dial(dialer), false);
        StreamProbe srv2 = StreamProbe.attach(server.next(), false);
        srv2.send(random(50_000, 5), false).get(30, TimeUnit.SECONDS);
        client2.firstByte.get(30, TimeUnit.SECONDS);
        srv2.abort();
        client2.aborted.get(30, TimeUnit.SECONDS);
        assertThat(client2.inputEnded).isNotDone();
        assertRelayDroppedBothWays();
    }
}
