package dev.tcptoany.transport.quic;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicChannelBootstrap;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One slot's UDP socket with the client codec on it, and the QUIC handshakes over it. Opened on
 * first use, and again if it ever closed. Slot-loop confined.
 *
 * <p>The socket is connected to the upstream address: Linux reports an ICMP "port unreachable" only
 * to a connected UDP socket, and with it a handshake to a port where nothing listens fails at once
 * ({@link PortUnreachableWatch}) instead of after {@code handshake-timeout}. If the upstream's name
 * resolves to another address later, the next connection gets a new socket connected there, and
 * the old one closes once its last QUIC connection has.
 */
final class DialerUdpSocket {
    /** QUIC connections still using a socket, and whether it was replaced (close when unused). */
    private static final AttributeKey<SocketUsers> USERS = AttributeKey.valueOf(DialerUdpSocket.class, "users");

    private final EventLoop loop;
    private final QuicUpstream upstream;
    private final List<Handshake> handshakes = new ArrayList<>();
    private Future<DatagramChannel> udp;
    private InetSocketAddress udpRemote;

    DialerUdpSocket(EventLoop loop, QuicUpstream upstream) {
        this.loop = loop;
        this.upstream = upstream;
    }

    /** Opens one QUIC connection to {@code remote}; fails when the socket cannot open or the handshake fails. */
    Future<QuicChannel> connect(InetSocketAddress remote, DialerConnectionHandler handler) {
        Promise<QuicChannel> connected = loop.newPromise();
        bound(remote).addListener(f -> {
            if (!f.isSuccess()) {
                udp = null;
                connected.setFailure(f.cause());
                return;
            }
            DatagramChannel socket = (DatagramChannel) f.getNow();
            Handshake attempt = new Handshake(socket, remote, connected);
            handshakes.add(attempt);
            handshake(socket, remote, handler, attempt).addListener(h -> {
                handshakes.remove(attempt);
                if (h.isSuccess()) {
                    QuicChannel quic = (QuicChannel) h.getNow();
                    if (connected.trySuccess(quic)) {
                        SocketUsers users = socket.attr(USERS).get();
                        users.connections++;
                        quic.closeFuture().addListener(x -> users.release());
                    } else {
                        quic.close(); // failed already (port unreachable) while the handshake ended
                    }
                } else {
                    connected.tryFailure(h.cause());
                }
            });
        });
        return connected;
    }

    /** The kernel reported ICMP port unreachable on {@code socket}: fail its handshakes now. */
    private void portUnreachable(DatagramChannel socket) {
        for (Handshake attempt : List.copyOf(handshakes)) {
            if (attempt.socket == socket) {
                attempt.fail(new PortUnreachableException(attempt.remote.getAddress().getHostAddress() + ":"
                        + attempt.remote.getPort() + " refused the connection: nothing listens on that UDP port "
                        + "(ICMP port unreachable)"));
            }
        }
    }

    private Future<DatagramChannel> bound(InetSocketAddress remote) {
        boolean usable = udp != null && (!udp.isDone() || (udp.isSuccess() && udp.getNow().isActive()));
        if (usable && remote.equals(udpRemote)) {
            return udp;
        }
        if (usable) {
            retire(udp);
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
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.attr(USERS).set(new SocketUsers(ch));
                        ch.pipeline().addLast(new PortUnreachableWatch(() -> portUnreachable(ch)));
                        UdpSockets.install(ch.pipeline(), codec);
                    }
                });
        Promise<DatagramChannel> p = loop.newPromise();
        // connect() binds an ephemeral port and connects: see the class comment for why.
        b.connect(remote).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                DatagramChannel ch = (DatagramChannel) f.channel();
                UdpSockets.warnIfClamped(ch, settings.tuning(), upstream.describe());
                p.setSuccess(ch);
            } else {
                p.setFailure(f.cause());
            }
        });
        udp = p;
        udpRemote = remote;
        return p;
    }

    /** A socket connected to an address the upstream no longer resolves to: close it once unused. */
    private static void retire(Future<DatagramChannel> old) {
        old.addListener(f -> {
            if (f.isSuccess()) {
                ((DatagramChannel) f.getNow()).attr(USERS).get().retire();
            }
        });
    }

    private Future<QuicChannel> handshake(DatagramChannel socket, InetSocketAddress remote,
                                          DialerConnectionHandler handler, Handshake attempt) {
        QuicChannelBootstrap b = QuicChannel.newBootstrap(socket)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        attempt.channel = ch;
                        ch.pipeline().addLast(handler);
                    }
                })
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

    /** A handshake under way: failed at once when its socket learns the port is closed. */
    private static final class Handshake {
        final DatagramChannel socket;
        final InetSocketAddress remote;
        final Promise<QuicChannel> result;
        Channel channel;

        Handshake(DatagramChannel socket, InetSocketAddress remote, Promise<QuicChannel> result) {
            this.socket = socket;
            this.remote = remote;
            this.result = result;
        }

        void fail(Throwable cause) {
            if (result.tryFailure(cause) && channel != null) {
                channel.close();
            }
        }
    }

    /** Counts the QUIC connections on one socket, so a replaced socket closes after its last one. */
    private static final class SocketUsers {
        final DatagramChannel socket;
        int connections;
        boolean retired;

        SocketUsers(DatagramChannel socket) {
            this.socket = socket;
        }

        void release() {
            connections--;
            closeIfDone();
        }

        void retire() {
            retired = true;
            closeIfDone();
        }

        private void closeIfDone() {
            if (retired && connections <= 0) {
                socket.close();
            }
        }
    }
}
