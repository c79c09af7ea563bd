package dev.tcptoany.examples.unix;

import dev.tcptoany.api.DialerFactory;
import dev.tcptoany.api.ListenerFactory;
import dev.tcptoany.api.TransportProvider;
import java.util.Optional;

/**
 * {@code unix}: listen on and dial Unix domain stream sockets, so a local service on a socket file
 * can be reached through any tunnel (tcp -> quic -> unix), or a tunnel exposed as a socket file
 * (unix -> ws -> tcp).
 *
 * <p>Registered in {@code META-INF/services/dev.tcptoany.api.TransportProvider}; option defaults in
 * this plugin's {@code reference.conf} under {@code proxy.transports.unix}. Stateless: the host
 * calls a factory once per route side that names {@code unix}.
 */
public final class UnixTransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "unix";
    }

    @Override
    public String description() {
        return "Unix domain sockets (Linux, epoll; half-close; an abort reaches the peer as end-of-file)";
    }

    @Override
    public Optional<ListenerFactory> listenerFactory() {
        return Optional.of(ctx -> new UnixListener(ctx, UnixOptions.listen(ctx)));
    }

    @Override
    public Optional<DialerFactory> dialerFactory() {
        return Optional.of(ctx -> new UnixDialer(ctx, UnixOptions.dial(ctx)));
    }
}
