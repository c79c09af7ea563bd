package dev.tcptoany.transport.quic;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;

/** A future done when all given futures are done, whatever their outcome (for shutdown paths). */
final class AllDone {
    private AllDone() {
    }

    static Future<Void> of(Collection<? extends Future<?>> futures) {
        Promise<Void> all = GlobalEventExecutor.INSTANCE.newPromise();
        if (futures.isEmpty()) {
            return all.setSuccess(null);
        }
        AtomicInteger left = new AtomicInteger(futures.size());
        for (Future<?> f : futures) {
            f.addListener(x -> {
                if (left.decrementAndGet() == 0) {
                    all.trySuccess(null);
                }
            });
        }
        return all;
    }
}
