package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.DialRequest;
import dev.tcptoany.testkit.LeakDetection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts real QUIC listeners and dialers on loopback and cleans them up; every subclass runs under
 * Netty's leak detector at PARANOID.
 */
@ExtendWith(LeakDetection.class)
abstract class QuicTestSupport {
    static TestContexts env;
    final List<QuicListener> listeners = new ArrayList<>();
    final List<QuicDialer> dialers = new ArrayList<>();
    final QuicTransportProvider provider = new QuicTransportProvider();

    @BeforeAll
    static void startLoops() {
        env = new TestContexts();
    }

    @AfterAll
    static void stopLoops() {
        env.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (QuicDialer d : dialers) {
            d.close().get(10, TimeUnit.SECONDS);
        }
        for (QuicListener l : listeners) {
            l.close().get(10, TimeUnit.SECONDS);
        }
        env.rejections.clear();
    }

    /** A started listener and the streams it accepted. */
    record Server(QuicListener listener, BlockingQueue<ByteStream> accepted, int port) {
        ByteStream next() throws InterruptedException {
            ByteStream s = accepted.poll(10, TimeUnit.SECONDS);
            if (s == null) {
                throw new AssertionError("no stream accepted within 10 s");
            }
            return s;
        }
    }

    Server listen(String extra) throws Exception {
        return listenOn(0, extra);
    }

    Server listenOn(int port, String extra) throws Exception {
        QuicListener l = (QuicListener) provider.listenerFactory().orElseThrow()
                .create(env.listen("address = \"127.0.0.1:" + port + "\"\n" + extra));
        listeners.add(l);
        BlockingQueue<ByteStream> accepted = new LinkedBlockingQueue<>();
        List<SocketAddress> bound = l.start(accepted::add).get(10, TimeUnit.SECONDS);
        return new Server(l, accepted, ((InetSocketAddress) bound.get(0)).getPort());
    }

    /** A dialer that pins the server's certificate. */
    QuicDialer dialer(Server server, String extra) throws Exception {
        return dialerTo(server.port(), "tls.pin-sha256 = [\"" + server.listener().certificateFingerprint() + "\"]\n" + extra);
    }

    QuicDialer dialerTo(int port, String extra) throws Exception {
        QuicDialer d = (QuicDialer) provider.dialerFactory().orElseThrow()
                .create(env.dial("address = \"127.0.0.1:" + port + "\"\n" + extra));
        dialers.add(d);
        return d;
    }

    static ByteStream dial(QuicDialer d) throws Exception {
        return d.dial(new DialRequest(env.group.next(), Duration.ofSeconds(10), "test")).get(15, TimeUnit.SECONDS);
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
