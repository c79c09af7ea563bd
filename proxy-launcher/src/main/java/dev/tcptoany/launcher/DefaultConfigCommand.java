package dev.tcptoany.launcher;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code default-config}: the embedded default configuration, verbatim, as a file to start from. */
@Command(name = "default-config", mixinStandardHelpOptions = true,
        description = "Print the embedded default configuration (what a bare tcp-to-any-proxy runs), as a valid file.")
final class DefaultConfigCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(DefaultConfig.text());
        if (!DefaultConfig.text().endsWith("\n")) {
            out.println();
        }
        out.flush();
        return ExitCodes.OK;
    }
}
