package dev.tcptoany.transport.ws;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.tcptoany.api.ConfigProblems;
import java.time.Duration;

/** Reads typed settings with range checks whose errors name the file, line and key. */
final class ConfigValues {
    private ConfigValues() {
    }

    static Duration duration(Config c, String path, boolean zeroAllowed) {
        Duration d;
        try {
            d = c.getDuration(path);
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw ConfigProblems.badValue(c, path, "expected a duration such as 10s or 500ms");
        }
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw ConfigProblems.badValue(c, path, zeroAllowed ? "must not be negative" : "must be positive");
        }
        return d;
    }

    static int size(Config c, String path, long min, long max) {
        long bytes;
        try {
            bytes = c.getBytes(path);
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw ConfigProblems.badValue(c, path, "expected a size such as 64k or 1m");
        }
        if (bytes < min || bytes > max) {
            throw ConfigProblems.badValue(c, path, "must be between " + min + " and " + max + " bytes, is " + bytes);
        }
        return (int) bytes;
    }

    static int integer(Config c, String path, int min, int max) {
        int n;
        try {
            n = c.getInt(path);
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw ConfigProblems.badValue(c, path, "expected a whole number");
        }
        if (n < min || n > max) {
            throw ConfigProblems.badValue(c, path, "must be between " + min + " and " + max + ", is " + n);
        }
        return n;
    }

    static String string(Config c, String path) {
        try {
            return c.getString(path).trim();
        } catch (ConfigException.WrongType e) {
            throw ConfigProblems.badValue(c, path, "expected a string");
        }
    }

    static boolean bool(Config c, String path) {
        try {
            return c.getBoolean(path);
        } catch (ConfigException.WrongType e) {
            throw ConfigProblems.badValue(c, path, "expected true or false");
        }
    }
}
