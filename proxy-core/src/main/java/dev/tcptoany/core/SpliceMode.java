package dev.tcptoany.core;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code splice} of a route ({@code proxy.route-defaults.splice}): whether a relay whose two ends are
 * plain TCP sockets on one epoll loop moves its bytes with splice(2) ({@link SplicedDirection})
 * instead of reading them into buffers. {@code auto} splices wherever that holds and uses buffers
 * everywhere else; {@code off} always uses buffers.
 */
public enum SpliceMode {
    AUTO("auto"),
    OFF("off");

    /** For error messages: the values {@link #parse} takes. */
    public static final String VALUES = Arrays.stream(values()).map(k -> k.text).collect(Collectors.joining(", "));

    private final String text;

    SpliceMode(String text) {
        this.text = text;
    }

    /** {@code auto} or {@code off}; empty for anything else. */
    public static Optional<SpliceMode> parse(String text) {
        return Arrays.stream(values()).filter(k -> k.text.equals(text)).findFirst();
    }

    @Override
    public String toString() {
        return text;
    }
}
