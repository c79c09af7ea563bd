package dev.tcptoany.transport.socks5;

import dev.tcptoany.api.Destination;
import dev.tcptoany.api.HoldUntilFirstRead;
import dev.tcptoany.api.PeerRejections;
import dev.tcptoany.api.StreamAcceptor;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the server side of a SOCKS5 handshake on one accepted socket, reading one message at a time
 * (auto-read stays off): method selection, the RFC 1929 login when credentials are configured,
 * then the request. A CONNECT hands the socket to the host with its destination and leaves the
 * pipeline; the reply waits for the host's dial (see {@link Socks5ByteStream}).
 *
 * <p>Netty's decoder for each message is swapped for the next one's as soon as a message arrives;
 * bytes a client sent ahead (a login behind its greeting, payload behind its request) come back
 * here from the old decoder and are fed to the new one, or, after the request, kept for the host.
 */
final class Socks5Handshake extends ChannelInboundHandlerAdapter {
    private static final String DECODER = "socks5-decoder";

    private enum Stage { GREETING, LOGIN, REQUEST, DONE, CLOSING }

    private final Socks5Options options;
    private final PeerRejections rejections;
    private final StreamAcceptor acceptor;
    private Stage stage = Stage.GREETING;
    private ScheduledFuture<?> timeout;

    private Socks5Handshake(Socks5Options options, PeerRejections rejections, StreamAcceptor acceptor) {
        this.options = options;
        this.rejections = rejections;
        this.acceptor = acceptor;
    }

    static void install(Channel ch, Socks5Options options, PeerRejections rejections, StreamAcceptor acceptor) {
        ch.pipeline().addLast(DECODER, new Socks5InitialRequestDecoder());
        ch.pipeline().addLast("socks5-handshake", new Socks5Handshake(options, rejections, acceptor));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> {
            if (stage != Stage.DONE && stage != Stage.CLOSING) {
                refuse(ctx, "socks5-handshake-timeout", "no SOCKS5 request within " + options.handshakeTimeout(), null);
            }
        }, options.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            switch (stage) {
                case DONE -> ctx.fireChannelRead(bytes); // payload behind the request: to the holder
                case CLOSING -> bytes.release();
                default -> ctx.pipeline().fireChannelRead(bytes); // sent ahead: into the current decoder
            }
            return;
        }
        try {
            if (stage == Stage.CLOSING || stage == Stage.DONE) {
                return;
            }
            if (msg instanceof DecoderResultProvider p && p.decoderResult().isFailure()) {
                refuse(ctx, "socks5-bad-request", "not a SOCKS5 " + stage.name().toLowerCase() + ": "
                        + p.decoderResult().cause().getMessage(), null);
            } else if (msg instanceof Socks5InitialRequest greeting && stage == Stage.GREETING) {
                greeted(ctx, greeting);
            } else if (msg instanceof Socks5PasswordAuthRequest login && stage == Stage.LOGIN) {
                loggedIn(ctx, login);
            } else if (msg instanceof Socks5CommandRequest request && stage == Stage.REQUEST) {
                requested(ctx, request);
            } else {
                refuse(ctx, "socks5-bad-request", "unexpected " + msg.getClass().getSimpleName(), null);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void greeted(ChannelHandlerContext ctx, Socks5InitialRequest greeting) {
        Socks5AuthMethod wanted = options.credentials().isPresent() ? Socks5AuthMethod.PASSWORD : Socks5AuthMethod.NO_AUTH;
        if (!greeting.authMethods().contains(wanted)) {
            refuse(ctx, "socks5-no-acceptable-method", "client offers " + greeting.authMethods() + ", this listener needs "
                    + wanted, Socks5Replies.method(ctx.alloc(), Socks5Replies.NO_ACCEPTABLE_METHOD));
            return;
        }
        ctx.writeAndFlush(Socks5Replies.method(ctx.alloc(), wanted.byteValue()));
        if (wanted == Socks5AuthMethod.PASSWORD) {
            stage = Stage.LOGIN;
            ctx.pipeline().replace(DECODER, DECODER, new Socks5PasswordAuthRequestDecoder());
        } else {
            stage = Stage.REQUEST;
            ctx.pipeline().replace(DECODER, DECODER, new Socks5CommandRequestDecoder());
        }
    }

    private void loggedIn(ChannelHandlerContext ctx, Socks5PasswordAuthRequest login) {
        if (!options.credentials().orElseThrow().matches(login.username(), login.password())) {
            refuse(ctx, "socks5-login", "wrong username or password (user '" + login.username() + "')",
                    Socks5Replies.loginStatus(ctx.alloc(), false));
            return;
        }
        ctx.writeAndFlush(Socks5Replies.loginStatus(ctx.alloc(), true));
        stage = Stage.REQUEST;
        ctx.pipeline().replace(DECODER, DECODER, new Socks5CommandRequestDecoder());
    }

    private void requested(ChannelHandlerContext ctx, Socks5CommandRequest request) {
        if (request.type() != Socks5CommandType.CONNECT) {
            refuse(ctx, "socks5-unsupported-command", "command " + request.type() + " is not supported (CONNECT only)",
                    Socks5Replies.reply(ctx.alloc(), Socks5Replies.COMMAND_NOT_SUPPORTED));
            return;
        }
        Destination destination;
        try {
            destination = new Destination(request.dstAddr(), request.dstPort());
        } catch (IllegalArgumentException e) {
            refuse(ctx, "socks5-bad-request", e.getMessage(), Socks5Replies.reply(ctx.alloc(), Socks5Replies.GENERAL_FAILURE));
            return;
        }
        stage = Stage.DONE;
        timeout.cancel(false);
        // The holder keeps payload the client sent behind its request until the host reads.
        ctx.pipeline().addAfter(ctx.name(), "socks5-hold", new HoldUntilFirstRead());
        ctx.pipeline().remove(DECODER);
        ctx.pipeline().remove(this);
        acceptor.accept(new Socks5ByteStream(ctx.channel(), destination));
    }

    /** Answers (when the protocol has an answer for it), counts, and closes. */
    private void refuse(ChannelHandlerContext ctx, String reason, String detail, ByteBuf answer) {
        stage = Stage.CLOSING;
        rejections.record(reason, ctx.channel().remoteAddress(), detail);
        if (answer != null) {
            ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (stage == Stage.DONE) {
            ctx.fireChannelReadComplete();
        } else if (stage != Stage.CLOSING) {
            ctx.read(); // the next message of the handshake
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (stage == Stage.DONE) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        stage = Stage.CLOSING;
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
