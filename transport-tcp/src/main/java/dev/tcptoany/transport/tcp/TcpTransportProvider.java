package dev.tcptoany.transport.tcp;

import dev.tcptoany.api.DialerFactory;
import dev.tcptoany.api.HostPort;
import dev.tcptoany.api.ListenerFactory;
import dev.tcptoany.api.SocketListener;
import dev.tcptoany.api.TransportProvider;
import java.util.Optional;

/** Plain TCP: listen on and dial host:port, with half-close and resets carried as such. */
public final class TcpTransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public String description() {
        return "plain TCP (half-close, resets, IPv4/IPv6, host names bind every address)";
    }

    @Override
    public Optional<ListenerFactory> listenerFactory() {
        return Optional.of(ctx -> {
            TcpSocketOptions options = TcpSocketOptions.fromConfig(ctx.config());
            return new SocketListener(ctx, HostPort.fromConfig(ctx.config(), "address"), "tcp", options::applyTo,
                    HandOverWhenActive::new);
        });
    }

    @Override
    public Optional<DialerFactory> dialerFactory() {
        return Optional.of(ctx -> {
            TcpConnector connector = new TcpConnector(ctx, TcpSocketOptions.fromConfig(ctx.config()));
            boolean dynamic = ctx.config().hasPath("address") && ctx.config().getValue("address").unwrapped().equals("dynamic");
            return dynamic ? new DynamicTcpDialer(ctx, connector) : new TcpDialer(ctx, connector);
        });
    }
}
