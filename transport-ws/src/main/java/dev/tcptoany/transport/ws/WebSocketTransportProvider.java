package dev.tcptoany.transport.ws;

import dev.tcptoany.api.DialerFactory;
import dev.tcptoany.api.ListenerFactory;
import dev.tcptoany.api.TransportProvider;
import java.util.Optional;

/**
 * The two WebSocket transports: {@code ws} (plain) and {@code wss} (inside TLS, with the shared
 * {@code tls { }} block). Registered through {@link Ws} and {@link Wss}, since
 * {@link java.util.ServiceLoader} needs a no-argument constructor per provider.
 */
public abstract class WebSocketTransportProvider implements TransportProvider {
    private final boolean tls;

    WebSocketTransportProvider(boolean tls) {
        this.tls = tls;
    }

    @Override
    public String name() {
        return tls ? "wss" : "ws";
    }

    @Override
    public String description() {
        return tls ? "TCP over WebSocket in TLS (binary messages; half-close with subprotocol " + Subprotocol.NAME + ")"
                : "TCP over WebSocket (binary messages; half-close with subprotocol " + Subprotocol.NAME + ")";
    }

    @Override
    public Optional<ListenerFactory> listenerFactory() {
        return Optional.of(context -> new WebSocketListener(context, tls));
    }

    @Override
    public Optional<DialerFactory> dialerFactory() {
        return Optional.of(context -> new WebSocketDialer(context, tls, System.getenv()));
    }

    /** The {@code ws} transport. */
    public static final class Ws extends WebSocketTransportProvider {
        public Ws() {
            super(false);
        }
    }

    /** The {@code wss} transport. */
    public static final class Wss extends WebSocketTransportProvider {
        public Wss() {
            super(true);
        }
    }
}
