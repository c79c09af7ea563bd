package dev.tcptoany.transport.tcp;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.DialRequest;
import dev.tcptoany.api.Dialer;
import dev.tcptoany.api.HostPort;
import dev.tcptoany.api.TransportContext;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Connects to {@code address} on the requesting connection's event loop: no thread hop in the relay.
 * A host name is resolved by the host's resolvers on that loop, without blocking it.
 */
final class TcpDialer implements Dialer {
    private final TcpConnector connector;
    private final HostPort address;
    /** Resolved once when the host is an IP literal, so a dial skips the resolver; else resolved per dial. */
    private final InetSocketAddress target;
    private final String label;

    TcpDialer(TransportContext ctx, TcpConnector connector) {
        this.connector = connector;
        this.address = HostPort.fromConfig(ctx.config(), "address");
        if (address.isWildcard()) {
            throw ConfigProblems.badValue(ctx.config(), "address", "a dial address needs a host");
        }
        if (ctx.config().hasPath("allow") || !ctx.config().getStringList("deny").isEmpty()) {
            throw ConfigProblems.badValue(ctx.config(), ctx.config().hasPath("allow") ? "allow" : "deny",
                    "allow and deny only apply to address = dynamic (a fixed address needs no policy)");
        }
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(address.host());
        this.target = literal != null ? new InetSocketAddress(literal, address.port()) : address.unresolved();
        this.label = "tcp " + address;
    }

    @Override
    public Future<ByteStream> dial(DialRequest request) {
        Promise<ByteStream> promise = request.eventLoop().newPromise();
        connector.connect(request, target, label, promise);
        return promise;
    }

    @Override
    public Future<?> close() {
        return GlobalEventExecutor.INSTANCE.newSucceededFuture(null);
    }
}
