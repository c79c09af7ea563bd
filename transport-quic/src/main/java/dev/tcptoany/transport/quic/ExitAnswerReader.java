package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.DialFailedException;
import dev.tcptoany.api.DialFailure;
import dev.tcptoany.api.HoldUntilFirstRead;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;

/**
 * On node 1's side of a stream that forwarded a destination: reads the exit's {@link ExitAnswer}
 * before the dial completes, so the entry point answers its client (SOCKS5, CONNECT) with what the
 * far end really did. Bytes after the answer wait in a {@link HoldUntilFirstRead} for the host.
 * A stream the exit resets before answering came from an exit that knows no destinations (stream
 * header version 1 only): the dial fails and never reaches a fixed upstream.
 */
final class ExitAnswerReader extends ChannelInboundHandlerAdapter {
    private final Promise<ByteStream> dial;
    private final QuicByteStream stream;
    private final String target;
    private boolean answered;

    ExitAnswerReader(Promise<ByteStream> dial, QuicByteStream stream, String target) {
        this.dial = dial;
        this.stream = stream;
        this.target = target;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        dial.addListener(f -> {
            if (f.isCancelled()) {
                stream.abort("dial cancelled");
            }
        });
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (answered) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        if (!in.isReadable()) {
            in.release();
            return;
        }
        int code = in.readUnsignedByte();
        answered = true;
        if (code != ExitAnswer.CONNECTED) {
            in.release();
            DialFailure failure = ExitAnswer.failure(code);
            dial.tryFailure(new DialFailedException(failure, target + ": the exit answered " + failure.key()));
            ctx.close();
            return;
        }
        ctx.pipeline().addAfter(ctx.name(), "quic-answer-hold", new HoldUntilFirstRead());
        if (in.isReadable()) {
            ctx.fireChannelRead(in);
        } else {
            in.release();
        }
        ctx.pipeline().remove(this);
        if (!dial.trySuccess(stream)) {
            stream.abort("dial cancelled");
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!answered) {
            ctx.read();
        } else {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!answered) {
            ReferenceCountUtil.release(evt);
            if (evt == io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE) {
                fail(ctx, "the exit ended the stream without answering");
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!answered) {
            fail(ctx, "the exit reset the stream before answering (" + cause.getMessage() + "); an exit that knows no"
                    + " destinations (stream header version 1) does that: upgrade it");
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!answered) {
            fail(ctx, "the exit closed the stream before answering; an exit that knows no destinations (stream header"
                    + " version 1) resets such streams: upgrade it");
        }
        ctx.fireChannelInactive();
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        answered = true;
        dial.tryFailure(new DialFailedException(DialFailure.UNREACHABLE, target + ": " + why));
        ctx.close();
    }
}
