package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The test's end of a ByteStream: records what arrives (count and SHA-256), how the input ended
 * (clean FIN or abort), can echo, and can send a payload honouring writability like the relay does.
 */
final class StreamProbe extends ChannelInboundHandlerAdapter {
    final ByteStream stream;
    final boolean echo;
    final CompletableFuture<Void> inputEnded = new CompletableFuture<>();
    final CompletableFuture<Throwable> aborted = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    final CompletableFuture<Void> firstByte = new CompletableFuture<>();
    final AtomicLong received = new AtomicLong();
    private final MessageDigest digest;
    private final boolean echoShutdownOnEnd;

    private byte[] toSend;
    private int sendPos;
    private boolean shutdownAfterSend;
    private CompletableFuture<Void> sendDone;

    private StreamProbe(ByteStream stream, boolean echo, boolean echoShutdownOnEnd) {
        this.stream = stream;
        this.echo = echo;
        this.echoShutdownOnEnd = echoShutdownOnEnd;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Attaches and turns reading on (on the stream's loop). */
    static StreamProbe attach(ByteStream stream, boolean echo) {
        return attach(stream, echo, true);
    }

    static StreamProbe attach(ByteStream stream, boolean echo, boolean echoShutdownOnEnd) {
        StreamProbe p = new StreamProbe(stream, echo, echoShutdownOnEnd);
        Channel ch = stream.channel();
        ch.eventLoop().execute(() -> {
            ch.pipeline().addLast(p);
            if (!ch.isActive()) {
                p.closed.complete(null);
                p.aborted.complete(new IllegalStateException("inactive at attach"));
                return;
            }
            ch.config().setAutoRead(true);
        });
        return p;
    }

    /** Attaches without reading (a slow reader). */
    static StreamProbe attachPaused(ByteStream stream) {
        StreamProbe p = new StreamProbe(stream, false, false);
        stream.channel().eventLoop().execute(() -> stream.channel().pipeline().addLast(p));
        return p;
    }

    void resumeReading() {
        stream.channel().eventLoop().execute(() -> stream.channel().config().setAutoRead(true));
    }

    synchronized String sha256() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends data honouring writability; then FIN if asked. Completes when all is handed over. */
    CompletableFuture<Void> send(byte[] data, boolean shutdownAfter) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        stream.channel().eventLoop().execute(() -> {
            toSend = data;
            sendPos = 0;
            shutdownAfterSend = shutdownAfter;
            sendDone = done;
            pump(stream.channel());
        });
        return done;
    }

    CompletableFuture<Void> shutdownOutput() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        stream.channel().eventLoop().execute(() -> stream.shutdownOutput().addListener(f -> {
            if (f.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(f.cause());
            }
        }));
        return done;
    }

    void abort() {
        stream.channel().eventLoop().execute(() -> stream.abort("test abort"));
    }

    private void pump(Channel ch) {
        if (toSend == null) {
            return;
        }
        byte[] data = toSend;
        while (sendPos < data.length && ch.isWritable()) {
            int n = Math.min(16 * 1024, data.length - sendPos);
            ByteBuf buf = ch.alloc().directBuffer(n).writeBytes(data, sendPos, n);
            sendPos += n;
            ch.write(buf);
        }
        ch.flush();
        if (toSend == data && sendPos == data.length) {
            toSend = null;
            CompletableFuture<Void> done = sendDone;
            if (shutdownAfterSend) {
                stream.shutdownOutput().addListener(f -> {
                    if (f.isSuccess()) {
                        done.complete(null);
                    } else {
                        done.completeExceptionally(f.cause());
                    }
                });
            } else {
                done.complete(null);
            }
        }
    }

    /** Bytes handed to the channel so far by {@link #send}. */
    int sent() {
        return sendPos;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        if (echo) {
            received.addAndGet(buf.readableBytes());
            firstByte.complete(null);
            ctx.write(buf);
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        byte[] b = new byte[buf.readableBytes()];
        buf.readBytes(b);
        synchronized (this) {
            digest.update(b);
        }
        buf.release();
        // Counted after the digest, so a test that sees the count also sees the bytes.
        received.addAndGet(b.length);
        firstByte.complete(null);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (echo) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }
        pump(ctx.channel());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            inputEnded.complete(null);
            if (echo && echoShutdownOnEnd) {
                ctx.flush();
                stream.shutdownOutput();
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!inputEnded.isDone()) {
            aborted.complete(cause);
        }
        stream.abort("exception: " + cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!inputEnded.isDone()) {
            aborted.complete(new IllegalStateException("closed without FIN"));
        }
        closed.complete(null);
    }
}
