package dev.tcptoany.transport.quic;

import dev.tcptoany.api.HoldUntilFirstRead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * First handler of a stream the listener accepted: reads the {@link StreamHeader} (under our ALPN),
 * then hands the stream to the host and leaves the pipeline.
 *
 * <p>The host turns reading on only once its dial is done, so whatever arrives with the header or
 * after it (bytes after it, the peer's FIN, an error) goes to a {@link HoldUntilFirstRead} put in
 * this handler's place, which replays it, in order, at the host's first {@code read()}.
 */
final class InboundStreamOpener extends ChannelInboundHandlerAdapter {
    /** A stream that has not sent its header by then is reset. Our dialer sends it at once. */
    static final long HEADER_TIMEOUT_SECONDS = 10;

    private final boolean expectHeader;
    private final BiConsumer<QuicStreamChannel, StreamHeader.Parsed> handOver;
    private ByteBuf headerBytes;
    private boolean handedOver;
    private ScheduledFuture<?> headerTimeout;

    /**
     * @param expectHeader true under our ALPN; false for the original tool's raw streams
     * @param handOver     gives the stream, with what its header said (the destination of a version 2
     *                     header, a token), to the host (or refuses it); called once, on the loop
     */
    InboundStreamOpener(boolean expectHeader, BiConsumer<QuicStreamChannel, StreamHeader.Parsed> handOver) {
        this.expectHeader = expectHeader;
        this.handOver = handOver;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        if (!expectHeader) {
            handedOver = true;
            ctx.pipeline().remove(this);
            handOver.accept((QuicStreamChannel) ctx.channel(), StreamHeader.Parsed.NONE);
            return;
        }
        headerTimeout = ctx.executor().schedule(() -> {
            if (!handedOver) {
                refuse(ctx, "no stream header within " + HEADER_TIMEOUT_SECONDS + "s");
            }
        }, HEADER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (handedOver) {
            ctx.fireChannelRead(msg); // to the holder
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        if (headerBytes == null) {
            headerBytes = in;
        } else {
            // One flat composite that grows: wrapping the previous buffer on every read nested a
            // composite per byte for a peer that dribbles its header.
            CompositeByteBuf acc = headerBytes instanceof CompositeByteBuf c ? c
                    : ctx.alloc().compositeBuffer(64).addComponent(true, headerBytes);
            headerBytes = acc.addComponent(true, in);
        }
        StreamHeader.Parsed header;
        try {
            header = StreamHeader.read(headerBytes);
        } catch (StreamHeader.MalformedException e) {
            refuse(ctx, e.getMessage());
            return;
        }
        if (header != null) {
            ByteBuf rest = headerBytes;
            headerBytes = null;
            handedOver = true;
            headerTimeout.cancel(false);
            ctx.pipeline().addAfter(ctx.name(), "quic-hold", new HoldUntilFirstRead());
            if (rest.isReadable()) {
                ctx.fireChannelRead(rest);
            } else {
                rest.release();
            }
            ctx.pipeline().remove(this);
            handOver.accept((QuicStreamChannel) ctx.channel(), header);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!handedOver) {
            // Header incomplete: keep reading until it is.
            ctx.read();
        } else {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!handedOver) {
            ReferenceCountUtil.release(evt);
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                refuse(ctx, "stream ended before its header");
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!handedOver) {
            // Reset by the peer before it was ever ours: nothing to relay.
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (headerBytes != null) {
            headerBytes.release();
            headerBytes = null;
        }
        if (headerTimeout != null) {
            headerTimeout.cancel(false);
        }
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
        QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
        QuicListener.LOG.debug("quic stream {} from {} refused: {}", stream.streamId(),
                stream.parent().remoteSocketAddress(), why);
        stream.shutdown(QuicErrorCodes.STREAM_BAD_HEADER).addListener(f -> stream.close());
    }
}
