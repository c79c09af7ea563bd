package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.Destination;
import dev.tcptoany.api.DialFailure;
import dev.tcptoany.api.policy.AuthenticatedClient;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.util.Optional;

/**
 * A bidirectional QUIC stream as the relay sees it.
 *
 * <p>Under our ALPN it half-closes: {@link #shutdownOutput()} sends FIN after the last byte and the
 * peer may keep sending. Under the original tool's ALPN ({@code proto}) it does not (that peer
 * closes both directions on either end), so ending output closes the stream after flushing.
 */
final class QuicByteStream implements ByteStream {
    private final QuicStreamChannel stream;
    private final StreamWriteGate gate;
    private final boolean halfClose;
    /** On an exit's stream: what the version 2 header asked for; the exit then owes an answer. */
    private final Optional<Destination> requested;
    /** On an exit's stream: the client whose token the header carried (auth.tokens). */
    private final Optional<AuthenticatedClient> client;
    private boolean aborted;

    QuicByteStream(QuicStreamChannel stream, StreamWriteGate gate, boolean halfClose) {
        this(stream, gate, halfClose, Optional.empty(), Optional.empty());
    }

    QuicByteStream(QuicStreamChannel stream, StreamWriteGate gate, boolean halfClose, Optional<Destination> requested,
                   Optional<AuthenticatedClient> client) {
        this.stream = stream;
        this.gate = gate;
        this.halfClose = halfClose;
        this.requested = requested;
        this.client = client;
    }

    @Override
    public Optional<AuthenticatedClient> authenticatedClient() {
        return client;
    }

    @Override
    public Optional<Destination> requestedDestination() {
        return requested;
    }

    /** The status byte goes first: node 1 learns the dial worked before any payload. */
    @Override
    public void upstreamConnected() {
        if (requested.isPresent()) {
            stream.writeAndFlush(ExitAnswer.encode(stream.alloc(), null));
        }
    }

    /** The status byte, then FIN: a refusal is an answer, not an abort. */
    @Override
    public void upstreamFailed(DialFailure failure, String reason) {
        if (requested.isEmpty()) {
            abort(reason);
            return;
        }
        stream.writeAndFlush(ExitAnswer.encode(stream.alloc(), failure));
        ChannelPromise done = stream.newPromise();
        gate.shutdownOutput(done);
        done.addListener(f -> stream.close());
    }

    @Override
    public Channel channel() {
        return stream;
    }

    /** The gate's bounded backlog, not the stream channel's flag (which tracks quiche's capacity). */
    @Override
    public boolean isWritable() {
        return gate.isWritable();
    }

    /** From another loop the bytes are counted first (the gate's class comment says why). */
    @Override
    public void write(ByteBuf bytes) {
        if (stream.eventLoop().inEventLoop()) {
            stream.write(bytes, stream.voidPromise());
        } else {
            gate.countCrossLoopWrite(bytes.readableBytes());
            stream.write(new CrossLoopWrite(bytes), stream.voidPromise());
        }
    }

    @Override
    public boolean supportsHalfClose() {
        return halfClose;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        ChannelPromise promise = stream.newPromise();
        gate.shutdownOutput(promise);
        if (!halfClose) {
            promise.addListener(f -> stream.close());
        }
        return promise;
    }

    @Override
    public void abort(String reason) {
        if (aborted) {
            return;
        }
        aborted = true;
        gate.forwardHeldNow();
        gate.discard(new QuicStreamAbortedException("aborted: " + reason, null));
        if (stream.isActive()) {
            // RESET_STREAM and STOP_SENDING together: the peer sees an abort in both directions.
            stream.shutdown(QuicErrorCodes.STREAM_ABORTED).addListener(f -> stream.close());
        }
    }

    @Override
    public String describe() {
        return "quic " + stream.parent().remoteSocketAddress() + " stream " + stream.streamId();
    }
}
