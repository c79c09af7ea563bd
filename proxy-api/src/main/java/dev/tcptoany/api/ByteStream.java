package dev.tcptoany.api;

import dev.tcptoany.api.policy.AuthenticatedClient;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.Optional;

/**
 * One tunnelled connection as the relay sees it, whatever the transport: a Netty {@link Channel}
 * whose pipeline tail reads and writes {@link io.netty.buffer.ByteBuf}, plus the two ways it can
 * end.
 *
 * <h2>Contract for transports</h2>
 * <ul>
 *   <li><b>Bytes:</b> the host adds its handler at the end of the pipeline and reads
 *       {@code ByteBuf}s there; it writes {@code ByteBuf}s with {@link Channel#write}. Framing,
 *       headers and control messages stay in the transport's own handlers in front of it.</li>
 *   <li><b>Reads:</b> a stream is handed over with auto-read off, and the host drives reading
 *       from then on; a transport does not call {@code Channel.read()} before the host did. Whatever its own
 *       handlers read before the host's first {@code read()} (bytes behind a handshake answer,
 *       frames pipelined behind a request) must be kept, e.g. by a {@link HoldUntilFirstRead}
 *       installed before any codec swap.</li>
 *   <li><b>Clean end of input</b> (TCP FIN, QUIC stream FIN, our WebSocket half-close message):
 *       fire {@link ChannelInputShutdownEvent#INSTANCE} as a user event, after the last byte. The
 *       channel stays open for writing.</li>
 *   <li><b>Abort</b> (TCP reset, RESET_STREAM or STOP_SENDING, WebSocket close 4xxx, a protocol
 *       error): close the channel, or fire {@code exceptionCaught}, <em>without</em> firing
 *       {@code ChannelInputShutdownEvent} first. The relay then aborts the other side, so a
 *       truncated transfer never looks complete.</li>
 *   <li><b>Backpressure:</b> {@link Channel#isWritable()} and {@code channelWritabilityChanged}
 *       must be truthful; the relay stops reading the other side while this one is not writable.
 *       A transport whose own channel under-reports its buffering must bound it itself, e.g. with
 *       {@code ChannelOutboundBuffer#setUserDefinedWritability}.</li>
 * </ul>
 */
public interface ByteStream {

    /** The channel carrying the bytes. */
    Channel channel();

    /**
     * Whether {@link #shutdownOutput()} ends only this direction. When false, ending output closes
     * the whole stream after flushing, and bytes the peer still sends are lost; the relay then
     * behaves like the original tool (either side's end closes both).
     */
    boolean supportsHalfClose();

    /**
     * Sends a clean end-of-stream after every pending write has been written (TCP FIN, QUIC FIN, WebSocket
     * half-close message), or closes after flushing when half-close is not supported. Called on the
     * channel's event loop. Beware: Netty's own {@code shutdownOutput()} on TCP and QUIC channels
     * drops writes still queued in the outbound buffer; wait for them first (e.g. complete an
     * empty {@code writeAndFlush} before shutting down).
     */
    ChannelFuture shutdownOutput();

    /**
     * Ends the stream so that the peer sees an abort, not an end: TCP with SO_LINGER 0 (a reset),
     * QUIC with RESET_STREAM and STOP_SENDING, WebSocket with a close code in the 4000 range.
     * Pending writes are dropped. Called on the channel's event loop; idempotent.
     *
     * @param reason a short, human-readable reason, carried to the peer where the protocol can
     */
    void abort(String reason);

    /**
     * Whether the relay may write more now. The relay stops reading the other side while this is
     * false and resumes on the next {@code channelWritabilityChanged} for which it is true.
     * Defaults to {@link Channel#isWritable()}; a transport that keeps its own bounded backlog in
     * front of the channel (QUIC keeps one so quiche always has data when its window opens)
     * reports that backlog here, and fires the writability event on its edges.
     */
    default boolean isWritable() {
        return channel().isWritable();
    }

    /**
     * Writes bytes toward the peer without flushing; callable from any thread (the relay writes from
     * the other side's event loop). Takes ownership of the buffer. Defaults to a write on
     * {@link #channel()}; a transport whose {@link #isWritable()} bounds a backlog of its own counts
     * the bytes here, on the writer's thread, so the bound holds before the write reaches the
     * channel's loop.
     */
    default void write(ByteBuf bytes) {
        Channel ch = channel();
        ch.write(bytes, ch.voidPromise());
    }

    /**
     * The target the client asked for, on a stream an entry point accepted (SOCKS5 CONNECT, HTTP
     * CONNECT, a stream header or upgrade header carrying one from another node); empty for a stream
     * that names none (plain TCP). The host passes it on in {@link DialRequest#destination()}.
     */
    default Optional<Destination> requestedDestination() {
        return Optional.empty();
    }

    /**
     * The client a listener recognised on this stream (by a token from {@code auth.tokens}, or its
     * certificate), whose allow list a dynamic dial then uses for this stream; empty when the
     * listener names none. The host passes it on in {@link DialRequest#client()}.
     */
    default Optional<AuthenticatedClient> authenticatedClient() {
        return Optional.empty();
    }

    /**
     * The host's answer to an accepted stream: its upstream is connected and the relay starts now.
     * Called once, on this stream's event loop, before the host reads this stream or writes to it.
     * An entry point that promised its client an answer writes it here (SOCKS5 reply 0x00,
     * {@code 200 Connection established}, our stream status), so the client learns of success only
     * once the far end really connected. The default does nothing.
     */
    default void upstreamConnected() {
    }

    /**
     * The host's answer to an accepted stream whose dial failed: end the stream in this transport's
     * terms for {@code failure} (SOCKS5 reply 0x02/0x04/0x05/0x06, HTTP 403/502/504, our stream
     * status). Called once, on this stream's event loop, instead of {@link #upstreamConnected()}; the
     * host reads and writes nothing more. The default aborts, as before failures had kinds.
     *
     * @param reason what failed, for the log and, where the protocol carries text, the client
     */
    default void upstreamFailed(DialFailure failure, String reason) {
        abort(reason);
    }

    /** For log lines: transport, local and remote address, e.g. {@code "quic 10.0.0.1:4242 stream 8"}. */
    default String describe() {
        Channel ch = channel();
        return ch.localAddress() + " <-> " + ch.remoteAddress();
    }
}
