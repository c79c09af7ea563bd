package dev.tcptoany.examples.unix;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.OrderlyShutdown;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A Unix stream socket as a {@link ByteStream}.
 *
 * <ul>
 *   <li>End of input: with {@code ALLOW_HALF_CLOSURE} on, Netty's epoll channel fires
 *       {@code ChannelInputShutdownEvent} when the peer shuts down its output or closes: exactly
 *       the contract's clean end, so this class adds no handler.</li>
 *   <li>End of output: {@code shutdown(SHUT_WR)} once queued writes are out.</li>
 *   <li>Abort: Unix stream sockets have no reset. {@link #abort} closes the socket; the peer then
 *       reads end-of-file, or gets ECONNRESET when it had sent bytes this side never read (the
 *       kernel's only "dirty close"). So across a unix hop an abort can arrive as a clean end;
 *       the relay still ends both connections promptly.</li>
 *   <li>Writability: the channel's own write-buffer watermarks, which Netty reports truthfully.</li>
 * </ul>
 */
final class UnixByteStream implements ByteStream {
    private final EpollDomainSocketChannel channel;
    private final Path path;

    UnixByteStream(Channel channel, Path path) {
        this.channel = (EpollDomainSocketChannel) channel;
        this.path = path;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public boolean supportsHalfClose() {
        return true;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return OrderlyShutdown.shutdownOutput(channel);
    }

    @Override
    public void abort(String reason) {
        // No SO_LINGER trick exists for AF_UNIX: close is the strongest signal there is.
        channel.close();
    }

    /** "unix /run/app.sock (peer pid 4242 uid 1000)": the path, and who is on the other end. */
    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder("unix ").append(path);
        if (channel.isOpen()) {
            try {
                PeerCredentials peer = channel.peerCredentials();
                sb.append(" (peer pid ").append(peer.pid()).append(" uid ").append(peer.uid()).append(')');
            } catch (IOException | RuntimeException e) {
                // credentials are only decoration for log lines
            }
        }
        return sb.toString();
    }
}
