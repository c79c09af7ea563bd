package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.tcptoany.core.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** --admin with a file and with the original flags, and the keys check accepts. */
class AdminOptionTest {
    @TempDir
    Path dir;

    @Test
    void adminGoesWithTheOriginalFlagsAndOverridesTheFile() {
        CommandLine cl = ProxyCommand.commandLine();
        cl.parseArgs("-l", "127.0.0.1:4201", "-r", "127.0.0.1:4202", "--admin", "9180");
        ProxyCommand cmd = cl.getCommand();
        assertThat(cmd.localAddr).isEqualTo("127.0.0.1:4201");
        Config user = ConfigLoader.parseString("proxy.admin.address = \"127.0.0.1:1\"", "node.conf");
        Config applied = cmd.admin.applyTo(user);
        assertThat(applied.getString("proxy.admin.address")).isEqualTo("9180");
        assertThat(applied.getValue("proxy.admin.address").origin().description()).contains("command line --admin");
    }

    @Test
    void runTakesAdminToo() {
        CommandLine cl = ProxyCommand.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs("run", "-c", "x.conf", "--admin", ":9180", "--log-format", "json");
        RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(run.admin.admin).isEqualTo(":9180");
        assertThat(run.global.logFormat).isEqualTo("json");
    }

    @Test
    void checkAcceptsTheAdminAndLogKeys() throws IOException {
        Files.createDirectories(dir.resolve("none"));
        Path conf = dir.resolve("node.conf");
        Files.writeString(conf, """
                proxy.admin { address = "9180", allow-remote = false }
                proxy.log { level = debug, format = json, access = false }
                proxy.routes.a { listen { transport = tcp, address = "127.0.0.1:0" }
                                 dial   { transport = tcp, address = "127.0.0.1:5201" } }
                """);
        CommandRun r = CommandRun.of("check", "-c", conf.toString(), "--plugins", dir.resolve("none").toString());
        assertThat(r.code()).as(r.err()).isZero();
    }
}
