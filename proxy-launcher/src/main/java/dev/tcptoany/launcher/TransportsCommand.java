package dev.tcptoany.launcher;

import dev.tcptoany.core.PluginEntry;
import dev.tcptoany.core.TransportRegistry;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code transports}: one line per discovered transport: name, abilities, origin. */
@Command(name = "transports", mixinStandardHelpOptions = true,
        description = "List the transports found (class path and plugins directory).")
final class TransportsCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global = new GlobalOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        global.applyLogLevel();
        TransportRegistry registry = TransportRegistry.discover(TransportsCommand.class.getClassLoader(),
                global.pluginsDir(false));
        PrintWriter out = spec.commandLine().getOut();
        for (PluginEntry e : registry.all()) {
            String abilities = (e.provider().listenerFactory().isPresent() ? "listen" : "")
                    + (e.provider().listenerFactory().isPresent() && e.provider().dialerFactory().isPresent() ? "+" : "")
                    + (e.provider().dialerFactory().isPresent() ? "dial" : "");
            out.printf("%-8s %-11s %s%s%n", e.name(), abilities, e.origin(),
                    e.provider().description().isEmpty() ? "" : "  (" + e.provider().description() + ")");
        }
        out.flush();
        return ExitCodes.OK;
    }
}
