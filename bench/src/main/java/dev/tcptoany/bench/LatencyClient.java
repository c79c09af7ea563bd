package dev.tcptoany.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Request/response latency on one connection: sends a message of {@code --size} random bytes, waits for its
 * whole echo (checked byte for byte), records the round trip, sends the next. The first {@code --warmup}
 * round trips are not recorded.
 */
final class LatencyClient {
    private LatencyClient() {
    }

    static int run(Args args) throws Exception {
        Connector target = Connector.fromArgs(args);
        int size = args.integer("size", 64);
        int count = args.integer("count", 10000);
        int warmup = args.integer("warmup", 1000);
        double maxSeconds = args.dbl("max-seconds", 60);
        EventLoopGroup group = Net.group(1);
        try {
            PingPong handler = new PingPong(size, warmup, count);
            Channel ch = target.connect(Net.client(group, 10_000), handler).sync().channel();
            Object outcome;
            try {
                outcome = handler.done.get((long) (maxSeconds * 1000), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                outcome = "timeout after " + maxSeconds + " s with " + handler.recorded + " round trips";
            }
            ch.close().sync();
            long[] samples = Arrays.copyOf(handler.samples, handler.recorded);
            Arrays.sort(samples);
            double sum = 0;
            for (long s : samples) {
                sum += s;
            }
            Json json = new Json().put("kind", "latency").put("size", size).put("count", samples.length)
                    .put("p50_us", Json.percentileMicros(samples, 50))
                    .put("p90_us", Json.percentileMicros(samples, 90))
                    .put("p99_us", Json.percentileMicros(samples, 99))
                    .put("p999_us", Json.percentileMicros(samples, 99.9))
                    .put("max_us", Json.percentileMicros(samples, 100))
                    .put("mean_us", samples.length == 0 ? Double.NaN : sum / samples.length / 1000.0)
                    .put("error", outcome instanceof String ? outcome : null);
            System.out.println(json);
            return outcome instanceof String ? 1 : 0;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    static final class PingPong extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Object> done = new CompletableFuture<>();
        final long[] samples;
        int recorded;
        private final int size;
        private final int warmup;
        private final int total;
        private final SplittableRandom random = new SplittableRandom(42);
        private final byte[] expected;
        private int sent;
        private int received;
        private long startedAt;

        PingPong(int size, int warmup, int count) {
            this.size = size;
            this.warmup = warmup;
            this.total = warmup + count;
            this.samples = new long[count];
            this.expected = new byte[size];
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            sendNext(ctx);
        }

        private void sendNext(ChannelHandlerContext ctx) {
            random.nextBytes(expected);
            received = 0;
            startedAt = System.nanoTime();
            ctx.writeAndFlush(ctx.alloc().buffer(size).writeBytes(expected));
            sent++;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                while (buf.isReadable()) {
                    if (received >= size || buf.readByte() != expected[received]) {
                        done.complete("echo differs from what was sent at message " + sent);
                        ctx.close();
                        return;
                    }
                    received++;
                }
            } finally {
                buf.release();
            }
            if (received == size) {
                long rtt = System.nanoTime() - startedAt;
                if (sent > warmup) {
                    samples[recorded++] = rtt;
                }
                if (sent >= total) {
                    done.complete(Boolean.TRUE);
                } else {
                    sendNext(ctx);
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.complete("connection closed after " + sent + " messages");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.complete("error: " + cause);
            ctx.close();
        }
    }
}
