package dev.tcptoany.launcher;

import com.typesafe.config.Config;
import dev.tcptoany.core.ConfigLoader;
import java.io.File;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code run -c FILE}: runs every route of a HOCON file. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run every route of a configuration file.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global = new GlobalOptions();

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "HOCON configuration (default: the embedded one).")
    File config;

    @Override
    public Integer call() throws Exception {
        global.applyLogLevel();
        Config user = config == null ? ConfigLoader.parseString(DefaultConfig.text(), "embedded default config")
                : ConfigLoader.parseFile(config);
        return new ProxyRunner(global).run(user);
    }
}
