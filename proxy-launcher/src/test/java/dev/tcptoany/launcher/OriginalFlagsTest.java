package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.TestServer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The original tool's -l -r -p -u flags become one route; every pair works, tcp->tcp included. */
@ExtendWith(LeakDetection.class)
class OriginalFlagsTest {
    @TempDir
    Path dir;

    @Test
    void tcpToTcpRelaysLikeTheOriginalCommand() throws Exception {
        try (TestServer server = new TestServer()) {
            Config flags = OriginalFlags.toConfig("127.0.0.1:0", "127.0.0.1:" + server.port(), "tcp", "tcp")
                    .withFallback(com.typesafe.config.ConfigFactory.parseString("proxy.data-dir = \"" + dir + "\""));
            try (Proxy proxy = Proxy.start(flags)) {
                InetSocketAddress entry = (InetSocketAddress) proxy.boundAddresses("cli").get(0);
                try (Socket s = new Socket(entry.getAddress(), entry.getPort())) {
                    s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    assertThat(s.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
                }
            }
        }
    }

    @Test
    void wsUrlsMapLikeTheOriginalAndHttpsSelectsWss() {
        Config ws = OriginalFlags.toConfig("127.0.0.1:4201", "http://127.0.0.1:4202", "tcp", "ws");
        assertThat(ws.getString("proxy.routes.cli.dial.transport")).isEqualTo("ws");
        assertThat(ws.getString("proxy.routes.cli.dial.url")).isEqualTo("http://127.0.0.1:4202");
        Config wss = OriginalFlags.toConfig("127.0.0.1:4201", "https://example.org/t", "tcp", "ws");
        assertThat(wss.getString("proxy.routes.cli.dial.transport")).isEqualTo("wss");
        Config bare = OriginalFlags.toConfig("127.0.0.1:4201", "127.0.0.1:4202", "tcp", "ws");
        assertThat(bare.getString("proxy.routes.cli.dial.url")).isEqualTo("ws://127.0.0.1:4202");
    }

    @Test
    void quicDialFromFlagsIsInsecureAsTheOriginalWas() {
        Config q = OriginalFlags.toConfig("127.0.0.1:4201", "127.0.0.1:4202", "tcp", "quic");
        assertThat(q.getBoolean("proxy.routes.cli.dial.tls.insecure")).isTrue();
        assertThat(q.getString("proxy.routes.cli.dial.address")).isEqualTo("127.0.0.1:4202");
    }

    @Test
    void aUrlWithANonWebSocketUpstreamSaysTheSchemeOnlyGoesWithWs() {
        CommandRun r = CommandRun.of("-u", "tcp", "-r", "http://127.0.0.1:47102", "-l", "127.0.0.1:0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("-r http://127.0.0.1:47102: a URL scheme (http://) only goes with -u ws or -u wss")
                .contains("-r 127.0.0.1:47102").doesNotContain("bracket");
    }
}
