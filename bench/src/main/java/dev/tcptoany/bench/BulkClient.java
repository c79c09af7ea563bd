package dev.tcptoany.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bulk throughput through an echo server, for routes iperf3 cannot use (a SOCKS5 entry): each of
 * {@code --connections} connections writes 64 KiB buffers as fast as the channel stays writable and reads
 * the echo; the bytes echoed back during {@code --seconds}, after {@code --warmup-seconds} not counted, give
 * Gbit/s. The echo carries the same bytes both ways, so every byte crosses the tunnel twice (once each way)
 * and the figure is the echoed rate; compare it with the same command on another route, not with iperf3.
 */
final class BulkClient {
    private static final int CHUNK = 64 * 1024;

    private BulkClient() {
    }

    static int run(Args args) throws Exception {
        Connector target = Connector.fromArgs(args);
        int connections = args.integer("connections", 1);
        double seconds = args.dbl("seconds", 4);
        double warmup = args.dbl("warmup-seconds", 2);
        byte[] random = new byte[CHUNK];
        new SplittableRandom(7).nextBytes(random);
        ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(CHUNK).writeBytes(random));
        AtomicLong echoed = new AtomicLong();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        EventLoopGroup group = Net.group(1);
        List<Pump> pumps = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Pump p = new Pump(chunk, echoed, errors);
                pumps.add(p);
                target.connect(Net.client(group, 10_000), p).addListener(f -> {
                    if (!f.isSuccess()) {
                        errors.add("connect: " + f.cause());
                    }
                });
            }
            Thread.sleep((long) (warmup * 1000));
            long b0 = echoed.get();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long b1 = echoed.get();
            double elapsed = (System.nanoTime() - t0) / 1e9;
            for (Pump p : pumps) {
                p.close();
            }
            long moved = b1 - b0;
            Json json = new Json().put("kind", "bulk").put("connections", connections).put("seconds", elapsed)
                    .put("bytes_echoed", moved).put("gbps", moved * 8 / elapsed / 1e9)
                    .put("error", errors.isEmpty() ? (moved > 0 ? null : "no bytes came back")
                            : String.join("; ", errors));
            System.out.println(json);
            return errors.isEmpty() && moved > 0 ? 0 : 1;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** One connection: writes while writable, counts what comes back. */
    private static final class Pump extends ChannelInboundHandlerAdapter {
        private final ByteBuf chunk;
        private final AtomicLong echoed;
        private final ConcurrentLinkedQueue<String> errors;
        private volatile ChannelHandlerContext ctx;
        private volatile boolean stopping;

        Pump(ByteBuf chunk, AtomicLong echoed, ConcurrentLinkedQueue<String> errors) {
            this.chunk = chunk;
            this.echoed = echoed;
            this.errors = errors;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            pump();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pump();
        }

        private void pump() {
            while (!stopping && ctx.channel().isWritable()) {
                ctx.write(chunk.duplicate());
            }
            ctx.flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            echoed.addAndGet(buf.readableBytes());
            buf.release();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!stopping) {
                errors.add("connection closed during the test");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!stopping) {
                errors.add(String.valueOf(cause.getMessage()));
            }
            ctx.close();
        }

        void close() {
            stopping = true;
            ChannelHandlerContext c = ctx;
            if (c != null) {
                c.close();
            }
        }
    }
}
