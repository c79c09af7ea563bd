package dev.tcptoany.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;

/**
 * Builds configuration errors that point at the file, line and key of the offending value, e.g.
 * {@code conf/node1.conf: 12: Invalid value at 'address': port 70000 is out of range}.
 */
public final class ConfigProblems {
    private ConfigProblems() {
    }

    /** An invalid value at {@code path} in {@code config}, located at that value's origin. */
    public static ConfigException badValue(Config config, String path, String message) {
        ConfigOrigin origin = config.hasPathOrNull(path) ? config.getValue(path).origin() : config.origin();
        return new ConfigException.BadValue(origin, path, message);
    }

    /** A required setting that is absent. */
    public static ConfigException missing(Config config, String path) {
        return new ConfigException.Missing(config.origin(), path);
    }
}
