package dev.tcptoany.core;

import dev.tcptoany.api.Dialer;
import dev.tcptoany.api.DialerFactory;
import dev.tcptoany.api.HostPort;
import dev.tcptoany.api.Listener;
import dev.tcptoany.api.ListenerFactory;
import dev.tcptoany.api.SocketListener;
import dev.tcptoany.api.StreamAcceptor;
import dev.tcptoany.api.TransportProvider;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A test transport whose listener binds a real loopback socket only when the test says so, so a
 * test can watch the host while one route is bound and another is still binding (a tcp bind
 * completes at once, and a failed one stops the start). Routes without a {@link #holdBind cue}
 * bind at once. Accepted sockets are closed (no test here relays through it); it cannot dial
 * anything: every dial fails.
 */
public final class BindOnCueTransport implements TransportProvider {
    private static final Map<String, Cue> CUES = new ConcurrentHashMap<>();

    /** What the test holds for one route: released, the listener binds. */
    public static final class Cue {
        private final CountDownLatch binding = new CountDownLatch(1);
        private volatile Runnable bind;

        /** Waits until the host asked the route's listener to bind. */
        public void awaitBinding() throws InterruptedException {
            binding.await();
        }

        /** Lets the listener bind now, on the caller's thread. */
        public void release() {
            bind.run();
        }
    }

    /** The listener of {@code route} will not bind until the returned cue is released. */
    public static Cue holdBind(String route) {
        Cue cue = new Cue();
        CUES.put(route, cue);
        return cue;
    }

    @Override
    public String name() {
        return "bind-on-cue";
    }

    @Override
    public Optional<ListenerFactory> listenerFactory() {
        return Optional.of(ctx -> {
            SocketListener socket = new SocketListener(ctx, HostPort.parse(ctx.config().getString("address")),
                    "bind-on-cue", b -> { }, acceptor -> new CloseAccepted());
            Cue cue = CUES.remove(ctx.routeName());
            return new Listener() {
                @Override
                public Future<List<SocketAddress>> start(StreamAcceptor acceptor) {
                    if (cue == null) {
                        return socket.start(acceptor);
                    }
                    Promise<List<SocketAddress>> bound = GlobalEventExecutor.INSTANCE.newPromise();
                    cue.bind = () -> socket.start(acceptor).addListener(f -> {
                        if (f.isSuccess()) {
                            @SuppressWarnings("unchecked")
                            List<SocketAddress> addresses = (List<SocketAddress>) f.getNow();
                            bound.setSuccess(addresses);
                        } else {
                            bound.setFailure(f.cause());
                        }
                    });
                    cue.binding.countDown();
                    return bound;
                }

                @Override
                public Future<?> stopAccepting() {
                    return socket.stopAccepting();
                }

                @Override
                public Future<?> close() {
                    return socket.close();
                }
            };
        });
    }

    @Override
    public Optional<DialerFactory> dialerFactory() {
        return Optional.of(ctx -> new Dialer() {
            @Override
            public Future<dev.tcptoany.api.ByteStream> dial(dev.tcptoany.api.DialRequest request) {
                return GlobalEventExecutor.INSTANCE.newFailedFuture(new ConnectException("bind-on-cue does not dial"));
            }

            @Override
            public Future<?> close() {
                return GlobalEventExecutor.INSTANCE.newSucceededFuture(null);
            }
        });
    }

    @ChannelHandler.Sharable
    private static final class CloseAccepted extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }
    }
}
