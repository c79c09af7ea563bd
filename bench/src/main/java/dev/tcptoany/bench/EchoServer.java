package dev.tcptoany.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;

import java.io.InputStream;
import java.net.InetSocketAddress;

/**
 * The tunnel's far end for the latency, connection-rate, idle and byte-exactness tests: echoes every byte,
 * with backpressure (stops reading while the echo cannot be written) and half-close (a FIN is answered with a
 * FIN once everything received has been echoed). Prints {@code LISTENING <port>} once bound; stops when its
 * standard input closes or on SIGTERM.
 */
final class EchoServer {
    private EchoServer() {
    }

    static int run(Args args) throws Exception {
        String bind = args.str("bind", "127.0.0.1");
        int port = args.integer("port", 0);
        int threads = args.integer("threads", 1);
        EventLoopGroup boss = Net.group(1);
        EventLoopGroup workers = Net.group(threads);
        try {
            Channel server = Net.server(boss, workers)
                    .childHandler(new Echo())
                    .bind(bind, port).sync().channel();
            System.out.println("LISTENING " + ((InetSocketAddress) server.localAddress()).getPort());
            System.out.flush();
            InputStream in = System.in;
            byte[] buf = new byte[256];
            while (in.read(buf) >= 0) {
                // run until stdin closes (or we are killed)
            }
            server.close().sync();
            return 0;
        } finally {
            boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                    if (ctx.channel() instanceof DuplexChannel) {
                        // Both directions are shut now: close, or every connection would keep its descriptor
                        // until the process runs out of them (seen after about 20,000 connections).
                        ((DuplexChannel) ctx.channel()).shutdownOutput().addListener(done -> ctx.close());
                    } else {
                        ctx.close();
                    }
                });
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
