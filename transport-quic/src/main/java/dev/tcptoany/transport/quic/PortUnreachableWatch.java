package dev.tcptoany.transport.quic;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.Errors;
import java.net.PortUnreachableException;

/**
 * First handler on a dialer's connected UDP socket: turns the kernel's report of an ICMP "port
 * unreachable" (Linux gives it only to a connected UDP socket, as ECONNREFUSED on the next read or
 * send) into a callback, so a handshake to a port where nothing listens fails at once instead of
 * after the whole handshake timeout. The error is consumed here: the QUIC codec has nothing to do
 * with it, and established connections keep their own liveness checks (keep-alive, idle timeout).
 */
final class PortUnreachableWatch extends ChannelInboundHandlerAdapter {
    private final Runnable onUnreachable;

    PortUnreachableWatch(Runnable onUnreachable) {
        this.onUnreachable = onUnreachable;
    }

    static boolean isPortUnreachable(Throwable cause) {
        return cause instanceof PortUnreachableException
                || cause instanceof Errors.NativeIoException e && e.expectedErr() == Errors.ERROR_ECONNREFUSED_NEGATIVE;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (isPortUnreachable(cause)) {
            onUnreachable.run();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }
}
