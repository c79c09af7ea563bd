package dev.tcptoany.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;

/**
 * {@link ByteStream#shutdownOutput()} for stream sockets (TCP, Unix domain sockets): the FIN goes
 * out after every queued write.
 *
 * <p>Why: Netty's {@link DuplexChannel#shutdownOutput()} fails the writes still waiting in the
 * outbound buffer and sends the FIN at once, which silently truncates a relayed transfer. An empty
 * write queued behind them completes only once they are written; the FIN follows it. When the
 * input has ended already, the FIN is sent by closing the channel.
 */
public final class OrderlyShutdown {
    private OrderlyShutdown() {
    }

    /** Sends FIN after all queued writes; fails if one of them fails. Call on the channel's loop. */
    public static ChannelFuture shutdownOutput(DuplexChannel channel) {
        ChannelPromise done = channel.newPromise();
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (written.isSuccess() && channel.isInputShutdown()) {
                // The peer's FIN came first, so this FIN ends the connection: close() sends it just
                // the same, and skips what shutdownOutput() costs on top (Netty builds a
                // ChannelOutputShutdownException with its stack trace on every call: 3.8% of a relay
                // node's CPU under the connection-rate load, bench/results/profiles/
                // 20261201-tcp-connection-setup.md). Closing on the loop notifies done before
                // channelInactive, which Netty fires later.
                channel.close(done);
            } else if (written.isSuccess()) {
                channel.shutdownOutput(done);
            } else {
                done.tryFailure(written.cause());
            }
        });
        return done;
    }
}
