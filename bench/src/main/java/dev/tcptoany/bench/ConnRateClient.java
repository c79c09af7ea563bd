package dev.tcptoany.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connection set-up rate: each connection opens, echoes {@code --size} bytes (checked), and closes;
 * {@code --concurrency} of them at a time (1 = sequential). Stops after {@code --count} connections or
 * {@code --max-seconds}, whichever comes first. The timed loop runs on one event-loop thread. With
 * {@code --socks5} each set-up includes the SOCKS5 handshake (the echo starts after the entry's 0x00).
 */
final class ConnRateClient {
    private ConnRateClient() {
    }

    static int run(Args args) throws Exception {
        Connector target = Connector.fromArgs(args);
        int size = args.integer("size", 64);
        int count = args.integer("count", 2000);
        int warmup = args.integer("warmup", 200);
        int concurrency = args.integer("concurrency", 1);
        double maxSeconds = args.dbl("max-seconds", 10);
        EventLoopGroup group = Net.group(1);
        try {
            Bootstrap b = Net.client(group, 5_000);
            if (warmup > 0) {
                phase(b, target, size, warmup, concurrency, maxSeconds);
            }
            Json json = phase(b, target, size, count, concurrency, maxSeconds);
            System.out.println(json);
            return (Integer) json.get("failed") == 0 && (Integer) json.get("ok") > 0 ? 0 : 1;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Runs {@code concurrency} chains on the client's single event loop: each chain opens a connection, echoes,
     * closes, and opens the next from the close callback, so no thread hand-off is timed with the tunnel.
     */
    private static Json phase(Bootstrap b, Connector target, int size, int count, int concurrency,
                              double maxSeconds) throws InterruptedException {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ConcurrentLinkedQueue<String> reasons = new ConcurrentLinkedQueue<>();
        long[] setup = new long[count];
        AtomicInteger setupCount = new AtomicInteger();
        AtomicLong lastDone = new AtomicLong();
        CountDownLatch chains = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        long deadline = start + (long) (maxSeconds * 1e9);
        EventLoop loop = b.config().group().next();
        Bootstrap onLoop = b.clone(loop);

        class Chain {
            void next() {
                if (started.get() >= count || System.nanoTime() > deadline) {
                    chains.countDown();
                    return;
                }
                started.incrementAndGet();
                long t0 = System.nanoTime();
                Probe probe = new Probe(size, 5_000, (p, failure) -> {
                    if (failure == null) {
                        ok.incrementAndGet();
                        int i = setupCount.getAndIncrement();
                        if (i < setup.length) {
                            setup[i] = System.nanoTime() - t0;
                        }
                    } else {
                        failed.incrementAndGet();
                        if (reasons.size() < 5) {
                            reasons.add(failure);
                        }
                    }
                    p.close();
                });
                ChannelFuture cf = target.connect(onLoop.clone(), probe);
                cf.addListener(f -> {
                    if (!f.isSuccess()) {
                        failed.incrementAndGet();
                        if (reasons.size() < 5) {
                            reasons.add("connect: " + f.cause());
                        }
                        lastDone.set(System.nanoTime());
                        next();
                    } else {
                        cf.channel().closeFuture().addListener(c -> {
                            lastDone.set(System.nanoTime());
                            next();
                        });
                    }
                });
            }
        }
        for (int i = 0; i < concurrency; i++) {
            loop.execute(() -> new Chain().next());
        }
        if (!chains.await((long) (maxSeconds * 1000) + 15_000, TimeUnit.MILLISECONDS)) {
            reasons.add("connections still open 15 s after the time limit");
        }
        double seconds = (Math.max(lastDone.get(), start) - start) / 1e9;
        int n = Math.min(setupCount.get(), setup.length);
        long[] sorted = Arrays.copyOf(setup, n);
        Arrays.sort(sorted);
        return new Json().put("kind", "connrate").put("concurrency", concurrency).put("size", size)
                .put("started", started.get()).put("ok", ok.get()).put("failed", failed.get())
                .put("seconds", seconds).put("per_sec", seconds > 0 ? ok.get() / seconds : Double.NaN)
                .put("setup_p50_us", Json.percentileMicros(sorted, 50))
                .put("setup_p99_us", Json.percentileMicros(sorted, 99))
                .put("error", reasons.isEmpty() ? null : String.join("; ", reasons));
    }
}
