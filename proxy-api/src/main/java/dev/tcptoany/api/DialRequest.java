package dev.tcptoany.api;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Objects;

/**
 * One call to {@link Dialer#dial}.
 *
 * @param eventLoop      the loop of the accepted stream that needs a peer: dial on it if you can
 * @param connectTimeout the route's deadline for the whole dial (TCP connect, TLS, handshakes)
 * @param description    who asked, for log lines: route name and client address
 */
public record DialRequest(EventLoop eventLoop, Duration connectTimeout, String description) {
    public DialRequest {
        Objects.requireNonNull(eventLoop, "eventLoop");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(description, "description");
    }
}
