package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.testkit.LeakDetection;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** wss on the host's TLS engine: OpenSSL (BoringSSL) where netty-tcnative loads, and session resumption. */
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WssEngineTest {

    private static boolean linuxX86_64() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    private static SSLEngine engineOf(ByteStream stream) {
        return stream.channel().pipeline().get(SslHandler.class).engine();
    }

    @Test
    void wssRunsOnTheOpenSslEngineOnLinuxX86_64() throws Exception {
        if (linuxX86_64()) {
            // Shipped in lib/ for this platform (and linux-aarch_64, osx-x86_64, osx-aarch_64): it must load.
            assertThat(OpenSsl.isAvailable()).as("OpenSSL loads; cause if not: %s", OpenSsl.unavailabilityCause()).isTrue();
        }
        try (WsFixture f = new WsFixture("wss", "")) {
            ByteStream client = WsFixture.dial(f.dialer(""));
            ByteStream server = f.nextAccepted();
            // auto: OpenSSL wherever it loads, the JDK's engine elsewhere.
            Class<?> expected = OpenSsl.isAvailable() ? ReferenceCountedOpenSslEngine.class : SSLEngine.class;
            assertThat(engineOf(client)).isInstanceOf(expected);
            assertThat(engineOf(server)).isInstanceOf(expected);
            StreamProbe c = StreamProbe.attach(client);
            StreamProbe s = StreamProbe.echo(server);
            byte[] data = WebSocketStreamTest.random(500_000, 41);
            c.write(data);
            assertThat(c.awaitBytes(data.length)).isEqualTo(data);
            client.channel().close().sync();
            s.closed.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aReconnectingDialerResumesItsTlsSession() throws Exception {
        try (WsFixture f = new WsFixture("wss", "", StreamProbe::echo)) {
            WebSocketDialer dialer = f.dialer("");
            int before = TestTls.INSTANCE.serverCertificateChecks.get();
            for (int i = 0; i < 3; i++) {
                ByteStream client = WsFixture.dial(dialer);
                StreamProbe c = StreamProbe.attach(client);
                c.write(new byte[] {(byte) i});
                assertThat(c.awaitBytes(1)).containsExactly((byte) i);
                client.channel().close().sync();
            }
            // A full handshake verifies the server's certificate; a resumed one does not need to.
            assertThat(TestTls.INSTANCE.serverCertificateChecks.get() - before).as("full handshakes of 3 dials").isEqualTo(1);
            dialer.close();
        }
    }
}
