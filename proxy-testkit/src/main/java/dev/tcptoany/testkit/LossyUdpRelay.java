package dev.tcptoany.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A UDP relay that makes a path lossy and slow on purpose: it forwards every datagram from its
 * client to a target and the target's answers back, dropping a seeded share of them and delaying
 * each direction by a fixed time, as a bad network would. One client at a time: answers go to the
 * address the last client datagram came from.
 *
 * <p>Each direction is an {@link Impairment}, drawn from its own {@link Random} (seeded from the
 * relay's seed), so a run drops the same datagrams whatever the other direction does. A delayed
 * datagram waits in a bounded FIFO queue; since every datagram of a direction waits the same time,
 * order is kept. A datagram that finds the queue full is dropped and counted apart from the
 * deliberate drops, so a test can tell "the relay could not keep up" from "the relay did what it
 * was told". Memory is bounded by {@code queueLimit} times the largest datagram, per direction.
 *
 * <p>Why plain {@link DatagramChannel}s in blocking mode on dedicated threads rather than Netty: the
 * relay must not share event loops or code with the QUIC stack under test (like {@link TestServer}
 * uses JDK sockets), and a thread blocked in {@code receive} costs one system call per datagram and
 * no wake-up machinery: at 1452-byte datagrams, 300 Mbit/s is about 26,000 datagrams per second, a
 * small share of one core. Datagrams are received into a direct buffer; without delay they are sent
 * on from that same buffer by the receiving thread, with delay they are copied once into the queue
 * and a second thread per direction sends them when due. The relay's sockets ask for 4 MiB buffers
 * (the kernel clamps to {@code net.core.rmem_max}) so that bursts are not lost in the relay's own
 * kernel queues, which it could not count.
 *
 * <p>Also a program ({@link #main}), so a benchmark can put it between two processes.
 */
public final class LossyUdpRelay implements AutoCloseable {
    /** What the relay asks of the kernel for each socket's buffers. */
    private static final int SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
    /** Largest UDP payload over IPv4. */
    private static final int LARGEST_DATAGRAM = 65_507;
    /** Queue limit for {@link #main} and the shorter constructor: some 100 ms at 300 Mbit/s. */
    public static final int DEFAULT_QUEUE_LIMIT = 4096;

    /**
     * What one direction does to datagrams.
     *
     * @param dropShare share of datagrams dropped, 0 to 1 (0.01 drops one in a hundred)
     * @param delay     how long every datagram is held before it is sent on
     */
    public record Impairment(double dropShare, Duration delay) {
        public Impairment {
            if (!(dropShare >= 0 && dropShare <= 1)) {
                throw new IllegalArgumentException("dropShare must be between 0 and 1: " + dropShare);
            }
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative: " + delay);
            }
        }

        /** Forwards everything at once. */
        public static Impairment none() {
            return new Impairment(0, Duration.ZERO);
        }
    }

    /**
     * What happened to one direction's datagrams so far.
     *
     * @param forwarded  sent on
     * @param dropped    dropped on purpose (the seeded share)
     * @param overflowed dropped because the delay queue was full
     */
    public record Counts(long forwarded, long dropped, long overflowed) {
        String json() {
            return "{\"forwarded\":" + forwarded + ",\"dropped\":" + dropped + ",\"overflowed\":" + overflowed + "}";
        }
    }

    private final InetSocketAddress target;
    private final Direction toTarget;
    private final Direction toClient;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private DatagramChannel clientSide;
    private DatagramChannel targetSide;
    /** Where answers go: the source of the last datagram from a client. */
    private volatile SocketAddress client;

    public LossyUdpRelay(InetSocketAddress target, Impairment toTarget, Impairment toClient, long seed) {
        this(target, toTarget, toClient, seed, DEFAULT_QUEUE_LIMIT);
    }

    /**
     * @param queueLimit datagrams a direction holds at most while delaying them
     */
    public LossyUdpRelay(InetSocketAddress target, Impairment toTarget, Impairment toClient, long seed,
                         int queueLimit) {
        if (queueLimit < 1) {
            throw new IllegalArgumentException("queueLimit must be at least 1: " + queueLimit);
        }
        this.target = target;
        // Different seeds per direction, so the two do not drop in lockstep.
        this.toTarget = new Direction("to-target", false, toTarget, new Random(seed), queueLimit);
        this.toClient = new Direction("to-client", true, toClient, new Random(~seed), queueLimit);
    }

    /** Listens on an ephemeral loopback port. */
    public InetSocketAddress start() throws IOException {
        return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** Binds {@code listen}, where the client sends, and starts relaying; returns the bound address. */
    public synchronized InetSocketAddress start(InetSocketAddress listen) throws IOException {
        if (clientSide != null) {
            throw new IllegalStateException("already started");
        }
        clientSide = open().bind(listen);
        try {
            targetSide = open().bind(new InetSocketAddress(listen.getAddress(), 0));
            // Connected: only the target's datagrams are received on it.
            targetSide.connect(target);
        } catch (IOException e) {
            clientSide.close();
            throw e;
        }
        toTarget.start(clientSide, targetSide);
        toClient.start(targetSide, clientSide);
        return address();
    }

    private static DatagramChannel open() throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
        return ch;
    }

    /** Where clients send. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) clientSide.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("relay is closed", e);
        }
    }

    public int port() {
        return address().getPort();
    }

    /** Client to target, so far. */
    public Counts toTarget() {
        return toTarget.counts();
    }

    /** Target to client, so far. */
    public Counts toClient() {
        return toClient.counts();
    }

    /** Both directions' counts as one JSON object. */
    public String countsJson() {
        return "{\"toTarget\":" + toTarget().json() + ",\"toClient\":" + toClient().json() + "}";
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Closing the sockets ends blocked receives and sends; interrupts end waits on the queues.
        for (DatagramChannel ch : new DatagramChannel[] {clientSide, targetSide}) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
        synchronized (threads) {
            for (Thread t : threads) {
                t.interrupt();
            }
            for (Thread t : threads) {
                try {
                    t.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** A datagram waiting for its time. */
    private record Delayed(byte[] data, long dueNanos) {
    }

    /** One direction: its receiving thread, and with a delay, its queue and sending thread. */
    private final class Direction {
        final String name;
        final boolean towardsClient;
        final Impairment impairment;
        final Random random;
        final long delayNanos;
        final BlockingQueue<Delayed> queue;
        final AtomicLong forwarded = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong overflowed = new AtomicLong();

        Direction(String name, boolean towardsClient, Impairment impairment, Random random, int queueLimit) {
            this.name = name;
            this.towardsClient = towardsClient;
            this.impairment = impairment;
            this.random = random;
            this.delayNanos = impairment.delay().toNanos();
            this.queue = delayNanos > 0 ? new ArrayBlockingQueue<>(queueLimit) : null;
        }

        Counts counts() {
            return new Counts(forwarded.get(), dropped.get(), overflowed.get());
        }

        void start(DatagramChannel from, DatagramChannel to) {
            thread(name + "-receive", () -> receive(from, to));
            if (queue != null) {
                thread(name + "-send", () -> sendWhenDue(to));
            }
        }

        private void thread(String suffix, Runnable body) {
            Thread t = new Thread(body, "lossy-udp-relay-" + suffix);
            t.setDaemon(true);
            synchronized (threads) {
                threads.add(t);
            }
            t.start();
        }

        private void receive(DatagramChannel from, DatagramChannel to) {
            ByteBuffer buf = ByteBuffer.allocateDirect(LARGEST_DATAGRAM);
            while (!closed.get()) {
                buf.clear();
                SocketAddress source;
                try {
                    source = from.receive(buf);
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    // On the connected socket, an ICMP error from a target not (yet) listening.
                    continue;
                }
                if (!towardsClient) {
                    client = source;
                }
                // Drawn for every datagram, so the drop pattern depends only on the seed and the count.
                if (random.nextDouble() < impairment.dropShare()) {
                    dropped.incrementAndGet();
                    continue;
                }
                buf.flip();
                if (queue == null) {
                    send(to, buf);
                } else {
                    byte[] copy = new byte[buf.remaining()];
                    buf.get(copy);
                    if (!queue.offer(new Delayed(copy, System.nanoTime() + delayNanos))) {
                        overflowed.incrementAndGet();
                    }
                }
            }
        }

        private void sendWhenDue(DatagramChannel to) {
            ByteBuffer buf = ByteBuffer.allocateDirect(LARGEST_DATAGRAM);
            try {
                while (!closed.get()) {
                    Delayed d = queue.take();
                    long wait;
                    while ((wait = d.dueNanos() - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                        if (Thread.interrupted()) {
                            return;
                        }
                    }
                    buf.clear();
                    buf.put(d.data()).flip();
                    send(to, buf);
                }
            } catch (InterruptedException e) {
                // closing
            }
        }

        private void send(DatagramChannel to, ByteBuffer datagram) {
            SocketAddress destination = towardsClient ? client : target;
            if (destination == null) {
                return;
            }
            try {
                if (towardsClient) {
                    to.send(datagram, destination);
                } else {
                    to.write(datagram);
                }
                forwarded.incrementAndGet();
            } catch (IOException e) {
                // Closed, or an ICMP error from a peer that is gone: the datagram is lost like on a
                // real path, and the receiving side ends the loop once closed.
            }
        }
    }

    /**
     * Runs a relay until SIGTERM (or SIGINT) or until standard input ends, then prints both
     * directions' counts as one JSON line on standard output. Note that a background job of a
     * non-interactive shell gets {@code /dev/null} as standard input and would stop at once: give it
     * a pipe that stays open (e.g. {@code sleep infinity | java ...}, or a subprocess's stdin pipe).
     *
     * <p>Arguments: {@code LISTEN TARGET_HOST:PORT DROP_PERCENT DELAY_MS SEED}, where LISTEN is a
     * port (on 127.0.0.1) or host:port; drop and delay apply to each direction.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: LossyUdpRelay LISTEN_[HOST:]PORT TARGET_HOST:PORT DROP_PERCENT DELAY_MS SEED");
            System.exit(2);
        }
        InetSocketAddress listen = args[0].contains(":") ? hostPort(args[0])
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0]));
        Impairment each = new Impairment(Double.parseDouble(args[2]) / 100,
                Duration.ofMillis(Long.parseLong(args[3])));
        LossyUdpRelay relay = new LossyUdpRelay(hostPort(args[1]), each, each, Long.parseLong(args[4]));
        InetSocketAddress bound = relay.start(listen);
        System.err.println("lossy-udp-relay: " + bound + " -> " + args[1] + ", each way drop " + args[2]
                + "% delay " + args[3] + " ms");
        AtomicBoolean reported = new AtomicBoolean();
        Runnable report = () -> {
            if (reported.compareAndSet(false, true)) {
                relay.close();
                System.out.println(relay.countsJson());
                System.out.flush();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(report, "lossy-udp-relay-report"));
        InputStream in = System.in;
        byte[] sink = new byte[256];
        while (in.read(sink) >= 0) {
            // wait for the end of input
        }
        report.run();
        System.exit(0);
    }

    private static InetSocketAddress hostPort(String s) {
        int colon = s.lastIndexOf(':');
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(s.substring(colon + 1)));
    }
}
