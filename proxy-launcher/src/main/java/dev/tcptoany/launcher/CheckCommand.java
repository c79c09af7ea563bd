package dev.tcptoany.launcher;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import java.io.File;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code check -c FILE}: validates a configuration without binding anything. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a configuration: print every problem (file:line: key) and exit 2, or exit 0;"
                + " warnings (a plain include that found nothing, a deprecated key) do not change the exit code.")
final class CheckCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global = new GlobalOptions();

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true, description = "HOCON configuration to check.")
    File config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        global.applyLogLevel();
        ConfigLoader.UserFile file = ConfigLoader.readFile(config);
        Config user = file.config();
        for (String warning : file.warnings()) {
            spec.commandLine().getErr().println("warning: " + warning);
        }
        spec.commandLine().getErr().flush();
        Proxy.CheckReport report = Proxy.checkReport(user, global.pluginsDir(user.hasPath("proxy.plugins.dir")));
        List<ConfigException> problems = report.problems();
        for (String warning : report.warnings()) {
            spec.commandLine().getErr().println("warning: " + warning);
        }
        spec.commandLine().getErr().flush();
        for (String note : report.notes()) {
            spec.commandLine().getOut().println("note: " + note);
        }
        if (problems.isEmpty()) {
            spec.commandLine().getOut().println(config + ": OK");
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
        for (ConfigException p : problems) {
            spec.commandLine().getErr().println("error: " + p.getMessage());
        }
        spec.commandLine().getErr().flush();
        return ExitCodes.BAD_INPUT;
    }
}
