package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Usage errors are one line and a hint; -v works after the subcommand; the default config prints verbatim. */
class CommandLineUsageTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = ProxyCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void anUnknownSubcommandIsOneErrorAndAHintNotTheWholeUsage() {
        Result r = run("chek", "-c", "x.conf");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("--help' for usage").doesNotContain("Usage:");
        assertThat(r.err().lines().count()).isLessThanOrEqualTo(3);
    }

    @Test
    void verboseAfterTheSubcommandPrintsTheStackTrace() {
        Result quiet = run("check", "-c", dir.resolve("missing.conf").toString());
        Result verbose = run("check", "-v", "-c", dir.resolve("missing.conf").toString());
        assertThat(quiet.code()).isEqualTo(2);
        assertThat(quiet.err()).doesNotContain("\tat ");
        assertThat(verbose.code()).isEqualTo(2);
        assertThat(verbose.err()).contains("missing.conf").contains("\tat ");
    }

    @Test
    void theEmbeddedConfigurationPrintsVerbatimInHelpAndAlone() {
        Result alone = run("default-config");
        assertThat(alone.code()).isZero();
        assertThat(alone.out().strip()).isEqualTo(DefaultConfig.text().strip());
        assertThat(ConfigFactory.parseString(alone.out()).resolve())
                .isEqualTo(ConfigFactory.parseString(DefaultConfig.text()).resolve());

        Result help = run("--help");
        String marker = "Embedded default configuration (also: tcp-to-any-proxy default-config):";
        assertThat(help.out()).contains(marker);
        String printed = help.out().substring(help.out().indexOf(marker) + marker.length());
        StringBuilder unindented = new StringBuilder();
        printed.lines().forEach(l -> unindented.append(l.startsWith("    ") ? l.substring(4) : l).append('\n'));
        assertThat(ConfigFactory.parseString(unindented.toString()).resolve())
                .isEqualTo(ConfigFactory.parseString(DefaultConfig.text()).resolve());
    }
}
