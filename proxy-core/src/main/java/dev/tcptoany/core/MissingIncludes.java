package dev.tcptoany.core;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigParseable;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The includes of one user file that found nothing. HOCON skips a plain {@code include} of a
 * missing file without a word, so a typo in its name silently drops settings (a route's
 * {@code auth} block, say); {@code check} warns about each one. A missing
 * {@code include required(...)} is an error, and its message names the including file and line
 * (HOCON's own names only the file it looked for).
 *
 * <p>HOCON's include context does not say which file or line an include stands on, so the line is
 * found by looking for the include statement in the files this parse has read, the user's file
 * first.
 */
final class MissingIncludes implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL, ConfigIncluderClasspath {
    /** Files this parse reads, the user's first: where an include statement can stand. */
    private final Set<Path> filesRead = new LinkedHashSet<>();
    private final Set<String> warnings = new LinkedHashSet<>();
    private ConfigIncluder fallback;

    MissingIncludes(File userFile) {
        filesRead.add(userFile.toPath());
    }

    /** One line per plain include that found nothing: file, line and what to do. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    public ConfigIncluder withFallback(ConfigIncluder fallback) {
        // One includer per parse: HOCON hands it its default includer once, before parsing.
        this.fallback = fallback;
        return this;
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
        ConfigParseable target = context.relativeTo(what);
        if (target != null && target.origin() != null) {
            noteFile(target.origin().filename());
        }
        return attempt(context, "\"" + what + "\"", what, strict -> fallback.include(strict, what));
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, File what) {
        noteFile(what.getPath());
        return attempt(context, "file(\"" + what.getPath() + "\")", what.getPath(),
                strict -> ((ConfigIncluderFile) fallback).includeFile(strict, what));
    }

    @Override
    public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
        return attempt(context, "url(\"" + what + "\")", what.toString(),
                strict -> ((ConfigIncluderURL) fallback).includeURL(strict, what));
    }

    @Override
    public ConfigObject includeResources(ConfigIncludeContext context, String what) {
        return attempt(context, "classpath(\"" + what + "\")", what,
                strict -> ((ConfigIncluderClasspath) fallback).includeResources(strict, what));
    }

    /**
     * Noted before the include is parsed, so an include inside it can be located while it is
     * being parsed; a path that names no file is skipped when searched.
     */
    private void noteFile(String path) {
        if (path != null) {
            filesRead.add(Path.of(path));
        }
    }

    @FunctionalInterface
    private interface Inclusion {
        ConfigObject include(ConfigIncludeContext strictContext);
    }

    /**
     * Includes with missing files treated as errors, so a miss can be told apart from an empty
     * file; then applies the include's own rule (required: error; plain: nothing, plus a warning).
     */
    private ConfigObject attempt(ConfigIncludeContext context, String statement, String name, Inclusion inclusion) {
        boolean required = !context.parseOptions().getAllowMissing();
        try {
            return inclusion.include(context.setParseOptions(context.parseOptions().setAllowMissing(false)));
        } catch (MissingRequiredInclude locatedDeeper) {
            throw locatedDeeper; // an include inside the included file; already names its own line
        } catch (ConfigException.IO missing) {
            ConfigOrigin where = locate(name);
            if (required) {
                throw new MissingRequiredInclude(where, "include required(" + statement + "): not found ("
                        + missing.getMessage() + ")", missing);
            }
            warnings.add(where.description() + ": include " + statement + " found nothing, so it adds no settings"
                    + " (HOCON skips a missing plain include; write include required(" + statement
                    + ") to make that an error): " + missing.getMessage());
            return ConfigFactory.empty(where.description()).root();
        }
    }

    /** The first line, in the files read so far, that includes {@code name}; the user's file when none does. */
    private ConfigOrigin locate(String name) {
        Pattern statement = Pattern.compile("^\\s*include\\b.*\"" + Pattern.quote(name) + "\"");
        for (Path file : filesRead) {
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (statement.matcher(lines.get(i)).find()) {
                        return ConfigOriginFactory.newFile(file.toString()).withLineNumber(i + 1);
                    }
                }
            } catch (IOException unreadable) {
                // this parse just read it; if it is gone now, look in the next one
            }
        }
        return ConfigOriginFactory.newFile(filesRead.iterator().next().toString());
    }

    /** A required include that found nothing, located at its include statement. */
    private static final class MissingRequiredInclude extends ConfigException.IO {
        private static final long serialVersionUID = 1L;

        MissingRequiredInclude(ConfigOrigin origin, String message, Throwable cause) {
            super(origin, message, cause);
        }
    }
}
