package dev.tcptoany.transport.quic;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicChannelBootstrap;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One slot's UDP socket with the client codec on it, and the QUIC handshakes over it. Bound on
 * first use, and again if it ever closed. Slot-loop confined.
 */
final class DialerUdpSocket {
    private final EventLoop loop;
    private final QuicUpstream upstream;
    private Future<DatagramChannel> udp;

    DialerUdpSocket(EventLoop loop, QuicUpstream upstream) {
        this.loop = loop;
        this.upstream = upstream;
    }

    /** Opens one QUIC connection to {@code remote}; fails when the socket cannot bind or the handshake fails. */
    Future<QuicChannel> connect(InetSocketAddress remote, DialerConnectionHandler handler) {
        Promise<QuicChannel> connected = loop.newPromise();
        bound(remote).addListener(f -> {
            if (!f.isSuccess()) {
                udp = null;
                connected.setFailure(f.cause());
                return;
            }
            handshake((DatagramChannel) f.getNow(), remote, handler).addListener(h -> {
                if (h.isSuccess()) {
                    connected.setSuccess((QuicChannel) h.getNow());
                } else {
                    connected.setFailure(h.cause());
                }
            });
        });
        return connected;
    }

    private Future<DatagramChannel> bound(InetSocketAddress remote) {
        if (udp != null && (!udp.isDone() || (udp.isSuccess() && udp.getNow().isActive()))) {
            return udp;
        }
        QuicDialerSettings settings = upstream.settings();
        boolean loopback = remote.getAddress().isLoopbackAddress();
        ChannelHandler codec = settings.tuning().applyTo(new QuicClientCodecBuilder(), loopback)
                .sslEngineProvider(upstream::newSslEngine)
                .maxIdleTimeout(settings.idleTimeoutMillis(), TimeUnit.MILLISECONDS)
                // The listener never opens streams toward us.
                .initialMaxStreamsBidirectional(0)
                .activeMigration(false)
                // Lets the keep-alive ping with a tiny datagram (see DialerKeepAlive).
                .datagram(16, 16)
                .build();
        Bootstrap b = UdpSockets.bootstrap(loop, upstream.context().network(), upstream.context().allocator(),
                        settings.tuning())
                .handler(UdpSockets.pipeline(codec));
        Promise<DatagramChannel> p = loop.newPromise();
        b.bind(new InetSocketAddress(0)).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                DatagramChannel ch = (DatagramChannel) f.channel();
                UdpSockets.warnIfClamped(ch, settings.tuning(), upstream.describe());
                p.setSuccess(ch);
            } else {
                p.setFailure(f.cause());
            }
        });
        udp = p;
        return p;
    }

    private Future<QuicChannel> handshake(DatagramChannel socket, InetSocketAddress remote,
                                          DialerConnectionHandler handler) {
        QuicChannelBootstrap b = QuicChannel.newBootstrap(socket)
                .handler(handler)
                .remoteAddress(remote)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) upstream.settings().handshakeTimeoutMillis());
        QuicChannelOptions.forPeer(upstream.settings().tuning(), upstream.context().network().isEpoll(),
                remote.getAddress().isLoopbackAddress()).applyTo(b);
        return b.connect();
    }

    /** Closes the socket (once a bind under way has finished); {@code done} completes after. */
    void close(Promise<Void> done) {
        if (udp != null && udp.isSuccess()) {
            udp.getNow().close().addListener(x -> done.trySuccess(null));
        } else if (udp != null && !udp.isDone()) {
            // Held here: a failed bind clears the field before this listener runs.
            Future<DatagramChannel> binding = udp;
            binding.addListener(x -> {
                if (binding.isSuccess()) {
                    binding.getNow().close();
                }
                done.trySuccess(null);
            });
        } else {
            done.trySuccess(null);
        }
    }
}
