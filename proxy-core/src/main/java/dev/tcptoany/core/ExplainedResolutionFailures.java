package dev.tcptoany.core;

import io.netty.channel.EventLoop;
import io.netty.resolver.NameResolver;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * A name resolver whose failures say, in one line, which host could not be resolved and why: "no
 * answer from 127.0.0.1:53 within 5000 ms" instead of Netty's "Failed to resolve 'x' [A(1),
 * AAAA(28)] after 2 queries" with the reason two causes down. Dialers put the message into the
 * dial's failure, which the relay logs when it closes the client.
 */
final class ExplainedResolutionFailures implements NameResolver<InetAddress> {
    private final EventLoop loop;
    private final NameResolver<InetAddress> dns;
    private final DnsSettings settings;

    ExplainedResolutionFailures(EventLoop loop, NameResolver<InetAddress> dns, DnsSettings settings) {
        this.loop = loop;
        this.dns = dns;
        this.settings = settings;
    }

    @Override
    public Future<InetAddress> resolve(String host) {
        return resolve(host, loop.newPromise());
    }

    @Override
    public Future<InetAddress> resolve(String host, Promise<InetAddress> promise) {
        explainInto(host, dns.resolve(host), promise);
        return promise;
    }

    @Override
    public Future<List<InetAddress>> resolveAll(String host) {
        return resolveAll(host, loop.newPromise());
    }

    @Override
    public Future<List<InetAddress>> resolveAll(String host, Promise<List<InetAddress>> promise) {
        explainInto(host, dns.resolveAll(host), promise);
        return promise;
    }

    private <T> void explainInto(String host, Future<T> resolution, Promise<T> promise) {
        resolution.addListener(f -> {
            if (f.isSuccess()) {
                promise.trySuccess(resolution.getNow());
            } else {
                promise.tryFailure(explain(host, f.cause()));
            }
        });
    }

    /** An {@link UnknownHostException} naming the host and the reason; Netty's exception as its cause. */
    private UnknownHostException explain(String host, Throwable cause) {
        String why;
        if (find(cause, DnsNameResolverTimeoutException.class) != null) {
            why = "no answer from " + settings.describeServers() + " within " + settings.queryTimeout().toMillis()
                    + " ms (proxy.dns.query-timeout)";
        } else {
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            // Netty's outer message counts queries; the innermost says what the server answered.
            why = root == cause || cause.getMessage() == null ? String.valueOf(root.getMessage())
                    : root.getMessage() + " (" + cause.getMessage().trim() + ")";
        }
        UnknownHostException e = new UnknownHostException("cannot resolve '" + host + "': " + why);
        e.initCause(cause);
        return e;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    @Override
    public void close() {
        dns.close();
    }
}
