package dev.tcptoany.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The embedded default configuration (resource {@code default.conf}), shown by --help. */
final class DefaultConfig {
    private DefaultConfig() {
    }

    static String text() {
        try (InputStream in = DefaultConfig.class.getResourceAsStream("/default.conf")) {
            if (in == null) {
                throw new IllegalStateException("default.conf missing from the launcher jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
