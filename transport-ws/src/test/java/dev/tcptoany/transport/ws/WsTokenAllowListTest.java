package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.CountingEchoServer;
import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.SocksEcho;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code auth.tokens} on a ws listener: {@code socks5 -> ws(forward-destination, auth.token) ->
 * tcp(dynamic)}, one entry route per token into one exit route. Over WebSocket every relayed
 * connection is its own upgrade request, which carries its own token, so each is judged by the allow
 * list of the token it carried: A reaches only X, B only Y, and a missing or unknown token gets
 * "not allowed"; counting servers prove refused connections never reached their target.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsTokenAllowListTest {
    private static final String PAYLOAD = "through the exit";
    private CountingEchoServer x;
    private CountingEchoServer y;
    private Proxy exit;
    private Proxy entry;

    @BeforeAll
    void start() throws Exception {
        x = new CountingEchoServer(InetAddress.getByName("127.0.0.1"));
        y = new CountingEchoServer(InetAddress.getByName("127.0.0.1"));
        Path dataDir = Files.createTempDirectory("tcp2any-ws-tokens");
        String common = "proxy.data-dir = \"" + dataDir + "\"\n";
        exit = Proxy.start(ConfigLoader.parseString(common + "proxy.routes.exit {\n"
                + "  listen { transport = ws, address = \"127.0.0.1:0\"\n"
                + "    auth.tokens {\n"
                + "      a { token = \"token-a\", allow = [\"127.0.0.1:" + x.port() + "\"] }\n"
                + "      b { token = \"token-b\", allow = [\"127.0.0.1:" + y.port() + "\"] }\n"
                + "    }\n"
                + "  }\n"
                + "  dial { transport = tcp, address = dynamic, allow = [\"127.0.0.0/8\"] }\n}\n", "exit.conf"));
        int wsPort = ((InetSocketAddress) exit.boundAddresses("exit").get(0)).getPort();
        StringBuilder routes = new StringBuilder(common);
        for (String[] r : new String[][] {{"a", "token-a"}, {"b", "token-b"}, {"none", ""}, {"wrong", "token-c"}}) {
            routes.append("proxy.routes.").append(r[0]).append(" {\n")
                    .append("  listen { transport = socks5, address = \"127.0.0.1:0\" }\n")
                    .append("  dial { transport = ws, url = \"ws://127.0.0.1:").append(wsPort)
                    .append("/\", forward-destination = true, auth.token = \"").append(r[1]).append("\" }\n}\n");
        }
        entry = Proxy.start(ConfigLoader.parseString(routes.toString(), "entry.conf"));
    }

    @AfterAll
    void stop() throws Exception {
        if (entry != null) {
            entry.close();
        }
        if (exit != null) {
            exit.close();
        }
        x.close();
        y.close();
    }

    private String echoVia(String route, CountingEchoServer target) {
        return SocksEcho.echo((InetSocketAddress) entry.boundAddresses(route).get(0), target.address(), PAYLOAD);
    }

    @Test
    void eachConnectionIsJudgedByTheAllowListOfItsOwnToken() throws Exception {
        int xBefore = x.accepted();
        int yBefore = y.accepted();
        assertThat(echoVia("a", x)).isEqualTo(PAYLOAD);
        assertThat(echoVia("a", y)).contains("not allowed");
        assertThat(echoVia("b", y)).isEqualTo(PAYLOAD);
        assertThat(echoVia("b", x)).contains("not allowed");
        assertThat(echoVia("a", y)).as("A to Y after B reached it").contains("not allowed");
        assertThat(x.accepted() - xBefore).as("X reached by A only").isEqualTo(1);
        assertThat(y.accepted() - yBefore).as("Y reached by B only").isEqualTo(1);
        assertThat(entry.counters("a").rejectedPeers()).containsEntry("destination-not-allowed", 2L);
    }

    @Test
    void aMissingOrUnknownTokenIsRefusedAsNotAllowedAndCounted() throws Exception {
        int xBefore = x.accepted();
        long before = exit.counters("exit").rejectedPeers().getOrDefault("ws-unauthorized", 0L);
        assertThat(echoVia("none", x)).contains("not allowed");
        assertThat(echoVia("wrong", x)).contains("not allowed");
        assertThat(x.accepted()).isEqualTo(xBefore);
        assertThat(exit.counters("exit").rejectedPeers().getOrDefault("ws-unauthorized", 0L) - before).isEqualTo(2);
    }

    @Test
    void theSharedTokenAndNamedTokensTogetherFailCheck() {
        var problems = Proxy.check(ConfigLoader.parseString("proxy.routes.exit {\n"
                + "  listen { transport = wss, address = \"127.0.0.1:0\", auth.token = s3cret\n"
                + "    auth.tokens { a { token = x } } }\n"
                + "  dial { transport = tcp, address = dynamic, allow = [any] }\n}\n", "exit.conf"), Optional.empty());
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).getMessage()).contains("exit.conf: 3").contains("proxy.routes.exit.listen.auth.tokens")
                .contains("do not go together");
    }
}
