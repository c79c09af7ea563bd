package dev.tcptoany.launcher;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import picocli.CommandLine.Option;

/** {@code --admin ADDR}, for the commands that run routes (with a file or with the original flags). */
final class AdminOption {
    @Option(names = "--admin", paramLabel = "ADDR",
            description = "Admin endpoint (/metrics, /health, /ready, /routes): 9180 or :9180 = 127.0.0.1:9180; "
                    + "overrides proxy.admin.address.")
    String admin;

    /** The user's config with {@code proxy.admin.address} from the command line, when given. */
    Config applyTo(Config user) {
        return admin == null ? user
                : user.withValue("proxy.admin.address", ConfigValueFactory.fromAnyRef(admin, "command line --admin"));
    }
}
