package dev.tcptoany.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Sends a few random bytes and checks that exactly those bytes come back. The first probe starts when the
 * connection becomes active; {@link #probe} starts another one on the same connection. Each probe reports once
 * to its callback: {@code null} for success, else the reason it failed.
 */
final class Probe extends ChannelInboundHandlerAdapter {
    private final int size;
    private final long timeoutMillis;
    private final byte[] expected;
    private ChannelHandlerContext ctx;
    private int received;
    private BiConsumer<Probe, String> callback;
    private ScheduledFuture<?> timeout;
    private boolean closed;
    long startedAt;

    Probe(int size, long timeoutMillis, BiConsumer<Probe, String> firstCallback) {
        this.size = size;
        this.timeoutMillis = timeoutMillis;
        this.expected = new byte[size];
        this.callback = firstCallback;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (callback != null) {
            start();
        }
    }

    /** Starts another probe; must be called on the channel's event loop or it hops there. */
    void probe(BiConsumer<Probe, String> cb) {
        ctx.executor().execute(() -> {
            if (closed) {
                cb.accept(this, "closed while idle");
                return;
            }
            callback = cb;
            start();
        });
    }

    private void start() {
        ThreadLocalRandom.current().nextBytes(expected);
        received = 0;
        startedAt = System.nanoTime();
        timeout = ctx.executor().schedule(() -> finish("no complete echo within " + timeoutMillis + " ms"),
                timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.writeAndFlush(ctx.alloc().buffer(size).writeBytes(expected));
    }

    private void finish(String failure) {
        BiConsumer<Probe, String> cb = callback;
        callback = null;
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
        if (cb != null) {
            cb.accept(this, failure);
        }
    }

    void close() {
        if (ctx != null) {
            ctx.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            while (buf.isReadable()) {
                if (callback == null || received >= size) {
                    finish("unexpected bytes");
                    return;
                }
                if (buf.readByte() != expected[received++]) {
                    finish("echo differs from what was sent");
                    return;
                }
            }
        } finally {
            buf.release();
        }
        if (received == size) {
            finish(null);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        finish("connection closed");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish("error: " + cause.getMessage());
        ctx.close();
    }
}
