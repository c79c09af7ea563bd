package dev.tcptoany.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigException;
import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code check} says about {@code address = dynamic} and its policy keys. */
class DynamicDialCheckTest {

    private static List<ConfigException> check(String dial) {
        return Proxy.check(ConfigLoader.parseString("proxy.routes.exit {\n"
                + "  listen { transport = tcp, address = \"127.0.0.1:0\" }\n"
                + "  dial { transport = tcp, " + dial + " }\n}\n", "exit.conf"), Optional.empty());
    }

    @Test
    void aDynamicDialWithAnAllowListPasses() {
        assertThat(check("address = dynamic, allow = [\"*.internal.example:443\", \"10.0.0.0/8:22,443\", \"[2001:db8::/32]:443\"],"
                + " deny = [\"10.9.0.0/16\"]")).isEmpty();
    }

    @Test
    void aDynamicDialWithoutAllowFailsNamingFileLineAndKey() {
        assertThat(check("address = dynamic")).singleElement().satisfies(e -> assertThat(e.getMessage())
                .contains("exit.conf: 3").contains("address").contains("needs allow"));
    }

    @Test
    void aBadAllowEntryIsReportedWithItsReason() {
        assertThat(check("address = dynamic, allow = [\"10.0.0.1/8\"]")).singleElement().satisfies(e ->
                assertThat(e.getMessage()).contains("exit.conf: 3").contains("allow").contains("10.0.0.0/8"));
    }

    @Test
    void allowOnAFixedAddressIsAMistake() {
        assertThat(check("address = \"127.0.0.1:80\", allow = [\"any\"]")).singleElement().satisfies(e ->
                assertThat(e.getMessage()).contains("allow").contains("only apply to address = dynamic"));
    }
}
