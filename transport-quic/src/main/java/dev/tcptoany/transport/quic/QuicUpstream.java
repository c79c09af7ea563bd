package dev.tcptoany.transport.quic;

import dev.tcptoany.api.TransportContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslEngine;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The upstream one dialer connects to, as every slot of it sees it: the host's context, the route's
 * dial settings, the TLS context built once for them, and how the upstream is named in log lines
 * and errors.
 */
record QuicUpstream(TransportContext context, QuicDialerSettings settings, QuicSslContext ssl, String serverName,
                    QuicConnectionStatistics statistics) {

    QuicUpstream(TransportContext context, QuicDialerSettings settings, QuicSslContext ssl,
                 QuicConnectionStatistics statistics) {
        this(context, settings, ssl, QuicTlsContexts.serverName(settings), statistics);
    }

    String describe() {
        return "quic upstream " + settings.address() + " (route " + context.routeName() + ")";
    }

    /**
     * The upstream's address now, from the host's resolver for {@code loop} (asynchronous: a silent
     * DNS server must not stall the loop's other connections; an IP literal needs no query). A
     * failure is an {@link java.net.UnknownHostException} that names the host and says why.
     */
    Future<InetSocketAddress> resolve(EventLoop loop) {
        return context.addressResolvers().getResolver(loop).resolve(settings.address().unresolved());
    }

    QuicSslEngine newSslEngine(QuicChannel connection) {
        return ssl.newEngine(connection.alloc(), serverName, settings.address().port());
    }

    IllegalStateException dialerClosed() {
        return new IllegalStateException("quic dialer of route " + context.routeName() + " is closed");
    }

    /** Why a connection or stream could not be opened, as a log line or an error should say it. */
    static String describeFailure(Throwable cause) {
        if (cause == null) {
            return "unknown";
        }
        String name = cause.getClass().getSimpleName();
        String msg = cause.getMessage();
        if (cause instanceof ConnectTimeoutException || name.equals("QuicTimeoutClosedChannelException")) {
            return "no answer (handshake timed out): " + (msg == null ? name : msg);
        }
        if (cause instanceof UnknownHostException && msg != null) {
            return msg; // the host's resolver says "cannot resolve 'name': why"
        }
        return msg == null ? name : name + ": " + msg;
    }
}
