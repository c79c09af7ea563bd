package dev.tcptoany.transport.tcp;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.DialFailedException;
import dev.tcptoany.api.DialFailure;
import dev.tcptoany.api.DialRequest;
import dev.tcptoany.api.Dialer;
import dev.tcptoany.api.Destination;
import dev.tcptoany.api.TransportContext;
import dev.tcptoany.api.policy.DestinationPolicy;
import dev.tcptoany.api.policy.NumericHost;
import dev.tcptoany.api.policy.Verdict;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * {@code address = dynamic}: connects to the destination each client asked for, if the route's
 * {@code allow}/{@code deny} policy admits it (for a client the listener recognised by token or
 * certificate, its own allow list in place of the route's). Judged on every stream; a name is judged before the
 * lookup and each address after it, and the connection goes to the first admitted address, the
 * one that was checked (no second lookup a rebinding DNS server could answer differently).
 * Numeric hosts in any {@code inet_aton} form are judged as addresses and never looked up.
 */
final class DynamicTcpDialer implements Dialer {
    private final TcpConnector connector;
    private final DestinationPolicy policy;
    private final DestinationResolver resolver;

    DynamicTcpDialer(TransportContext ctx, TcpConnector connector) {
        this.connector = connector;
        if (!ctx.config().hasPath("allow")) {
            throw ConfigProblems.badValue(ctx.config(), "address", "address = dynamic needs allow = [...]: what clients"
                    + " may reach, e.g. [\"*.internal.example:443\", \"10.0.0.0/8:22\"] or [\"any\"]");
        }
        this.policy = DestinationPolicy.fromConfig(ctx.config(), "allow", "deny");
        this.resolver = new DestinationResolver(ctx.routeName());
    }

    @Override
    public Future<ByteStream> dial(DialRequest request) {
        Promise<ByteStream> promise = request.eventLoop().newPromise();
        Optional<Destination> requested = request.destination();
        if (requested.isEmpty()) {
            return promise.setFailure(new DialFailedException(DialFailure.NOT_ALLOWED,
                    "address = dynamic, but the client named no destination (the listen transport carries none)"));
        }
        Destination d = requested.get();
        // A client the listener recognised is judged by its own allow list (the route's deny stays).
        DestinationPolicy policy = this.policy.forClient(request.client());
        String who = request.client().map(c -> " for client " + c).orElse("");
        Optional<InetAddress> literal;
        try {
            literal = NumericHost.parse(d.host());
        } catch (IllegalArgumentException e) {
            return promise.setFailure(new DialFailedException(DialFailure.NOT_ALLOWED, e.getMessage()));
        }
        if (literal.isPresent()) {
            Verdict v = policy.judgeAddress(d, literal.get());
            if (!v.allowed()) {
                return promise.setFailure(refusal(d, who, v));
            }
            connector.connect(request, new InetSocketAddress(literal.get(), d.port()), "tcp " + d, promise);
            return promise;
        }
        Verdict early = policy.judgeName(d);
        if (!early.allowed()) {
            return promise.setFailure(refusal(d, who, early));
        }
        Future<List<InetAddress>> lookup = resolver.resolve(d.host(), request.eventLoop());
        promise.addListener(p -> {
            if (p.isCancelled()) {
                lookup.cancel(false);
            }
        });
        lookup.addListener(f -> {
            if (promise.isDone()) {
                return;
            }
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            @SuppressWarnings("unchecked")
            List<InetAddress> addresses = (List<InetAddress>) f.getNow();
            Verdict last = null;
            for (InetAddress a : addresses) {
                Verdict v = policy.judgeAddress(d, a);
                if (v.allowed()) {
                    connector.connect(request, new InetSocketAddress(a, d.port()),
                            "tcp " + d + " (" + a.getHostAddress() + ")", promise);
                    return;
                }
                last = v;
            }
            promise.tryFailure(refusal(d, who, last));
        });
        return promise;
    }

    private static DialFailedException refusal(Destination d, String who, Verdict v) {
        return new DialFailedException(DialFailure.NOT_ALLOWED, d + " not allowed" + who + ": " + v.rule());
    }

    @Override
    public boolean dialsClientDestination() {
        return true;
    }

    @Override
    public Future<?> close() {
        resolver.close();
        return GlobalEventExecutor.INSTANCE.newSucceededFuture(null);
    }
}
