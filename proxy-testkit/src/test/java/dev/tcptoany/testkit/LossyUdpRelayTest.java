package dev.tcptoany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.testkit.LossyUdpRelay.Counts;
import dev.tcptoany.testkit.LossyUdpRelay.Impairment;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay with real UDP sockets on loopback: an echo server behind it, a client in front. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LossyUdpRelayTest {
    private DatagramSocket echo;
    private Thread echoThread;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        echo.setReceiveBufferSize(4 << 20);
        echoThread = new Thread(() -> {
            byte[] buf = new byte[65_535];
            while (!echo.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    echo.receive(p);
                    echo.send(p);
                } catch (IOException e) {
                    return;
                }
            }
        }, "udp-echo");
        echoThread.setDaemon(true);
        echoThread.start();
    }

    @AfterEach
    void stopEcho() throws InterruptedException {
        echo.close();
        echoThread.join(5_000);
    }

    private InetSocketAddress echoAddress() {
        return (InetSocketAddress) echo.getLocalSocketAddress();
    }

    /**
     * Sends numbered datagrams in small bursts, each followed by a pause long enough for the echo to
     * come back, so that no kernel buffer on the way overflows (those losses no relay counter sees);
     * collects the numbers echoed back in order.
     */
    private static List<Integer> roundTrip(InetSocketAddress relay, int count, int size) throws IOException {
        List<Integer> back = new ArrayList<>();
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setReceiveBufferSize(4 << 20);
            byte[] out = new byte[size];
            for (int i = 0; i < count; i++) {
                ByteBuffer.wrap(out).putInt(i);
                client.send(new DatagramPacket(out, out.length, relay));
                if (i % 20 == 19) {
                    drain(client, back, 2);
                }
            }
            drain(client, back, 300);
        }
        return back;
    }

    private static void drain(DatagramSocket client, List<Integer> back, int quietMillis) throws IOException {
        byte[] in = new byte[65_535];
        client.setSoTimeout(quietMillis);
        while (true) {
            DatagramPacket p = new DatagramPacket(in, in.length);
            try {
                client.receive(p);
            } catch (SocketTimeoutException e) {
                return;
            }
            back.add(ByteBuffer.wrap(p.getData(), 0, p.getLength()).getInt());
        }
    }

    @Test
    void losslessRelayForwardsEverythingBothWays() throws Exception {
        try (LossyUdpRelay relay = new LossyUdpRelay(echoAddress(), Impairment.none(), Impairment.none(), 1)) {
            List<Integer> back = roundTrip(relay.start(), 1000, 1452);
            assertThat(back).hasSize(1000);
            assertThat(relay.toTarget()).isEqualTo(new Counts(1000, 0, 0));
            assertThat(relay.toClient()).isEqualTo(new Counts(1000, 0, 0));
        }
    }

    @Test
    void dropsTheConfiguredShareEachWayAndTheSameOnesForTheSameSeed() throws Exception {
        Impairment tenPercent = new Impairment(0.10, Duration.ZERO);
        List<Integer> first;
        Counts firstToTarget;
        try (LossyUdpRelay relay = new LossyUdpRelay(echoAddress(), tenPercent, tenPercent, 42)) {
            first = roundTrip(relay.start(), 2000, 1452);
            firstToTarget = relay.toTarget();
            Counts toClient = relay.toClient();
            assertThat(firstToTarget.forwarded() + firstToTarget.dropped()).isEqualTo(2000);
            // 10% of 2000 is 200; the seeded draw stays well inside 140-260.
            assertThat(firstToTarget.dropped()).isBetween(140L, 260L);
            assertThat(toClient.forwarded() + toClient.dropped()).isEqualTo(firstToTarget.forwarded());
            assertThat(toClient.dropped()).isBetween(120L, 240L);
            assertThat(first).hasSize((int) toClient.forwarded());
        }
        try (LossyUdpRelay again = new LossyUdpRelay(echoAddress(), tenPercent, tenPercent, 42)) {
            assertThat(roundTrip(again.start(), 2000, 1452)).isEqualTo(first);
            assertThat(again.toTarget()).isEqualTo(firstToTarget);
        }
    }

    @Test
    void dropsOnlyInTheDirectionConfigured() throws Exception {
        Impairment half = new Impairment(0.5, Duration.ZERO);
        try (LossyUdpRelay relay = new LossyUdpRelay(echoAddress(), Impairment.none(), half, 3)) {
            List<Integer> back = roundTrip(relay.start(), 1000, 100);
            assertThat(relay.toTarget()).isEqualTo(new Counts(1000, 0, 0));
            assertThat(relay.toClient().dropped()).isBetween(400L, 600L);
            assertThat(back).hasSize((int) relay.toClient().forwarded());
        }
    }

    @Test
    void delaysEachDirectionAndKeepsOrder() throws Exception {
        Impairment slow = new Impairment(0, Duration.ofMillis(40));
        try (LossyUdpRelay relay = new LossyUdpRelay(echoAddress(), slow, slow, 1);
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress address = relay.start();
            byte[] one = {1};
            long start = System.nanoTime();
            client.send(new DatagramPacket(one, 1, address));
            client.setSoTimeout(5_000);
            client.receive(new DatagramPacket(new byte[8], 8));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(80);
            List<Integer> back = roundTrip(address, 2000, 1452);
            assertThat(back).hasSize(2000);
            for (int i = 0; i < back.size(); i++) {
                assertThat(back.get(i)).isEqualTo(i);
            }
        }
    }

    @Test
    void aFullDelayQueueDropsAndCountsApart() throws Exception {
        Impairment slow = new Impairment(0, Duration.ofMillis(200));
        try (LossyUdpRelay relay = new LossyUdpRelay(echoAddress(), slow, Impairment.none(), 1, 10);
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress address = relay.start();
            for (int i = 0; i < 100; i++) {
                client.send(new DatagramPacket(new byte[100], 100, address));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (relay.toTarget().forwarded() + relay.toTarget().overflowed() < 100 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Counts c = relay.toTarget();
            assertThat(c.dropped()).isZero();
            assertThat(c.overflowed()).isGreaterThan(0);
            assertThat(c.forwarded()).isLessThanOrEqualTo(100 - c.overflowed()).isGreaterThanOrEqualTo(10);
        }
    }

    @Test
    void runsAsAProgramAndPrintsItsCountsAsJsonWhenInputEnds() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LossyUdpRelay.class.getName(),
                "0", "127.0.0.1:" + echoAddress().getPort(), "0", "0", "7").start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            String banner = err.readLine();
            Matcher m = Pattern.compile(":(\\d+) -> ").matcher(banner);
            assertThat(m.find()).as("banner names the bound port: %s", banner).isTrue();
            InetSocketAddress relay = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(m.group(1)));
            assertThat(roundTrip(relay, 10, 100)).hasSize(10);
            p.getOutputStream().close();
            String json = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(json).isEqualTo("{\"toTarget\":{\"forwarded\":10,\"dropped\":0,\"overflowed\":0},"
                    + "\"toClient\":{\"forwarded\":10,\"dropped\":0,\"overflowed\":0}}");
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }
}
