package dev.tcptoany.transport.tcp;

import dev.tcptoany.api.DialFailedException;
import dev.tcptoany.api.DialFailure;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Looks a destination name up for a dynamic dial, off the event loop: the JDK's resolver (the
 * system's, with its hosts file and cache) blocks, so it runs on a few threads of its own and the
 * answer comes back on the dial's loop. One small class so an asynchronous resolver from the host
 * can replace it.
 */
final class DestinationResolver {
    private static final int THREADS = 4;
    private final ThreadPoolExecutor executor;

    DestinationResolver(String route) {
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "resolver-" + route + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true);
    }

    /** Every address {@code host} resolves to, in resolver order; completes on {@code loop}. */
    Future<List<InetAddress>> resolve(String host, EventLoop loop) {
        Promise<List<InetAddress>> promise = loop.newPromise();
        try {
            executor.execute(() -> {
                if (promise.isDone()) {
                    return; // the dial was cancelled while this waited
                }
                try {
                    List<InetAddress> all = List.of(InetAddress.getAllByName(host));
                    loop.execute(() -> promise.trySuccess(all));
                } catch (UnknownHostException e) {
                    loop.execute(() -> promise.tryFailure(new DialFailedException(DialFailure.UNREACHABLE,
                            "cannot resolve " + host + ": " + e.getMessage(), e)));
                } catch (RuntimeException e) {
                    loop.execute(() -> promise.tryFailure(e));
                }
            });
        } catch (RejectedExecutionException e) {
            promise.tryFailure(new DialFailedException(DialFailure.UNREACHABLE, "resolver stopped", e));
        }
        return promise;
    }

    void close() {
        executor.shutdownNow();
    }
}
