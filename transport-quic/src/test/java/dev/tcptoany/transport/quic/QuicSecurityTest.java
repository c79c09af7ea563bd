package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.DialRequest;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Peers that must be turned away, and counted, while a good client keeps working. */
class QuicSecurityTest extends QuicTestSupport {

    /** Dials and expects failure; returns the failure. */
    private static Throwable dialFails(QuicDialer d) throws Exception {
        var f = d.dial(new DialRequest(env.group.next(), Duration.ofSeconds(5), "bad"));
        assertThat(f.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(f.isSuccess()).as("dial should fail").isFalse();
        return f.cause();
    }

    private static void assertWorks(QuicDialer good, Server server) throws Exception {
        StreamProbe c = StreamProbe.attach(dial(good), false);
        StreamProbe s = StreamProbe.attach(server.next(), true);
        byte[] data = random(64 * 1024, 9);
        c.send(data, true).get(10, TimeUnit.SECONDS);
        c.inputEnded.get(10, TimeUnit.SECONDS);
        assertThat(c.sha256()).isEqualTo(StreamProbe.sha256(data));
        assertThat(s.aborted).isNotDone();
    }

    private static void awaitRejection(String reason) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (env.rejections.stream().noneMatch(r -> r.startsWith(reason)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(env.rejections).anyMatch(r -> r.startsWith(reason));
    }

    @Test
    void pinnedFingerprintMismatchIsRejectedAndCounted() throws Exception {
        Server server = listen("");
        QuicDialer good = dialer(server, "");
        String wrongPin = TestTls.generate("someone-else").sha256Fingerprint();
        QuicDialer bad = dialerTo(server.port(), "tls.pin-sha256 = [\"" + wrongPin + "\"]");
        Throwable cause = dialFails(bad);
        assertThat(cause).hasMessageContaining("quic upstream");
        awaitRejection("quic-tls-handshake");
        assertWorks(good, server);
    }

    @Test
    void wrongAlpnIsRejectedAndCounted() throws Exception {
        Server server = listen("alpn = [\"tcp-to-any/1\"]");
        QuicDialer good = dialer(server, "");
        QuicDialer bad = dialer(server, "alpn = [\"proto\"]");
        dialFails(bad);
        awaitRejection("quic-tls-handshake");
        assertWorks(good, server);
    }

    @Test
    void unknownCaIsRejected(@TempDir Path dir) throws Exception {
        Server server = listen("");
        QuicDialer good = dialer(server, "");
        Path ca = dir.resolve("other-ca.pem");
        var other = TestTls.generate("other-ca").leaf();
        Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(other.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        QuicDialer bad = dialerTo(server.port(), "tls.ca = \"" + ca + "\"\ntls.server-name = localhost");
        dialFails(bad);
        awaitRejection("quic-tls-handshake");
        assertWorks(good, server);
    }

    @Test
    void garbageDatagramsAreDroppedAndCounted() throws Exception {
        Server server = listen("");
        QuicDialer good = dialer(server, "");
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] junk = new byte[100];
            s.send(new DatagramPacket(junk, junk.length, InetAddress.getLoopbackAddress(), server.port()));
        }
        awaitRejection("quic-garbage");
        assertWorks(good, server);
    }

    @Test
    void connectionLimitTurnsAwayTheExtraConnection() throws Exception {
        Server server = listen("max-connections = 1");
        QuicDialer good = dialer(server, "");
        assertWorks(good, server);
        QuicDialer second = dialer(server, "");
        ByteStream refused = null;
        var f = second.dial(new DialRequest(env.group.next(), Duration.ofSeconds(5), "extra"));
        f.await(10, TimeUnit.SECONDS);
        if (f.isSuccess()) {
            // The handshake may finish before the refusal arrives; the stream must die then.
            refused = f.getNow();
            StreamProbe p = StreamProbe.attach(refused, false);
            p.closed.get(10, TimeUnit.SECONDS);
            assertThat(p.inputEnded).isNotDone();
        }
        awaitRejection("quic-connection-limit");
        assertWorks(good, server);
    }

    @Test
    void retryTokensAreOnByDefaultAndConnectionsStillSucceed() throws Exception {
        Server server = listen("retry-tokens = true");
        assertWorks(dialer(server, ""), server);
        RetryTokenHandler tokens = new RetryTokenHandler();
        var out = io.netty.buffer.Unpooled.buffer();
        var dcid = io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        var addr = new java.net.InetSocketAddress("127.0.0.1", 5555);
        assertThat(tokens.writeToken(out, dcid, addr)).isTrue();
        assertThat(tokens.validateToken(out, addr)).isEqualTo(24);
        assertThat(tokens.validateToken(out, new java.net.InetSocketAddress("127.0.0.2", 5555))).isEqualTo(-1);
        assertThat(new RetryTokenHandler().validateToken(out, addr)).as("another key").isEqualTo(-1);
        out.setByte(30, out.getByte(30) ^ 1);
        assertThat(tokens.validateToken(out, addr)).as("tampered").isEqualTo(-1);
        out.release();
        dcid.release();
    }

    @Test
    void badConfigurationNamesTheKey() {
        assertThatThrownBy(() -> provider.dialerFactory().orElseThrow()
                .create(env.dial("address = \"127.0.0.1:1\"\ncongestion-control = vegas")))
                .hasMessageContaining("congestion-control");
        assertThatThrownBy(() -> provider.listenerFactory().orElseThrow()
                .create(env.listen("address = \"127.0.0.1:0\"\nalpn = [\"h3\"]")))
                .hasMessageContaining("alpn");
        assertThatThrownBy(() -> provider.dialerFactory().orElseThrow()
                .create(env.dial("address = \"127.0.0.1:1\"\nkeep-alive = 10s\nidle-timeout = 8s")))
                .hasMessageContaining("keep-alive");
    }
}
