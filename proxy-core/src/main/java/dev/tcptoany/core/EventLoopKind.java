package dev.tcptoany.core;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code proxy.event-loop.kind}: which Netty transport carries every socket of the process.
 * {@code auto} is epoll where its native library loads (Linux) and NIO elsewhere; io_uring is
 * offered but not the default until it measures better than epoll (see the README's figures).
 */
public enum EventLoopKind {
    AUTO("auto"),
    EPOLL("epoll"),
    IO_URING("io_uring"),
    NIO("nio");

    /** For error messages: the values {@link #parse} takes. */
    public static final String VALUES = Arrays.stream(values()).map(k -> k.text).collect(Collectors.joining(", "));

    private final String text;

    EventLoopKind(String text) {
        this.text = text;
    }

    /** The value as written in a configuration file. */
    public String text() {
        return text;
    }

    /** {@code auto}, {@code epoll}, {@code io_uring} or {@code nio}; empty for anything else. */
    public static Optional<EventLoopKind> parse(String text) {
        return Arrays.stream(values()).filter(k -> k.text.equals(text)).findFirst();
    }

    @Override
    public String toString() {
        return text;
    }
}
