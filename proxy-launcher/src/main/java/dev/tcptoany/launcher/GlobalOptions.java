package dev.tcptoany.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Options every command takes. */
final class GlobalOptions {
    @Option(names = "--plugins", paramLabel = "DIR",
            description = "Transport plugins directory (default: the distribution's plugins/, or proxy.plugins.dir).")
    Path plugins;

    @Option(names = {"-v", "--verbose"}, description = "Debug logs, and stack traces with errors.")
    boolean verbose;

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "trace, debug, info, warn or error (default: proxy.log.level, info).")
    String logLevel;

    @Option(names = "--log-format", paramLabel = "FORMAT",
            description = "text or json: one JSON object per line with structured fields (default: proxy.log.format, text).")
    String logFormat;

    /**
     * The plugins directory: --plugins, else proxy.plugins.dir from the config (handled by the
     * core when this is empty), else {@code $TCPTOANY_HOME/plugins} set by bin/tcp-to-any-proxy.
     */
    Optional<Path> pluginsDir(boolean configSetsOne) {
        if (plugins != null) {
            return Optional.of(plugins);
        }
        if (configSetsOne) {
            return Optional.empty();
        }
        String home = System.getProperty("tcptoany.home");
        return home == null ? Optional.empty() : Optional.of(Path.of(home, "plugins"));
    }

    void applyLogLevel() {
        LogSetup.applyCommandLine(logLevel, logFormat);
        if (verbose) {
            ((Logger) LoggerFactory.getLogger("dev.tcptoany")).setLevel(Level.DEBUG);
        }
    }

    /** The user's {@code proxy.log} keys, for what the command line left unset. */
    void applyLogConfig(com.typesafe.config.Config user) {
        LogSetup.applyConfig(user, logLevel != null || verbose, logFormat != null);
    }
}
