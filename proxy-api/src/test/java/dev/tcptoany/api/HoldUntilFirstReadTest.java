package dev.tcptoany.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The holder's contract on its own: order kept, read-complete after each run of bytes, held
 * buffers released when the channel closes first. The transports' real-socket tests
 * (WebSocketStreamTest, ServerPipelinedFramesTest, the QUIC and relay suites) show it in place.
 */
class HoldUntilFirstReadTest {

    /** Plays the host: records what reaches the tail, releasing buffers. */
    static class Host extends ChannelInboundHandlerAdapter {
        final List<String> seen = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            seen.add("bytes " + b.toString(StandardCharsets.US_ASCII));
            b.release();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            seen.add("read-complete");
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            seen.add(evt == ChannelInputShutdownEvent.INSTANCE ? "input-shutdown" : "event");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            seen.add("failure " + cause.getMessage());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            seen.add("inactive");
        }
    }

    private static EmbeddedChannel channel(Host host) {
        EmbeddedChannel ch = new EmbeddedChannel(false, false, new HoldUntilFirstRead(), host);
        ch.config().setAutoRead(false); // as transports hand streams over
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ch;
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void holdsEverythingInOrderUntilTheFirstReadThenLeaves() {
        Host host = new Host();
        EmbeddedChannel ch = channel(host);
        ch.writeInbound(ascii("a"), ascii("b"));
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        ch.pipeline().fireExceptionCaught(new IOException("reset"));
        assertThat(host.seen).isEmpty();

        ch.read();
        assertThat(host.seen).containsExactly("bytes a", "bytes b", "read-complete", "input-shutdown", "failure reset");
        assertThat(ch.pipeline().get(HoldUntilFirstRead.class)).as("left the pipeline").isNull();

        ch.writeInbound(ascii("c"));
        assertThat(host.seen).endsWith("bytes c", "read-complete");
        ch.finishAndReleaseAll();
    }

    /** Delivers one queued buffer synchronously inside each read(), as a QUIC stream channel does. */
    static final class SynchronousSource extends io.netty.channel.ChannelOutboundHandlerAdapter {
        final java.util.ArrayDeque<ByteBuf> pending = new java.util.ArrayDeque<>();

        @Override
        public void read(ChannelHandlerContext ctx) {
            ByteBuf b = pending.poll();
            if (b != null) {
                ctx.fireChannelRead(b);
                ctx.fireChannelReadComplete();
            }
            ctx.read();
        }
    }

    @Test
    void bytesDeliveredInsideTheHostsReadsDuringTheHandOverKeepTheirPlace() throws Exception {
        Host host = new Host() {
            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                super.channelReadComplete(ctx);
                ctx.read(); // as the relay asks for the next burst
            }
        };
        SynchronousSource source = new SynchronousSource();
        EmbeddedChannel ch = new EmbeddedChannel(false, false, source, new HoldUntilFirstRead(), host);
        ch.config().setAutoRead(false);
        ch.register();
        ch.writeInbound(ascii("a"));
        source.pending.add(ascii("b"));
        source.pending.add(ascii("c"));

        ch.read();
        assertThat(host.seen).containsExactly("bytes a", "read-complete", "bytes b", "read-complete", "bytes c", "read-complete");
        ch.finishAndReleaseAll();
    }

    @Test
    void aFirstReadWithNothingHeldJustLeaves() {
        Host host = new Host();
        EmbeddedChannel ch = channel(host);
        ch.read();
        assertThat(host.seen).isEmpty();
        assertThat(ch.pipeline().get(HoldUntilFirstRead.class)).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void whatIsHeldWhenTheChannelClosesIsReleasedAndOnlyTheCloseIsSeen() {
        Host host = new Host();
        EmbeddedChannel ch = channel(host);
        ByteBuf a = ascii("a");
        ch.writeInbound(a);
        ch.close();
        ch.runPendingTasks();
        assertThat(a.refCnt()).isZero();
        assertThat(host.seen).containsExactly("inactive");
    }
}
