package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.typesafe.config.ConfigException;
import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.HumanDuration;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** --log-format json|text, --log-level and the proxy.log keys. */
class LogFormatTest {
    private static final String TIME_WITH_OFFSET = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}[+-]\\d\\d:\\d\\d";

    @TempDir
    Path dataDir;

    static String encode(String logger, String message, Object[] args, KeyValuePair... kvs) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger l = context.getLogger(logger);
        LoggingEvent e = new LoggingEvent(Logger.class.getName(), l, Level.INFO, message, null, args);
        for (KeyValuePair kv : kvs) {
            e.addKeyValuePair(kv);
        }
        JsonLineEncoder encoder = new JsonLineEncoder();
        encoder.setContext(context);
        encoder.start();
        return new String(encoder.encode(e), StandardCharsets.UTF_8);
    }

    @Test
    void aJsonLineCarriesTheFormattedMessageStructuredFieldsAndTheTimeWithItsOffset() {
        String line = encode("access", "route={} bytes={}", new Object[] {"r1", 5},
                new KeyValuePair("route", "r1"), new KeyValuePair("bytes_to_upstream", 5L),
                new KeyValuePair("duration", "1.5s"));
        assertThat(line).endsWith("}\n").doesNotContain("{}")
                .contains("\"level\":\"INFO\",\"logger\":\"access\"")
                .contains("\"message\":\"route=r1 bytes=5\"")
                .contains("\"route\":\"r1\",\"bytes_to_upstream\":5,\"duration\":\"1.5s\"");
        assertThat(line).containsPattern("\"time\":\"" + TIME_WITH_OFFSET + "\"");
    }

    @Test
    void aRouteLineWithoutFieldsStillGetsItsRouteField() {
        String line = encode("dev.tcptoany.core.Relay", "route {}: closing {}: idle for {}",
                new Object[] {"web-1", "tcp /127.0.0.1:5555", "1h"});
        assertThat(line).contains("\"message\":\"route web-1: closing tcp /127.0.0.1:5555: idle for 1h\"")
                .contains("\"route\":\"web-1\"");
    }

    @Test
    void withJsonFormatTheAccessLogWritesOneJsonObjectPerConnection() throws Exception {
        // The console appender of the test class path's logback configuration writes through System.out.
        Logger access = (Logger) LoggerFactory.getLogger("access");
        Level accessLevel = access.getLevel();
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (TestServer upstream = new TestServer()) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            LogSetup.applyConfig(ConfigLoader.parseString("proxy.log.access = true", "t"), false, false);
            LogSetup.applyCommandLine(null, "json");
            try (Proxy proxy = Proxy.start(ConfigLoader.parseString("""
                    proxy.data-dir = "%s"
                    proxy.routes.echo { listen { transport = tcp, address = "127.0.0.1:0" }
                                        dial   { transport = tcp, address = "127.0.0.1:%d" } }
                    """.formatted(dataDir, upstream.port()), "json.conf"))) {
                InetSocketAddress entry = (InetSocketAddress) proxy.boundAddresses("echo").get(0);
                assertThat(AdminEndpointTest.exchange(entry)).isEqualTo(AdminEndpointTest.TO_UPSTREAM);
                AdminEndpointTest.awaitClosed(proxy, "echo", 1);
            }
        } finally {
            System.setOut(stdout);
            LogSetup.applyCommandLine(null, "text");
            access.setLevel(accessLevel);
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(Arrays.stream(lines).filter(l -> l.contains("\"logger\":\"access\""))).singleElement()
                .satisfies(l -> assertThat(l).startsWith("{\"time\":\"")
                        .contains("\"route\":\"echo\"", "\"listen_transport\":\"tcp\"", "\"dial_transport\":\"tcp\"",
                                "\"bytes_to_upstream\":" + AdminEndpointTest.TO_UPSTREAM,
                                "\"bytes_to_client\":" + AdminEndpointTest.TO_UPSTREAM, "\"end\":\"fin\"",
                                "\"first_end\":\"client\"")
                        .containsPattern("\"client\":\"127\\.0\\.0\\.1:\\d+\"")
                        .containsPattern("\"duration\":\"[0-9.]+(us|ms|s)\""));
    }

    @Test
    void badValuesAreAUsageErrorOrAConfigProblemNamingFileLineAndKey() {
        assertThatThrownBy(() -> LogSetup.applyCommandLine("loud", null)).isInstanceOf(UsageProblem.class)
                .hasMessageContaining("--log-level loud: expected one of trace, debug, info, warn, error");
        assertThatThrownBy(() -> LogSetup.applyCommandLine(null, "xml")).isInstanceOf(UsageProblem.class)
                .hasMessageContaining("--log-format xml: expected text or json");
        assertThatThrownBy(() -> LogSetup.applyConfig(ConfigLoader.parseString("\nproxy.log.format = yaml", "node.conf"),
                false, false)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("node.conf: 2: Invalid value at 'proxy.log.format': expected text or json");
    }

    @Test
    void logLevelSetsTheProxysLoggers() {
        Logger proxyLogger = (Logger) LoggerFactory.getLogger("dev.tcptoany");
        Level before = proxyLogger.getLevel();
        try {
            LogSetup.applyCommandLine("warn", null);
            assertThat(proxyLogger.getLevel()).isEqualTo(Level.WARN);
            // The command line wins over the file.
            LogSetup.applyConfig(ConfigLoader.parseString("proxy.log.level = debug", "n"), true, false);
            assertThat(proxyLogger.getLevel()).isEqualTo(Level.WARN);
            LogSetup.applyConfig(ConfigLoader.parseString("proxy.log.level = debug", "n"), false, false);
            assertThat(proxyLogger.getLevel()).isEqualTo(Level.DEBUG);
        } finally {
            proxyLogger.setLevel(before);
        }
    }

    @Test
    void durationsAreWrittenAsInTheConfig() {
        assertThat(HumanDuration.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(HumanDuration.format(Duration.ofHours(1))).isEqualTo("1h");
        assertThat(HumanDuration.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(HumanDuration.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(HumanDuration.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(HumanDuration.format(Duration.ofNanos(12_345))).isEqualTo("12.345us");
        assertThat(HumanDuration.format(Duration.ZERO)).isEqualTo("0s");
    }
}
