package dev.tcptoany.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Byte-exactness: {@code --connections} parallel connections each send {@code --bytes} pseudo-random bytes
 * (different per connection) while reading the echo, and compare the SHA-256 and length of what came back with
 * what was sent. Exits non-zero unless every connection matched.
 */
final class VerifyClient {
    private VerifyClient() {
    }

    static int run(Args args) throws Exception {
        Connector target = Connector.fromArgs(args);
        long bytes = args.longValue("bytes", 8L << 20);
        int connections = args.integer("connections", 4);
        double maxSeconds = args.dbl("max-seconds", 60);
        EventLoopGroup group = Net.group(1);
        try {
            List<Transfer> transfers = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                Transfer t = new Transfer(bytes, 1000 + i);
                transfers.add(t);
                target.connect(Net.client(group, 10_000), t).addListener(f -> {
                    if (!f.isSuccess()) {
                        t.done.complete("connect: " + f.cause());
                    }
                });
            }
            int ok = 0;
            List<String> errors = new ArrayList<>();
            for (Transfer t : transfers) {
                long left = Math.max(1, (long) (maxSeconds * 1000) - (System.nanoTime() - start) / 1_000_000);
                String failure;
                try {
                    failure = t.done.get(left, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    failure = "timeout: sent " + t.sent + ", received " + t.received + " of " + bytes;
                }
                if (failure == null) {
                    ok++;
                } else {
                    errors.add(failure);
                }
                t.close();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.println(new Json().put("kind", "verify").put("connections", connections)
                    .put("bytes_each", bytes).put("ok", ok).put("failed", connections - ok)
                    .put("seconds", seconds).put("mbit_per_s", connections * bytes * 8 / seconds / 1e6)
                    .put("sha256_first", transfers.get(0).sentHash)
                    .put("error", errors.isEmpty() ? null : String.join("; ", errors)));
            return ok == connections ? 0 : 1;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    static final class Transfer extends ChannelInboundHandlerAdapter {
        private static final int CHUNK = 64 * 1024;
        final CompletableFuture<String> done = new CompletableFuture<>();
        private final long total;
        private final SplittableRandom random;
        private final MessageDigest sentDigest = sha256();
        private final MessageDigest receivedDigest = sha256();
        private ChannelHandlerContext ctx;
        volatile long sent;
        volatile long received;
        volatile String sentHash;

        Transfer(long total, long seed) {
            this.total = total;
            this.random = new SplittableRandom(seed);
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void close() {
            if (ctx != null) {
                ctx.close();
            }
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
            byte[] chunk = new byte[CHUNK];
            while (sent < total && ctx.channel().isWritable()) {
                int n = (int) Math.min(CHUNK, total - sent);
                random.nextBytes(chunk);
                sentDigest.update(chunk, 0, n);
                sent += n;
                ctx.write(ctx.alloc().buffer(n).writeBytes(chunk, 0, n));
            }
            ctx.flush();
            if (sent == total && sentHash == null) {
                sentHash = HexFormat.of().formatHex(sentDigest.digest());
                check();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                int n = buf.readableBytes();
                if (received + n > total) {
                    done.complete("received more bytes than sent: " + (received + n) + " > " + total);
                    return;
                }
                byte[] tmp = new byte[n];
                buf.readBytes(tmp);
                receivedDigest.update(tmp);
                received += n;
            } finally {
                buf.release();
            }
            check();
        }

        private void check() {
            if (received == total && sentHash != null) {
                String got = HexFormat.of().formatHex(receivedDigest.digest());
                done.complete(got.equals(sentHash) ? null : "sha256 differs: sent " + sentHash + ", got " + got);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.complete("connection closed early: sent " + sent + ", received " + received + " of " + total);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.complete("error: " + cause);
            ctx.close();
        }
    }
}
