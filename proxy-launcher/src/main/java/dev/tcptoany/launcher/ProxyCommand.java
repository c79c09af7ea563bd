package dev.tcptoany.launcher;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.PluginLoadException;
import dev.tcptoany.core.ProxyConfigException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tcp-to-any-proxy}: with no subcommand, runs either the route given by the original tool's
 * flags or, without them, the embedded default configuration.
 */
@Command(name = "tcp-to-any-proxy", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {RunCommand.class, CheckCommand.class, TransportsCommand.class, FingerprintCommand.class,
            DefaultConfigCommand.class, CommandLine.HelpCommand.class},
        description = {
            "Carries TCP over QUIC or WebSocket and back.",
            "",
            "With no command and no flags it runs the embedded default configuration (below).",
            "The original tool's flags still work: -l ADDR -r ADDR -p tcp|quic|ws -u tcp|quic|ws."},
        footer = {"", "Exit codes: 0 ok, 1 runtime failure, 2 bad command line or configuration."})
public final class ProxyCommand implements Callable<Integer> {

    @Mixin
    GlobalOptions global = new GlobalOptions();

    @Mixin
    AdminOption admin = new AdminOption();

    @Option(names = {"-l", "--localAddr"}, paramLabel = "ADDR", description = "Listen address (original flag; default localhost:9999).")
    String localAddr;

    @Option(names = {"-r", "--remoteAddr"}, paramLabel = "ADDR", description = "Upstream address or URL (original flag; default 127.0.0.1:5201).")
    String remoteAddr;

    @Option(names = {"-p", "--listenProto"}, paramLabel = "PROTO", description = "Listen transport (original flag; default tcp).")
    String listenProto;

    @Option(names = {"-u", "--remoteProto"}, paramLabel = "PROTO", description = "Upstream transport (original flag; default tcp).")
    String remoteProto;

    /** The command line with our exception handling, for {@code main} and tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ProxyCommand());
        cl.setExecutionExceptionHandler(ProxyCommand::handleError);
        cl.setParameterExceptionHandler(ProxyCommand::handleUsageError);
        java.util.List<String> footer = new java.util.ArrayList<>(java.util.List.of(cl.getCommandSpec().usageMessage().footer()));
        footer.add("");
        footer.add("Embedded default configuration (also: tcp-to-any-proxy default-config):");
        int longest = 0;
        for (String line : DefaultConfig.text().split("\n")) {
            footer.add("    " + line.replace("%", "%%"));
            longest = Math.max(longest, line.length() + 4);
        }
        cl.getCommandSpec().usageMessage().footer(footer.toArray(new String[0]));
        // Wide enough that picocli never wraps a line of the configuration: a copy must parse.
        cl.setUsageHelpWidth(Math.max(80, longest + 2));
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        global.applyLogLevel();
        boolean originalFlags = localAddr != null || remoteAddr != null || listenProto != null || remoteProto != null;
        Config config;
        if (originalFlags) {
            config = OriginalFlags.toConfig(
                    localAddr == null ? "localhost:9999" : localAddr,
                    remoteAddr == null ? "127.0.0.1:5201" : remoteAddr,
                    listenProto == null ? "tcp" : listenProto,
                    remoteProto == null ? "tcp" : remoteProto);
        } else {
            config = ConfigLoader.parseString(DefaultConfig.text(), "embedded default config");
        }
        return new ProxyRunner(global).run(admin.applyTo(config));
    }

    /** A bad command line: one error line and a hint, not the whole usage. */
    static int handleUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("error: " + e.getMessage());
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            err.println("did you mean: " + String.join(", ", u.getSuggestions()) + "?");
        }
        err.println("run '" + cl.getCommandSpec().qualifiedName() + " --help' for usage");
        err.flush();
        return ExitCodes.BAD_INPUT;
    }

    static int handleError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        // -v counts wherever it stands: before the subcommand or after it.
        boolean verbose = false;
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            verbose |= p.hasMatchedOption("-v");
        }
        if (e instanceof ProxyConfigException pce) {
            for (ConfigException c : pce.problems()) {
                err.println("error: " + c.getMessage());
            }
        } else if (e instanceof ConfigException || e instanceof PluginLoadException || e instanceof UsageProblem) {
            err.println("error: " + e.getMessage());
        } else {
            err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (!verbose) {
                err.println("(run with -v for details)");
            }
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        boolean badInput = e instanceof ProxyConfigException || e instanceof ConfigException
                || e instanceof UsageProblem || e instanceof PluginLoadException;
        return badInput ? ExitCodes.BAD_INPUT : ExitCodes.RUNTIME_FAILURE;
    }
}
