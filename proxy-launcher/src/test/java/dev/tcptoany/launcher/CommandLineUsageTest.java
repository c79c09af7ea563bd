package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors are one line and a hint; -v works after the subcommand; the default config prints verbatim. */
class CommandLineUsageTest {
    @TempDir
    Path dir;


    @Test
    void anUnknownSubcommandIsOneErrorAndAHintNotTheWholeUsage() {
        CommandRun r = CommandRun.of("chek", "-c", "x.conf");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("--help' for usage").doesNotContain("Usage:");
        assertThat(r.err().lines().count()).isLessThanOrEqualTo(3);
    }

    @Test
    void verboseAfterTheSubcommandPrintsTheStackTrace() {
        CommandRun quiet = CommandRun.of("check", "-c", dir.resolve("missing.conf").toString());
        CommandRun verbose = CommandRun.of("check", "-v", "-c", dir.resolve("missing.conf").toString());
        assertThat(quiet.code()).isEqualTo(2);
        assertThat(quiet.err()).doesNotContain("\tat ");
        assertThat(verbose.code()).isEqualTo(2);
        assertThat(verbose.err()).contains("missing.conf").contains("\tat ");
    }

    @Test
    void theEmbeddedConfigurationPrintsVerbatimInHelpAndAlone() {
        CommandRun alone = CommandRun.of("default-config");
        assertThat(alone.code()).isZero();
        assertThat(alone.out().strip()).isEqualTo(DefaultConfig.text().strip());
        assertThat(ConfigFactory.parseString(alone.out()).resolve())
                .isEqualTo(ConfigFactory.parseString(DefaultConfig.text()).resolve());

        CommandRun help = CommandRun.of("--help");
        String marker = "Embedded default configuration (also: tcp-to-any-proxy default-config):";
        assertThat(help.out()).contains(marker);
        String printed = help.out().substring(help.out().indexOf(marker) + marker.length());
        StringBuilder unindented = new StringBuilder();
        printed.lines().forEach(l -> unindented.append(l.startsWith("    ") ? l.substring(4) : l).append('\n'));
        assertThat(ConfigFactory.parseString(unindented.toString()).resolve())
                .isEqualTo(ConfigFactory.parseString(DefaultConfig.text()).resolve());
    }
}
