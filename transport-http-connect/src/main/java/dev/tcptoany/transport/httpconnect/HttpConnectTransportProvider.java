package dev.tcptoany.transport.httpconnect;

import dev.tcptoany.api.ListenerFactory;
import dev.tcptoany.api.TransportProvider;
import java.util.Optional;

/** An HTTP CONNECT proxy entry point: each accepted connection names its own destination. Listen only. */
public final class HttpConnectTransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "http-connect";
    }

    @Override
    public String description() {
        return "HTTP CONNECT proxy entry point (Basic proxy authentication; 200 after the far end answered, 403/502/504 when not)";
    }

    @Override
    public Optional<ListenerFactory> listenerFactory() {
        return Optional.of(ctx -> new HttpConnectListener(ctx, HttpConnectOptions.fromConfig(ctx.config())));
    }
}
