package dev.tcptoany.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keys no reference.conf declares are errors with file, line, full key and the nearest declared key. */
class UnknownKeysTest {
    /** The host's reference.conf plus a transport that declares nested (tls, auth) and free-form (headers) blocks. */
    private static final Config REFERENCE = ConfigFactory.parseString("""
            proxy.transports.demo {
              listen { address = null, nodelay = true, auth { token = "", header = "Authorization" },
                       tls { cert = null, key = null, ca = null, client-auth = null } }
              dial { address = null, headers {} }
            }
            """).withFallback(ConfigLoader.reference(List.of()));

    private static List<String> problems(String userFile) {
        Config user = ConfigFactory.parseString(userFile, ConfigParseOptions.defaults().setOriginDescription("node.conf"));
        return UnknownKeys.check(user, REFERENCE).stream().map(ConfigException::getMessage).toList();
    }

    @Test
    void aValidFileHasNoProblems() {
        assertThat(problems("""
                proxy.shutdown-grace = 5s
                proxy.event-loop.threads = 2
                proxy.transports.demo.listen.nodelay = false
                proxy.routes.r {
                  idle-timeout = 10m
                  listen { transport = demo, address = ":1", auth { token = "t" }, tls { cert = "c", key = "k" } }
                  dial { transport = demo, address = "h:2", headers { X-Anything = "free-form" } }
                }
                proxy.routes.other { listen { transport = not-installed, whatever = 1 }, dial { transport = demo, address = "h:2" } }
                """)).isEmpty();
    }

    @Test
    void typosEverywhereAreNamedWithLineAndSuggestion() {
        List<String> p = problems("""
                proxy.shutdwon-grace = 5s
                proxy.routes.r {
                  idle-timout = 10m
                  listen { transport = demo, address = ":1", nodelya = false,
                           auth { tokn = "secret" }, tls { cert = "c", key = "k", client-auht = require } }
                  dial { transport = demo, address = "h:2" }
                }
                proxy.transports.demo.dial.adress = "x"
                """);
        assertThat(p).containsExactlyInAnyOrder(
                "node.conf: 1: proxy.shutdwon-grace: unknown key; did you mean 'shutdown-grace'?",
                "node.conf: 3: proxy.routes.r.idle-timout: unknown key; did you mean 'idle-timeout'?",
                "node.conf: 4: proxy.routes.r.listen.nodelya: unknown key; did you mean 'nodelay'?",
                "node.conf: 5: proxy.routes.r.listen.auth.tokn: unknown key; did you mean 'token'?",
                "node.conf: 5: proxy.routes.r.listen.tls.client-auht: unknown key; did you mean 'client-auth'?",
                "node.conf: 8: proxy.transports.demo.dial.adress: unknown key; did you mean 'address'?");
    }

    @Test
    void aKeyFarFromEveryDeclaredOneListsTheKnownKeys() {
        assertThat(problems("""
                proxy.routes.r {
                  listen { transport = demo, address = ":1", tls { certificate-chain-file = "x" } }
                  dial { transport = demo, address = "h:2" }
                }
                """)).containsExactly("node.conf: 2: proxy.routes.r.listen.tls.certificate-chain-file: unknown key; "
                + "known keys here: ca, cert, client-auth, key");
    }

    @Test
    void editDistanceCountsASwapAsOneEdit() {
        assertThat(UnknownKeys.editDistance("nodelya", "nodelay")).isEqualTo(1);
        assertThat(UnknownKeys.editDistance("idle-timout", "idle-timeout")).isEqualTo(1);
        assertThat(UnknownKeys.nearest("zzz", List.of("address", "tls"))).isNull();
    }
}
