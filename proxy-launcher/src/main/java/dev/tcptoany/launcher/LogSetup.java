package dev.tcptoany.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.typesafe.config.Config;
import dev.tcptoany.api.ConfigProblems;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code --log-level}, {@code --log-format} and the {@code proxy.log} keys to Logback's
 * console appender (logback.xml in the jar sets the text defaults). The command line wins over
 * the file; a bad value is a usage error or a config problem naming file, line and key.
 */
final class LogSetup {
    /** Text lines: ISO time with its numeric offset ("+01:00", "+00:00"), so lines from two hosts sort. */
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSxxx} %-5level %logger{0} - %msg%n";
    static final Set<String> FORMATS = Set.of("text", "json");
    static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");

    private LogSetup() {
    }

    /** Applies the command line's choices; null leaves a setting as it is. */
    static void applyCommandLine(String level, String format) {
        if (level != null) {
            String l = level.toLowerCase(Locale.ROOT);
            if (!LEVELS.contains(l)) {
                throw new UsageProblem("--log-level " + level + ": expected one of trace, debug, info, warn, error");
            }
            setLevel(l);
        }
        if (format != null) {
            String f = format.toLowerCase(Locale.ROOT);
            if (!FORMATS.contains(f)) {
                throw new UsageProblem("--log-format " + format + ": expected text or json");
            }
            setFormat(f);
        }
    }

    /**
     * Applies {@code proxy.log} from the user's file for what the command line left unset.
     *
     * @throws com.typesafe.config.ConfigException naming file, line and key for a bad value
     */
    static void applyConfig(Config user, boolean levelFromCommandLine, boolean formatFromCommandLine) {
        if (!levelFromCommandLine && user.hasPath("proxy.log.level")) {
            String l = user.getString("proxy.log.level").toLowerCase(Locale.ROOT);
            if (!LEVELS.contains(l)) {
                throw ConfigProblems.badValue(user, "proxy.log.level", "expected one of trace, debug, info, warn, error");
            }
            setLevel(l);
        }
        if (!formatFromCommandLine && user.hasPath("proxy.log.format")) {
            String f = user.getString("proxy.log.format").toLowerCase(Locale.ROOT);
            if (!FORMATS.contains(f)) {
                throw ConfigProblems.badValue(user, "proxy.log.format", "expected text or json");
            }
            setFormat(f);
        }
        if (user.hasPath("proxy.log.access")) {
            boolean on = user.getBoolean("proxy.log.access");
            logger("access").setLevel(on ? Level.INFO : Level.OFF);
        }
    }

    private static void setLevel(String level) {
        logger("dev.tcptoany").setLevel(Level.toLevel(level));
    }

    private static Logger logger(String name) {
        return (Logger) LoggerFactory.getLogger(name);
    }

    /** Swaps the encoder of every console appender on the root logger (logback.xml's STDOUT). */
    private static void setFormat(String format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another backend: its own configuration decides
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
                Encoder<ILoggingEvent> encoder;
                if (format.equals("json")) {
                    encoder = new JsonLineEncoder();
                } else {
                    PatternLayoutEncoder text = new PatternLayoutEncoder();
                    text.setPattern(TEXT_PATTERN);
                    encoder = text;
                }
                encoder.setContext(context);
                encoder.start();
                console.stop();
                console.setEncoder(encoder);
                console.start();
            }
        }
    }
}
