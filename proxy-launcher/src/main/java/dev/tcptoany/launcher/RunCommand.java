package dev.tcptoany.launcher;

import com.typesafe.config.Config;
import dev.tcptoany.core.ConfigLoader;
import java.io.File;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** {@code run -c FILE}: runs every route of a HOCON file. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run every route of a configuration file.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    GlobalOptions global = new GlobalOptions();

    @Mixin
    AdminOption admin = new AdminOption();

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "HOCON configuration (default: the embedded one).")
    File config;

    @Override
    public Integer call() throws Exception {
        global.applyLogLevel();
        return new ProxyRunner(global).run(read(), this::read);
    }

    /** The file (again, on SIGHUP), with --admin applied. */
    private Config read() {
        Config user;
        if (config == null) {
            user = ConfigLoader.parseString(DefaultConfig.text(), "embedded default config");
        } else {
            ConfigLoader.UserFile file = ConfigLoader.readFile(config);
            file.warnings().forEach(log::warn);
            user = file.config();
        }
        return admin.applyTo(user);
    }
}
