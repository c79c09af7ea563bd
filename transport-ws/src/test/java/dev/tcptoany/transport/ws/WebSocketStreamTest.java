package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.api.ByteStream;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our dialer against our listener, driven through the ByteStream contract directly. */
@org.junit.jupiter.api.extension.ExtendWith(dev.tcptoany.testkit.LeakDetection.class)
class WebSocketStreamTest {

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "wss"})
    void bytesBothWaysAndHalfCloseEachWay(String transport) throws Exception {
        try (WsFixture f = new WsFixture(transport, "")) {
            ByteStream client = WsFixture.dial(f.dialer(""));
            ByteStream server = f.nextAccepted();
            assertThat(client.supportsHalfClose()).isTrue();
            assertThat(server.supportsHalfClose()).isTrue();
            StreamProbe c = StreamProbe.attach(client);
            StreamProbe s = StreamProbe.attach(server);

            byte[] up = random(1_000_000, 1);
            byte[] down = random(700_001, 2);
            c.write(up);
            s.write(down);
            assertThat(s.awaitBytes(up.length)).isEqualTo(up);
            assertThat(c.awaitBytes(down.length)).isEqualTo(down);

            // Client finishes first; the server still sends after that.
            c.shutdownOutput();
            s.inputShutdown.get(5, TimeUnit.SECONDS);
            assertThat(s.closed).isNotDone();
            byte[] late = random(100_000, 3);
            s.write(late);
            byte[] all = new byte[down.length + late.length];
            System.arraycopy(down, 0, all, 0, down.length);
            System.arraycopy(late, 0, all, down.length, late.length);
            assertThat(c.awaitBytes(all.length)).isEqualTo(all);
            assertThat(c.inputShutdown).isNotDone();

            s.shutdownOutput();
            c.inputShutdown.get(5, TimeUnit.SECONDS);
            // Both sides finished: Close 1000 ends the connection on both ends.
            c.closed.get(5, TimeUnit.SECONDS);
            s.closed.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void serverHalfClosesFirst() throws Exception {
        try (WsFixture f = new WsFixture("ws", "")) {
            StreamProbe c = StreamProbe.attach(WsFixture.dial(f.dialer("")));
            StreamProbe s = StreamProbe.attach(f.nextAccepted());
            s.write("hello".getBytes());
            s.shutdownOutput();
            c.inputShutdown.get(5, TimeUnit.SECONDS);
            assertThat(c.received()).isEqualTo("hello".getBytes());
            c.write("world".getBytes());
            assertThat(s.awaitBytes(5)).isEqualTo("world".getBytes());
            c.shutdownOutput();
            s.inputShutdown.get(5, TimeUnit.SECONDS);
            c.closed.get(5, TimeUnit.SECONDS);
            s.closed.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void abortFromDialerSideReachesListenerSideAsAbort() throws Exception {
        try (WsFixture f = new WsFixture("ws", "")) {
            StreamProbe c = StreamProbe.attach(WsFixture.dial(f.dialer("")));
            StreamProbe s = StreamProbe.attach(f.nextAccepted());
            c.write("partial".getBytes());
            assertThat(s.awaitBytes(7)).hasSize(7);
            c.abort("upstream reset");
            s.closed.get(5, TimeUnit.SECONDS);
            assertThat(s.inputShutdown).as("an abort is never a clean end").isNotDone();
            c.closed.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void abortFromListenerSideReachesDialerSideAsAbort() throws Exception {
        try (WsFixture f = new WsFixture("ws", "")) {
            StreamProbe c = StreamProbe.attach(WsFixture.dial(f.dialer("")));
            StreamProbe s = StreamProbe.attach(f.nextAccepted());
            // Even after the client's clean half-close, an abort stays an abort.
            c.shutdownOutput();
            s.inputShutdown.get(5, TimeUnit.SECONDS);
            s.abort("connection refused by 127.0.0.1:5201");
            c.closed.get(5, TimeUnit.SECONDS);
            assertThat(c.inputShutdown).isNotDone();
        }
    }

    @Test
    void plainPeerWithoutSubprotocolGetsFullCloseAfterFlush() throws Exception {
        try (WsFixture f = new WsFixture("ws", "")) {
            ByteStream client = WsFixture.dial(f.dialer("subprotocol = \"\""));
            ByteStream server = f.nextAccepted();
            assertThat(client.supportsHalfClose()).isFalse();
            assertThat(server.supportsHalfClose()).isFalse();
            StreamProbe c = StreamProbe.attach(client);
            StreamProbe s = StreamProbe.attach(server);
            byte[] data = random(300_000, 4);
            c.write(data);
            c.shutdownOutput();
            // Everything written before the end arrives, then a clean end, then the close.
            s.inputShutdown.get(5, TimeUnit.SECONDS);
            assertThat(s.received()).isEqualTo(data);
            s.closed.get(5, TimeUnit.SECONDS);
            c.closed.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void listenerWithoutSubprotocolServesOurDialerPlain() throws Exception {
        try (WsFixture f = new WsFixture("ws", "subprotocol = \"\"")) {
            ByteStream client = WsFixture.dial(f.dialer(""));
            assertThat(client.supportsHalfClose()).isFalse();
            StreamProbe c = StreamProbe.attach(client);
            StreamProbe s = StreamProbe.echo(f.nextAccepted());
            c.write("ping".getBytes());
            assertThat(c.awaitBytes(4)).isEqualTo("ping".getBytes());
            assertThat(s.received()).isEqualTo("ping".getBytes());
        }
    }

    @Test
    void dataSentByTheServerRightAfterTheUpgradeIsNotLost() throws Exception {
        // A server that speaks first (SMTP, MySQL): its bytes can share a TCP segment with the 101.
        byte[] greeting = random(200_000, 5);
        try (WsFixture f = new WsFixture("ws", "", stream -> stream.channel().writeAndFlush(
                io.netty.buffer.Unpooled.wrappedBuffer(greeting)))) {
            for (int i = 0; i < 20; i++) {
                ByteStream client = WsFixture.dial(f.dialer(""));
                // The host may attach later than the data arrives.
                Thread.sleep(i % 3 == 0 ? 20 : 0);
                StreamProbe c = StreamProbe.attach(client);
                assertThat(c.awaitBytes(greeting.length)).isEqualTo(greeting);
                client.channel().close();
            }
        }
    }

    @Test
    void largeWritesAreCutIntoBoundedFrames() throws Exception {
        // The listener refuses frames over 70k; the dialer cuts at 64k, so 1 MB passes.
        try (WsFixture f = new WsFixture("ws", "max-frame-size = 70k")) {
            StreamProbe c = StreamProbe.attach(WsFixture.dial(f.dialer("frame-size = 64k")));
            StreamProbe s = StreamProbe.attach(f.nextAccepted());
            byte[] data = random(1_000_000, 6);
            c.write(data);
            assertThat(s.awaitBytes(data.length)).isEqualTo(data);
            assertThat(s.closed).isNotDone();
        }
    }

    @Test
    void oversizedFrameIsRefused() throws Exception {
        try (WsFixture f = new WsFixture("ws", "max-frame-size = 1k")) {
            StreamProbe c = StreamProbe.attach(WsFixture.dial(f.dialer("frame-size = 4k")));
            StreamProbe s = StreamProbe.attach(f.nextAccepted());
            c.write(random(4000, 7));
            s.closed.get(5, TimeUnit.SECONDS);
            c.closed.get(5, TimeUnit.SECONDS);
            assertThat(s.inputShutdown).isNotDone();
            assertThat(c.inputShutdown).isNotDone();
        }
    }

    @Test
    void compressionNegotiatedWhenBothEnable() throws Exception {
        try (WsFixture f = new WsFixture("ws", "compression = true")) {
            ByteStream client = WsFixture.dial(f.dialer("compression = true"));
            ByteStream server = f.nextAccepted();
            assertThat(client.channel().pipeline().names()).anyMatch(n -> n.contains("PerMessageDeflate"));
            assertThat(server.channel().pipeline().names()).anyMatch(n -> n.contains("PerMessageDeflate"));
            StreamProbe c = StreamProbe.attach(client);
            StreamProbe s = StreamProbe.attach(server);
            byte[] data = new byte[500_000]; // compressible
            c.write(data);
            s.write(data);
            assertThat(s.awaitBytes(data.length)).isEqualTo(data);
            assertThat(c.awaitBytes(data.length)).isEqualTo(data);
            assertThat(f.listenContext.rejected).isEmpty();
        }
    }
}
