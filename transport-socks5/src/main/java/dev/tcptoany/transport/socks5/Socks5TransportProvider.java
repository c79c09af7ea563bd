package dev.tcptoany.transport.socks5;

import dev.tcptoany.api.ListenerFactory;
import dev.tcptoany.api.TransportProvider;
import java.util.Optional;

/** A SOCKS5 entry point: each accepted connection names its own destination. Listen only. */
public final class Socks5TransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "socks5";
    }

    @Override
    public String description() {
        return "SOCKS5 entry point (CONNECT to IPv4, IPv6 and names; no-auth or username/password; replies after the far end answered)";
    }

    @Override
    public Optional<ListenerFactory> listenerFactory() {
        return Optional.of(ctx -> new Socks5Listener(ctx, Socks5Options.fromConfig(ctx.config())));
    }
}
