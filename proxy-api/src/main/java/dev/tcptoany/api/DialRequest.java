package dev.tcptoany.api;

import dev.tcptoany.api.policy.AuthenticatedClient;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One call to {@link Dialer#dial}.
 *
 * @param eventLoop      the loop of the accepted stream that needs a peer: dial on it if you can
 * @param connectTimeout the route's deadline for the whole dial (TCP connect, TLS, handshakes)
 * @param description    who asked, for log lines: route name and client address
 * @param destination    the target the client asked for ({@link ByteStream#requestedDestination()}),
 *                       empty when the entry point names none. A dialer with a fixed target ignores
 *                       it; a dynamic one judges and dials it; a forwarding one carries it to the exit
 * @param client         the client the listener recognised ({@link ByteStream#authenticatedClient()});
 *                       a dynamic dialer judges the destination with its allow list
 */
public record DialRequest(EventLoop eventLoop, Duration connectTimeout, String description,
                          Optional<Destination> destination, Optional<AuthenticatedClient> client) {
    public DialRequest {
        Objects.requireNonNull(eventLoop, "eventLoop");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(client, "client");
    }

    /** A request naming no recognised client. */
    public DialRequest(EventLoop eventLoop, Duration connectTimeout, String description,
                       Optional<Destination> destination) {
        this(eventLoop, connectTimeout, description, destination, Optional.empty());
    }

    /** A request without a destination, as before destinations existed. */
    public DialRequest(EventLoop eventLoop, Duration connectTimeout, String description) {
        this(eventLoop, connectTimeout, description, Optional.empty(), Optional.empty());
    }
}
