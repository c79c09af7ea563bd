package dev.tcptoany.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens {@code --count} connections ({@code --connect-concurrency} at a time), each proving itself with one
 * echo, then holds them idle. Prints a {@code HOLDING} JSON line and waits for a line on standard input (or
 * {@code --hold-seconds} when given), so that bench/run can read the nodes' memory meanwhile; then checks that
 * every held connection still echoes, prints the result JSON and closes them all.
 */
final class IdleHolder {
    private IdleHolder() {
    }

    static int run(Args args) throws Exception {
        InetSocketAddress target = Net.parse(args.str("target", null));
        int count = args.integer("count", 10_000);
        int concurrency = args.integer("connect-concurrency", 200);
        int size = args.integer("size", 16);
        double holdSeconds = args.dbl("hold-seconds", -1);
        double maxSeconds = args.dbl("max-seconds", 120);
        EventLoopGroup group = Net.group(1);
        List<Probe> held = Collections.synchronizedList(new ArrayList<>(count));
        ConcurrentLinkedQueue<String> reasons = new ConcurrentLinkedQueue<>();
        AtomicInteger openFailed = new AtomicInteger();
        Semaphore slots = new Semaphore(concurrency);
        try {
            Bootstrap b = Net.client(group, 10_000);
            long start = System.nanoTime();
            long deadline = start + (long) (maxSeconds * 1e9);
            int started = 0;
            while (started < count && System.nanoTime() < deadline) {
                if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                started++;
                Probe probe = new Probe(size, 20_000, (p, failure) -> {
                    if (failure == null) {
                        held.add(p);
                    } else {
                        openFailed.incrementAndGet();
                        if (reasons.size() < 5) {
                            reasons.add("open: " + failure);
                        }
                        p.close();
                    }
                    slots.release();
                });
                ChannelFuture cf = b.clone().handler(probe).connect(target);
                cf.addListener(f -> {
                    if (!f.isSuccess()) {
                        openFailed.incrementAndGet();
                        if (reasons.size() < 5) {
                            reasons.add("connect: " + f.cause());
                        }
                        slots.release();
                    }
                });
            }
            slots.tryAcquire(concurrency, 30, TimeUnit.SECONDS);
            double openSeconds = (System.nanoTime() - start) / 1e9;
            int holding = held.size();
            System.out.println(new Json().put("kind", "holding").put("requested", count).put("held", holding)
                    .put("open_failed", openFailed.get()).put("open_seconds", openSeconds));
            System.out.flush();

            if (holdSeconds >= 0) {
                Thread.sleep((long) (holdSeconds * 1000));
            } else {
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            }

            long checkStart = System.nanoTime();
            AtomicInteger stillEcho = new AtomicInteger();
            AtomicInteger lost = new AtomicInteger();
            List<Probe> snapshot;
            synchronized (held) {
                snapshot = new ArrayList<>(held);
            }
            // Check in waves so the check itself is not a 10,000-message burst on one loop.
            Semaphore checkSlots = new Semaphore(concurrency);
            CountDownLatch all = new CountDownLatch(snapshot.size());
            for (Probe p : snapshot) {
                checkSlots.acquire();
                p.probe((pp, failure) -> {
                    if (failure == null) {
                        stillEcho.incrementAndGet();
                    } else {
                        lost.incrementAndGet();
                        if (reasons.size() < 10) {
                            reasons.add("check: " + failure);
                        }
                    }
                    checkSlots.release();
                    all.countDown();
                });
            }
            all.await(60, TimeUnit.SECONDS);
            double checkSeconds = (System.nanoTime() - checkStart) / 1e9;
            for (Probe p : snapshot) {
                p.close();
            }
            boolean ok = holding == count && stillEcho.get() == holding;
            System.out.println(new Json().put("kind", "idle").put("requested", count).put("held", holding)
                    .put("open_failed", openFailed.get()).put("still_echo", stillEcho.get())
                    .put("lost", lost.get()).put("open_seconds", openSeconds).put("check_seconds", checkSeconds)
                    .put("ok", ok).put("error", reasons.isEmpty() ? null : String.join("; ", reasons)));
            return ok ? 0 : 1;
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }
}
