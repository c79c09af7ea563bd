package dev.tcptoany.examples.unix;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import dev.tcptoany.core.EventLoops;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream contract on a bare socket pair, with the options the listener and dialer use
 * (auto-read off, half-closure on): FIN only after every queued byte; after the peer's FIN, this
 * side can still send far more than the socket buffer holds.
 */
class UnixByteStreamTest {
    // The host's loops (dev.tcptoany.core.EventLoops), as the plugin runs on them: plain
    // EpollIoHandler loops of Netty 4.2.13+ drop writes after a FIN (netty#16689).
    static EventLoops loops;
    static EventLoopGroup group;

    @BeforeAll
    static void loops() {
        loops = new EventLoops(true, 2);
        group = loops.workerGroup();
    }

    @AfterAll
    static void stop() {
        loops.close();
    }

    @Test
    void shutdownOutputSendsEndOfStreamOnlyAfterQueuedBytes(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("s.sock");
        AtomicLong received = new AtomicLong();
        CompletableFuture<Long> eof = new CompletableFuture<>();
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                accepted.complete(ctx.channel());
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                received.addAndGet(((ByteBuf) msg).readableBytes());
                                ((ByteBuf) msg).release();
                            }

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof ChannelInputShutdownEvent) {
                                    eof.complete(received.get());
                                }
                            }
                        });
                    }
                }).bind(new DomainSocketAddress(sock.toString())).sync().channel();
        try {
            Channel client = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(new DomainSocketAddress(sock.toString())).sync().channel();
            UnixByteStream stream = new UnixByteStream(client, sock);
            int total = 4 * 1024 * 1024;
            client.eventLoop().submit(() -> {
                for (int i = 0; i < total / 65536; i++) {
                    client.write(Unpooled.wrappedBuffer(new byte[65536]));
                }
                client.flush();
            }).sync();
            ChannelFuture fin = client.eventLoop().submit(stream::shutdownOutput).get();
            Thread.sleep(200);
            assertThat(fin.isDone()).as("FIN waits for queued bytes the reader has not taken").isFalse();
            Channel peer = accepted.get(5, TimeUnit.SECONDS);
            peer.config().setAutoRead(true);
            assertThat(eof.get(10, TimeUnit.SECONDS)).isEqualTo(total);
            assertThat(fin.await(5, TimeUnit.SECONDS) && fin.isSuccess()).isTrue();
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }

    /**
     * The peer sends FIN first; this side then answers with 4 MiB, far beyond the ~200 KiB a Unix
     * socket buffers, so Netty must wait for EPOLLOUT on a channel whose input has ended.
     *
     * <p>Fails on Netty 4.2.13 to 4.2.20 (passes on 4.2.12): once a channel's input has shut down
     * and it has nothing else to wait for, the epoll loop removes its fd from the epoll set
     * (EPOLL_CTL_DEL, netty/netty#16689) but keeps it marked as added, so the next
     * EPOLL_CTL_MOD for EPOLLOUT fails with ENOENT and Netty fails every queued write with
     * "Channel output shutdown". TCP has the same path; its larger socket buffers hide it on
     * loopback.
     */
    @Test
    void afterThePeersFinThisSideStillSendsMoreThanTheSocketBuffer(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("h.sock");
        int total = 4 * 1024 * 1024;
        CompletableFuture<Throwable> writeFailure = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.read();
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ((ByteBuf) msg).release();
                        ctx.read();
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof ChannelInputShutdownEvent) {
                            // Answer after the FIN, from a later task, as a relay does.
                            ctx.executor().schedule(() -> {
                                for (int i = 0; i < total / 65536; i++) {
                                    ctx.write(Unpooled.wrappedBuffer(new byte[65536])).addListener(f -> {
                                        if (!f.isSuccess()) {
                                            writeFailure.complete(f.cause());
                                        }
                                    });
                                }
                                ctx.flush();
                                new UnixByteStream(ctx.channel(), sock).shutdownOutput();
                            }, 50, TimeUnit.MILLISECONDS);
                        }
                    }
                }).bind(new DomainSocketAddress(sock.toString())).sync().channel();
        AtomicLong received = new AtomicLong();
        CompletableFuture<Long> eof = new CompletableFuture<>();
        try {
            Channel client = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            received.addAndGet(((ByteBuf) msg).readableBytes());
                            ((ByteBuf) msg).release();
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt instanceof ChannelInputShutdownEvent) {
                                eof.complete(received.get());
                            }
                        }
                    })
                    .connect(new DomainSocketAddress(sock.toString())).sync().channel();
            client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'?'})).sync();
            client.eventLoop().submit(() -> new UnixByteStream(client, sock).shutdownOutput()).sync();
            long got = eof.get(10, TimeUnit.SECONDS);
            Throwable failed = writeFailure.getNow(null);
            assertThat(failed == null).as("a write of the answer failed: %s (cause: %s)", failed,
                    failed == null ? null : failed.getCause()).isTrue();
            assertThat(got).as("bytes received after our FIN").isEqualTo(total);
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }
}
