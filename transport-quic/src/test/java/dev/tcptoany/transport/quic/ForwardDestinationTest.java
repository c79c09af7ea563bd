package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.Destination;
import dev.tcptoany.api.DialFailedException;
import dev.tcptoany.api.DialFailure;
import dev.tcptoany.api.DialRequest;
import dev.tcptoany.api.TlsIdentity;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.InsecureQuicTokenHandler;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code forward-destination}: the version 2 header, the exit's answer, and an exit that only knows version 1. */
class ForwardDestinationTest extends QuicTestSupport {

    private static io.netty.util.concurrent.Future<ByteStream> dialTo(QuicDialer d, Destination destination) {
        return d.dial(new DialRequest(env.group.next(), Duration.ofSeconds(10), "test", Optional.of(destination)));
    }

    @Test
    void theExitSeesTheDestinationAndItsAnswerCompletesOrFailsTheDial() throws Exception {
        Server server = listen("");
        QuicDialer d = dialer(server, "forward-destination = true");
        var ok = dialTo(d, new Destination("db.internal.example", 5432));
        ByteStream exitSide = server.next();
        assertThat(exitSide.requestedDestination()).contains(new Destination("db.internal.example", 5432));
        assertThat(ok.await(300, TimeUnit.MILLISECONDS)).as("no dial success before the exit answered").isFalse();
        exitSide.channel().eventLoop().execute(exitSide::upstreamConnected);
        ByteStream entrySide = ok.get(10, TimeUnit.SECONDS);
        assertThat(entrySide.channel().isActive()).isTrue();

        var refused = dialTo(d, new Destination("10.1.2.3", 22));
        ByteStream second = server.next();
        assertThat(second.requestedDestination()).contains(new Destination("10.1.2.3", 22));
        second.channel().eventLoop().execute(() -> second.upstreamFailed(DialFailure.REFUSED, "test"));
        assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DialFailedException.class).hasMessageContaining("refused")
                .satisfies(e -> assertThat(((DialFailedException) e).failure()).isEqualTo(DialFailure.REFUSED));
        entrySide.channel().eventLoop().execute(() -> entrySide.abort("done"));
    }

    @Test
    void withoutForwardDestinationTheHeaderStaysVersionOne() throws Exception {
        Server server = listen("");
        QuicDialer d = dialer(server, "");
        ByteStream entrySide = dialTo(d, new Destination("db.internal.example", 5432)).get(10, TimeUnit.SECONDS);
        assertThat(server.next().requestedDestination()).isEmpty();
        entrySide.channel().eventLoop().execute(() -> entrySide.abort("done"));
    }

    @Test
    void anExitThatOnlyKnowsVersionOneResetsTheStreamAndTheDialFails() throws Exception {
        TlsIdentity identity = TestTls.generate("v1-exit");
        QuicSslContext ssl = QuicSslContextBuilder.forServer(identity.key(), null,
                        identity.chain().toArray(new X509Certificate[0]))
                .applicationProtocols(Alpn.TCP_TO_ANY_V1).build();
        AtomicInteger reset = new AtomicInteger();
        AtomicInteger fixedDials = new AtomicInteger();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .handler(new QuicServerCodecBuilder().sslContext(ssl)
                            .maxIdleTimeout(10, TimeUnit.SECONDS)
                            .initialMaxData(1 << 20)
                            .initialMaxStreamDataBidirectionalRemote(1 << 20)
                            .initialMaxStreamsBidirectional(100)
                            .tokenHandler(InsecureQuicTokenHandler.INSTANCE)
                            .handler(new ChannelInboundHandlerAdapter())
                            .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                                @Override
                                protected void initChannel(QuicStreamChannel stream) {
                                    stream.pipeline().addLast(new VersionOneExit(reset, fixedDials));
                                }
                            }).build())
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            int port = ((InetSocketAddress) udp.localAddress()).getPort();
            QuicDialer d = dialerTo(port, "tls.pin-sha256 = [\"" + identity.sha256Fingerprint() + "\"]\nforward-destination = true");
            var dial = dialTo(d, new Destination("10.1.2.3", 22));
            assertThatThrownBy(() -> dial.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(DialFailedException.class).hasMessageContaining("version 1");
            assertThat(reset.get()).isEqualTo(1);
            assertThat(fixedDials.get()).as("the old exit never dialled its fixed upstream").isZero();
            udp.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void forwardDestinationWithOnlyTheOriginalAlpnFailsCheck() {
        assertThatThrownBy(() -> provider.dialerFactory().orElseThrow().create(env.dial(
                "address = \"127.0.0.1:4202\"\nalpn = [proto]\nforward-destination = true")))
                .hasMessageContaining("forward-destination").hasMessageContaining("proto");
    }

    /** What an exit of the previous version does with a stream header: version 1 or a reset. */
    private static final class VersionOneExit extends ChannelInboundHandlerAdapter {
        private final AtomicInteger reset;
        private final AtomicInteger fixedDials;

        VersionOneExit(AtomicInteger reset, AtomicInteger fixedDials) {
            this.reset = reset;
            this.fixedDials = fixedDials;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            int version = in.getUnsignedByte(in.readerIndex());
            in.release();
            if (version != 1) {
                reset.incrementAndGet();
                ((QuicStreamChannel) ctx.channel()).shutdown(QuicErrorCodes.STREAM_BAD_HEADER).addListener(f -> ctx.close());
            } else {
                fixedDials.incrementAndGet();
            }
        }
    }
}
