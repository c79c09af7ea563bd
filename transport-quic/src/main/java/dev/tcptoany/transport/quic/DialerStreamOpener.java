package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.DialFailedException;
import dev.tcptoany.api.DialFailure;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Opens a bidirectional stream on a pooled connection for one waiting dial and hands it over as a
 * {@link QuicByteStream}, its writes bounded by a {@link StreamWriteGate}. Toward our own listener
 * the {@link StreamHeader} goes first; the original tool gets raw bytes. Slot-loop confined.
 */
final class DialerStreamOpener {
    private final QuicUpstream upstream;
    private final Consumer<Promise<ByteStream>> retryElsewhere;
    private final Consumer<PooledConnection> streamClosed;
    /** The dialer's {@code token} as the header carries it, or null. */
    private final byte[] token;

    /**
     * @param retryElsewhere takes back a dial whose connection ran out of stream credit meanwhile
     * @param streamClosed   told when a stream this opened has closed
     */
    DialerStreamOpener(QuicUpstream upstream, Consumer<Promise<ByteStream>> retryElsewhere,
                       Consumer<PooledConnection> streamClosed) {
        this.upstream = upstream;
        this.retryElsewhere = retryElsewhere;
        this.streamClosed = streamClosed;
        this.token = upstream.settings().token().map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    void open(PooledConnection c, Promise<ByteStream> dial) {
        if (dial == null) {
            return;
        }
        ForwardingDial forwarding = dial instanceof ForwardingDial f ? f : null;
        if (forwarding != null && c.original()) {
            dial.tryFailure(new DialFailedException(DialFailure.UNREACHABLE, upstream.describe() + " speaks the original"
                    + " tool's protocol (ALPN proto), which has no stream header to carry a destination;"
                    + " forward-destination needs a tcp-to-any node there (ALPN " + Alpn.TCP_TO_ANY_V1 + ")"));
            return;
        }
        StreamWriteGate gate = new StreamWriteGate();
        c.creatingStream();
        c.channel().createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel stream) {
                QuicChannelOptions.applyToLocallyOpened(stream);
                stream.pipeline().addLast(new StreamReadCompleteBatcher(), gate);
            }
        }).addListener(f -> {
            c.creationEnded();
            if (!f.isSuccess()) {
                if (c.channel().isActive() && c.channel().peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) == 0) {
                    // Lost a race for the last stream credit: try elsewhere.
                    retryElsewhere.accept(dial);
                } else {
                    dial.tryFailure(new ConnectException(upstream.describe() + ": cannot open a stream: "
                            + QuicUpstream.describeFailure(f.cause())));
                }
                return;
            }
            QuicStreamChannel stream = (QuicStreamChannel) f.getNow();
            c.streamOpened();
            stream.closeFuture().addListener(x -> streamClosed.accept(c));
            if (!c.original()) {
                // At once, so the listener learns of the stream before the client speaks.
                ByteBuf header = StreamHeader.encode(stream.alloc(),
                        forwarding != null ? forwarding.destination() : null, token);
                stream.writeAndFlush(header).addListener(h -> {
                    if (!h.isSuccess()) {
                        QuicConnectionPool.LOG.debug("{}: stream header not sent: {}", upstream.describe(),
                                h.cause().toString());
                    }
                });
            }
            QuicByteStream byteStream = new QuicByteStream(stream, gate, !c.original());
            upstream.statistics().streamOpened(stream);
            if (forwarding != null) {
                // The dial completes once the exit answered (ExitAnswerReader).
                stream.pipeline().addLast(new ExitAnswerReader(dial, byteStream,
                        upstream.describe() + " to " + forwarding.destination()));
                return;
            }
            if (!dial.trySuccess(byteStream)) {
                byteStream.abort("dial cancelled");
            }
        });
    }
}
