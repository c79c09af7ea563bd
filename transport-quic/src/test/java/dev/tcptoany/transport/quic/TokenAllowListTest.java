package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcptoany.api.Destination;
import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.CountingEchoServer;
import dev.tcptoany.testkit.LeakDetection;
import dev.tcptoany.testkit.SocksEcho;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code auth.tokens} on a quic listener: each stream is judged with the allow list of the token
 * its own header carries. One raw QUIC connection (one TLS session, one peer) opens streams with
 * token A and token B: A reaches only X, B only Y, on the same connection, and the counting servers
 * prove that the refused streams never reached their target. This is the check chisel's advisory
 * was about (an allow list held per session instead of per stream).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenAllowListTest {
    private static final byte[] PAYLOAD = "through the exit".getBytes(StandardCharsets.US_ASCII);
    private CountingEchoServer x;
    private CountingEchoServer y;
    private Proxy exit;
    private EventLoopGroup group;
    private Channel udp;
    private QuicChannel connection;

    @BeforeAll
    void start() throws Exception {
        x = new CountingEchoServer(InetAddress.getByName("127.0.0.1"));
        y = new CountingEchoServer(InetAddress.getByName("127.0.0.1"));
        Path dataDir = Files.createTempDirectory("tcp2any-tokens");
        exit = Proxy.start(ConfigLoader.parseString("proxy.data-dir = \"" + dataDir + "\"\n"
                + "proxy.routes.exit {\n"
                + "  listen { transport = quic, address = \"127.0.0.1:0\"\n"
                + "    auth.tokens {\n"
                + "      a { token = \"token-a\", allow = [\"127.0.0.1:" + x.port() + "\"] }\n"
                + "      b { token = \"token-b\", allow = [\"127.0.0.1:" + y.port() + "\"] }\n"
                + "    }\n"
                + "  }\n"
                + "  dial { transport = tcp, address = dynamic, allow = [\"127.0.0.0/8\"] }\n}\n", "exit.conf"));
        int port = ((InetSocketAddress) exit.boundAddresses("exit").get(0)).getPort();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new QuicClientCodecBuilder()
                        .sslContext(QuicSslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                                .applicationProtocols(Alpn.TCP_TO_ANY_V1).build())
                        .maxIdleTimeout(30, TimeUnit.SECONDS)
                        .initialMaxData(1 << 20)
                        .initialMaxStreamDataBidirectionalLocal(1 << 20)
                        .build())
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        connection = QuicChannel.newBootstrap(udp).handler(new ChannelInboundHandlerAdapter())
                .remoteAddress(new InetSocketAddress("127.0.0.1", port)).connect().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() throws Exception {
        if (connection != null) {
            connection.close().sync();
        }
        if (udp != null) {
            udp.close().sync();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        if (exit != null) {
            exit.close();
        }
        x.close();
        y.close();
    }

    /**
     * Opens a stream on the shared connection, sends the header with {@code destination} and
     * {@code token}, the payload and a FIN, and returns everything the exit sent back until its FIN.
     */
    private byte[] stream(Destination destination, String token) throws Exception {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        QuicStreamChannel stream = connection.newStreamBootstrap().type(QuicStreamType.BIDIRECTIONAL)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new Collector(answer)).create().get(10, TimeUnit.SECONDS);
        byte[] tokenBytes = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        stream.write(StreamHeader.encode(stream.alloc(), destination, tokenBytes));
        if (destination != null) {
            stream.write(stream.alloc().buffer().writeBytes(PAYLOAD));
        }
        stream.flush();
        // Not waited for: a refused stream may be reset before the FIN goes out; the answer says.
        stream.shutdownOutput();
        try {
            return answer.get(10, TimeUnit.SECONDS);
        } finally {
            stream.close().sync();
        }
    }

    private static byte[] allowedAnswer() {
        byte[] b = new byte[1 + PAYLOAD.length];
        b[0] = ExitAnswer.CONNECTED;
        System.arraycopy(PAYLOAD, 0, b, 1, PAYLOAD.length);
        return b;
    }

    @Test
    void eachStreamIsJudgedByTheAllowListOfItsOwnTokenOnOneConnection() throws Exception {
        Destination toX = new Destination("127.0.0.1", x.port());
        Destination toY = new Destination("127.0.0.1", y.port());
        int xBefore = x.accepted();
        int yBefore = y.accepted();
        long refusedBefore = exit.counters("exit").rejectedPeers().getOrDefault("destination-not-allowed", 0L);

        assertThat(stream(toX, "token-a")).as("A to X").containsExactly(allowedAnswer());
        assertThat(stream(toY, "token-a")).as("A to Y: not allowed").containsExactly(1);
        assertThat(stream(toY, "token-b")).as("B to Y").containsExactly(allowedAnswer());
        assertThat(stream(toX, "token-b")).as("B to X: not allowed").containsExactly(1);
        // and again, interleaved, so nothing about the connection's first stream sticks
        assertThat(stream(toY, "token-a")).as("A to Y after B reached it").containsExactly(1);
        assertThat(stream(toX, "token-a")).as("A to X again").containsExactly(allowedAnswer());

        assertThat(x.accepted() - xBefore).as("X reached by A's two streams only").isEqualTo(2);
        assertThat(y.accepted() - yBefore).as("Y reached by B's stream only").isEqualTo(1);
        assertThat(connection.isActive()).isTrue();
        assertThat(exit.counters("exit").rejectedPeers().getOrDefault("destination-not-allowed", 0L) - refusedBefore)
                .isEqualTo(3);
    }

    @Test
    void aStreamWithoutAKnownTokenIsRefusedAndCounted() throws Exception {
        Destination toX = new Destination("127.0.0.1", x.port());
        int xBefore = x.accepted();
        long before = exit.counters("exit").rejectedPeers().getOrDefault("quic-unauthorized", 0L);
        assertThat(stream(toX, null)).as("no token").containsExactly(1);
        assertThat(stream(toX, "token-c")).as("unknown token").containsExactly(1);
        assertThat(stream(toX, "token-a\0")).as("a longer guess").containsExactly(1);
        // without a destination there is no answer byte to give: the stream is reset
        assertThatThrownBy(() -> stream(null, "token-x")).isInstanceOf(ExecutionException.class);
        assertThat(x.accepted()).isEqualTo(xBefore);
        assertThat(exit.counters("exit").rejectedPeers().getOrDefault("quic-unauthorized", 0L) - before).isEqualTo(4);
        assertThat(connection.isActive()).as("a refused stream leaves the connection alone").isTrue();
    }

    @Test
    void aQuicDialersTokenTravelsInItsStreamHeadersAndSelectsItsAllowList() throws Exception {
        int quicPort = ((InetSocketAddress) exit.boundAddresses("exit").get(0)).getPort();
        Path dataDir = Files.createTempDirectory("tcp2any-tokens-entry");
        Proxy entry = Proxy.start(ConfigLoader.parseString("proxy.data-dir = \"" + dataDir + "\"\n"
                + "proxy.routes.entry {\n"
                + "  listen { transport = socks5, address = \"127.0.0.1:0\" }\n"
                + "  dial { transport = quic, address = \"127.0.0.1:" + quicPort + "\", tls.insecure = true,"
                + " forward-destination = true, token = \"token-a\" }\n}\n", "entry.conf"));
        try {
            InetSocketAddress socks = (InetSocketAddress) entry.boundAddresses("entry").get(0);
            int yBefore = y.accepted();
            String payload = new String(PAYLOAD, StandardCharsets.US_ASCII);
            assertThat(SocksEcho.echo(socks, x.address(), payload)).isEqualTo(payload);
            assertThat(SocksEcho.echo(socks, y.address(), payload)).contains("not allowed");
            assertThat(y.accepted()).isEqualTo(yBefore);
        } finally {
            entry.close();
        }
    }

    @Test
    void theSharedTokenAndNamedTokensTogetherFailCheck() {
        var problems = Proxy.check(ConfigLoader.parseString("proxy.routes.exit {\n"
                + "  listen { transport = quic, address = \"127.0.0.1:0\", auth.token = s3cret\n"
                + "    auth.tokens { a { token = x } } }\n"
                + "  dial { transport = tcp, address = dynamic, allow = [any] }\n}\n", "exit.conf"),
                java.util.Optional.empty());
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).getMessage()).contains("exit.conf: 3").contains("proxy.routes.exit.listen.auth.tokens")
                .contains("do not go together");
    }

    /** Everything a stream receives until the peer's FIN; an abort fails the future. */
    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<byte[]> answer;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Collector(CompletableFuture<byte[]> answer) {
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                byte[] b = new byte[in.readableBytes()];
                in.readBytes(b);
                bytes.writeBytes(b);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                answer.complete(bytes.toByteArray());
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            answer.completeExceptionally(cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            answer.completeExceptionally(new IllegalStateException("stream closed without a FIN"));
        }
    }
}
