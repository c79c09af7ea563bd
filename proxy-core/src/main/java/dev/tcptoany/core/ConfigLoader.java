package dev.tcptoany.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.File;
import java.util.List;

/**
 * Builds the effective configuration: system properties over the user's file over every
 * {@code reference.conf} (the host's and each plugin's, read through its own class loader).
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** Parses a user file; a missing file or a syntax error throws with file and line. */
    public static Config parseFile(File file) {
        return readFile(file).config();
    }

    /**
     * A user file as parsed, with what parsing it found suspicious but HOCON allows: plain
     * includes that found nothing (each a line naming file, line and include).
     */
    public record UserFile(Config config, List<String> warnings) {
    }

    /**
     * Parses a user file, noting plain includes of missing files; a missing file, a missing
     * {@code include required(...)} (named by the including file and line) or a syntax error throws.
     */
    public static UserFile readFile(File file) {
        MissingIncludes includes = new MissingIncludes(file);
        Config config = ConfigFactory.parseFile(file,
                ConfigParseOptions.defaults().setAllowMissing(false).setIncluder(includes));
        return new UserFile(config, includes.warnings());
    }

    /** Parses text (an embedded config); {@code description} names it in error messages. */
    public static Config parseString(String text, String description) {
        return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(description));
    }

    /**
     * Every reference.conf alone, merged and resolved as in {@link #effective}: the keys each module
     * declares, for {@link UnknownKeys}.
     */
    public static Config reference(List<ClassLoader> loaders) {
        return effective(ConfigFactory.empty(), loaders);
    }

    /** Merges and resolves. */
    public static Config effective(Config user, List<ClassLoader> loaders) {
        Config merged = ConfigFactory.systemProperties().withFallback(user);
        for (ClassLoader loader : loaders) {
            merged = merged.withFallback(ConfigFactory.parseResourcesAnySyntax(loader, "reference"));
        }
        return merged.withFallback(ConfigFactory.parseResourcesAnySyntax(ConfigLoader.class.getClassLoader(), "reference"))
                .resolve();
    }
}
