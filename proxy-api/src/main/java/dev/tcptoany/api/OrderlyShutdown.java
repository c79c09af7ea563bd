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
 * write queued behind them completes only once they are written; the FIN follows it.
 */
public final class OrderlyShutdown {
    private OrderlyShutdown() {
    }

    /** Sends FIN after all queued writes; fails if one of them fails. Call on the channel's loop. */
    public static ChannelFuture shutdownOutput(DuplexChannel channel) {
        ChannelPromise done = channel.newPromise();
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (written.isSuccess()) {
                channel.shutdownOutput(done);
            } else {
                done.tryFailure(written.cause());
            }
        });
        return done;
    }
}
