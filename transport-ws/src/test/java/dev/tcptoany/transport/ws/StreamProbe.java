package dev.tcptoany.transport.ws;

import dev.tcptoany.api.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Plays the host's part on one {@link ByteStream}: reads everything, records the end-of-input
 * event and the close, and lets the test write, half-close and abort.
 */
final class StreamProbe extends ChannelInboundHandlerAdapter {
    final ByteStream stream;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final CompletableFuture<Void> inputShutdown = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final boolean echo;

    private StreamProbe(ByteStream stream, boolean echo) {
        this.stream = stream;
        this.echo = echo;
    }

    /** Adds a probe at the pipeline tail and starts reading, on the stream's loop. */
    static StreamProbe attach(ByteStream stream) {
        return attach(stream, false);
    }

    /** A probe that also writes back what it reads and ends its output when input ends. */
    static StreamProbe echo(ByteStream stream) {
        return attach(stream, true);
    }

    private static StreamProbe attach(ByteStream stream, boolean echo) {
        StreamProbe p = new StreamProbe(stream, echo);
        stream.channel().eventLoop().execute(() -> {
            stream.channel().pipeline().addLast("probe", p);
            if (!stream.channel().isActive()) {
                p.closed.complete(null);
            }
            stream.channel().config().setAutoRead(true);
        });
        return p;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            byte[] b = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), b);
            synchronized (received) {
                received.write(b, 0, b.length);
            }
            if (echo) {
                ctx.writeAndFlush(buf);
                return;
            }
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            if (closed.isDone()) {
                throw new AssertionError("input shutdown after close");
            }
            inputShutdown.complete(null);
            if (echo) {
                stream.shutdownOutput();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed.complete(null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    byte[] received() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    /** Waits until {@code n} bytes arrived (or fails after 10 s). */
    byte[] awaitBytes(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received().length < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return received();
    }

    void write(byte[] data) {
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(data));
    }

    void shutdownOutput() {
        stream.channel().eventLoop().execute(stream::shutdownOutput);
    }

    void abort(String reason) {
        stream.channel().eventLoop().execute(() -> stream.abort(reason));
    }
}
