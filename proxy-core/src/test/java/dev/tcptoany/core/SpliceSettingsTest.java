package dev.tcptoany.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code proxy.route-defaults.splice}: its default, a route's own value over the default, and a bad
 * value named with file, line and key (once for the default, not once per route).
 */
class SpliceSettingsTest {
    private static final String ROUTE = """
            proxy.routes.r { listen { transport = bind-on-cue, address = "127.0.0.1:0" }
                             dial   { transport = bind-on-cue, address = "127.0.0.1:1" } }
            """;

    private static ProxySettings read(String userFile) {
        return ProxySettings.read(ConfigLoader.effective(ConfigLoader.parseString(userFile, "node.conf"), List.of()));
    }

    @Test
    void offByDefault() {
        ProxySettings s = read(ROUTE);
        assertThat(s.problems()).isEmpty();
        assertThat(s.routes()).singleElement().extracting(RouteConfig::splice).isEqualTo(SpliceMode.OFF);
    }

    @Test
    void aRouteOverridesTheDefault() {
        ProxySettings s = read("proxy.route-defaults.splice = auto\n" + ROUTE + """
                proxy.routes.q { listen { transport = bind-on-cue, address = "127.0.0.1:0" }
                                 dial   { transport = bind-on-cue, address = "127.0.0.1:1" }
                                 splice = off }
                """);
        assertThat(s.problems()).isEmpty();
        assertThat(s.routes()).extracting(RouteConfig::name, RouteConfig::splice)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("q", SpliceMode.OFF),
                        org.assertj.core.groups.Tuple.tuple("r", SpliceMode.AUTO));
    }

    @Test
    void aBadValueNamesFileLineKeyAndTheChoices() {
        ProxySettings s = read("\nproxy.route-defaults.splice = on\n" + ROUTE);
        assertThat(s.problems()).singleElement().extracting(ConfigException::getMessage).asString()
                .isEqualTo("node.conf: 2: Invalid value at 'proxy.route-defaults.splice': 'on' is not a splice mode;"
                        + " expected auto, off");
        ProxySettings route = read(ROUTE.replace("\"127.0.0.1:1\" } }", "\"127.0.0.1:1\" }\n splice = yes }"));
        assertThat(route.problems()).singleElement().extracting(ConfigException::getMessage).asString()
                .isEqualTo("node.conf: 3: Invalid value at 'proxy.routes.r.splice': 'yes' is not a splice mode;"
                        + " expected auto, off");
    }

    @Test
    void checkKnowsTheKeyPerRoute() {
        assertThat(Proxy.check(ConfigLoader.parseString(ROUTE.replace("\"127.0.0.1:1\" } }",
                "\"127.0.0.1:1\" }\n splice = auto }"), "n.conf"), Optional.empty())).isEmpty();
    }
}
