package dev.tcptoany.core;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.DialFailedException;
import dev.tcptoany.api.DialFailure;
import dev.tcptoany.api.DialRequest;
import dev.tcptoany.api.HoldUntilFirstRead;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one accepted connection to its upstream, whatever the two transports are.
 *
 * <p>Threading: each {@link Side} runs on its own channel's event loop and owns its fields. The two
 * sides may live on different loops (a QUIC stream lives on its connection's loop), so a side acts
 * on its peer only through thread-safe channel operations ({@code write}, {@code flush},
 * {@code read}) or by scheduling onto the peer's loop. Netty keeps tasks submitted from one thread
 * in order, so bytes written before an end-of-stream always arrive before it.
 *
 * <p>Backpressure: every stream arrives with auto-read off, and the relay asks for each read burst
 * with {@code read()}: the first once both sides are wired, the next after a burst ends while the
 * peer is still writable, or else when the peer's writability returns. At most one read burst per
 * side is in flight beyond the peer's high-water mark.
 *
 * <p>Ends: a clean end of input ({@link ChannelInputShutdownEvent}) becomes
 * {@link ByteStream#shutdownOutput()} on the other side; when both directions have ended, both
 * channels close. Anything else (a reset, an error, a channel closing early) aborts the other side,
 * so a truncated transfer looks truncated at both ends.
 *
 * <p>Splice: on a route with {@code splice = auto}, when both ends are plain TCP sockets on one epoll
 * loop, each side's input is spliced into the peer by a {@link SplicedDirection} instead of passing
 * through {@link Side#channelRead}; ends, aborts, counters and timers stay with the sides as above.
 */
final class Relay {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final RouteRuntime route;
    private final Side client;
    private volatile Side upstream;
    private final AtomicInteger finishedSides = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Last byte seen either way (System.nanoTime); written by both loops, read by the timer. */
    private volatile long lastActivity = System.nanoTime();
    private volatile boolean halfClosed;
    private Future<ByteStream> dial;
    private ScheduledFuture<?> timer;
    private final long startNanos = System.nanoTime();
    /** The first cause of the end wins (see {@link EndReason}). */
    private final AtomicReference<EndReason> endReason = new AtomicReference<>();
    /** "client", "upstream" or "proxy": who ended first (a FIN, an abort, a timeout). */
    private final AtomicReference<String> firstEnded = new AtomicReference<>();
    /** Read at start: a closed channel may no longer know its peer. */
    private final String clientAddress;

    /** The route's configuration and dialer when this connection came: a reload may swap the route's. */
    private final RouteConfig config;
    private final dev.tcptoany.api.Dialer dialer;

    Relay(RouteRuntime route, ByteStream clientStream) {
        this.route = route;
        this.config = route.config();
        this.dialer = route.dialer();
        this.client = new Side(clientStream, true);
        this.clientAddress = peerOf(clientStream);
    }

    /** host:port of the stream's peer; a QUIC stream's peer is its connection's. */
    static String peerOf(ByteStream stream) {
        Channel ch = stream.channel();
        for (Channel c = ch; c != null; c = c.parent()) {
            SocketAddress a = c.remoteAddress();
            if (a instanceof InetSocketAddress inet) {
                return inet.getAddress() == null ? inet.getHostString() + ":" + inet.getPort()
                        : new dev.tcptoany.api.HostPort(inet.getAddress().getHostAddress(), inet.getPort()).toString();
            }
        }
        return stream.describe();
    }

    /** Notes who ended first; the end reason is kept only if none was set before. */
    private void endedBy(String side, EndReason reason) {
        firstEnded.compareAndSet(null, side);
        if (reason != null) {
            endReason.compareAndSet(null, reason);
        }
    }

    private static EndReason abortOf(boolean isClient) {
        return isClient ? EndReason.CLIENT_ABORT : EndReason.UPSTREAM_ABORT;
    }

    /** Runs on the accepted channel's loop. */
    void start() {
        Channel ch = client.channel;
        route.counters().opened();
        route.started(this);
        route.track(ch);
        client.attach();
        if (!ch.isActive()) {
            // Closed before we got it; the handler's channelInactive is not coming.
            endedBy("client", EndReason.CLIENT_ABORT);
            finish();
            return;
        }
        DialRequest request = new DialRequest(ch.eventLoop(), route.timeouts().connect(),
                "route " + route.name() + " client " + ch.remoteAddress(), client.stream.requestedDestination(),
                client.stream.authenticatedClient());
        if (request.destination().isPresent() && !dialer.dialsClientDestination()) {
            // Connecting the client somewhere it did not ask for would be worse than refusing.
            dialFailed(new DialFailedException(DialFailure.NOT_ALLOWED, "this route dials the fixed address "
                    + config.dialDescription() + ", not the destination its client names; dial it with"
                    + " address = dynamic and allow = [...] (tcp), or forward-destination = true toward an exit"));
            return;
        }
        try {
            dial = dialer.dial(request);
        } catch (RuntimeException e) {
            dialFailed(e);
            return;
        }
        long connectMillis = route.timeouts().connect().toMillis();
        ScheduledFuture<?> connectTimer = ch.eventLoop().schedule(() -> {
            if (dial.cancel(false)) {
                dialFailed(new DialFailedException(DialFailure.TIMEOUT, "connect timeout after " + connectMillis + " ms"));
            }
        }, connectMillis, TimeUnit.MILLISECONDS);
        dial.addListener(f -> {
            connectTimer.cancel(false);
            if (f.isCancelled()) {
                return;
            }
            if (!f.isSuccess()) {
                client.onLoop(() -> dialFailed(f.cause()));
                return;
            }
            ByteStream up = (ByteStream) f.getNow();
            route.counters().dialed(System.nanoTime() - startNanos);
            Side u = new Side(up, false);
            // Attach at once, on the stream's loop: epoll reads once on a peer's FIN even with
            // auto-read off, and what it reads must reach a handler that keeps it (Side.attach).
            u.onLoop(u::attach);
            client.onLoop(() -> connected(u));
        });
    }

    private void connected(Side u) {
        ByteStream up = u.stream;
        if (ended.get() || !client.channel.isActive()) {
            endedBy("client", EndReason.CLIENT_ABORT);
            u.onLoop(() -> u.abort("client went away before the upstream connection was ready"));
            return;
        }
        u.peer = client;
        client.peer = u;
        upstream = u;
        if (config.splice() == SpliceMode.AUTO && SplicedDirection.possible(client.stream, up, Relay::isOwnHandler)) {
            // Both on this loop (possible() checks it): set before either side starts relaying.
            client.spliceChosen = true;
            u.spliceChosen = true;
        }
        route.track(up.channel());
        if (log.isDebugEnabled()) {
            log.debug("route {}: {} -> {}", route.name(), client.stream.describe(), up.describe());
        }
        // Before either side relays a byte: an entry point answers its client now (SOCKS5 0x00, 200).
        client.stream.upstreamConnected();
        u.onLoop(() -> {
            if (!up.channel().isActive() && !u.inputDone) {
                endedBy("upstream", EndReason.UPSTREAM_ABORT);
                u.closing = true;
                u.abortPeer("upstream " + up.describe() + " closed while connecting");
                return;
            }
            u.startRelaying();
        });
        client.startRelaying();
        armTimer((halfClosed ? route.timeouts().halfClosed() : route.timeouts().idle()).toNanos());
    }

    /** The handlers the relay puts in a stream's pipeline ({@link Side#attach()}). */
    private static boolean isOwnHandler(io.netty.channel.ChannelHandler h) {
        return h instanceof HoldUntilFirstRead || h instanceof Side;
    }

    private void dialFailed(Throwable cause) {
        endedBy("upstream", EndReason.DIAL_FAILED);
        route.counters().dialFailed(DialFailureCause.of(cause));
        DialFailure failure = DialFailure.of(cause);
        var requested = client.stream.requestedDestination();
        if (failure == DialFailure.NOT_ALLOWED && requested.isPresent()) {
            // A policy refusal, not an upstream failure: counted by reason, logged at a bounded rate.
            route.refusals().refused(client.stream.describe(), requested.get(), describe(cause));
        } else {
            String target = requested.map(d -> config.dialDescription() + " to " + d).orElse(config.dialDescription());
            log.warn("route {}: dial {} failed for client {} ({}): {}", route.name(), target,
                    client.channel.remoteAddress(), failure.key(), describe(cause));
        }
        client.stream.upstreamFailed(failure, "upstream unavailable: " + describe(cause));
        finish();
    }

    /** One timer per relay, on the client's loop, re-armed from the last activity. */
    private void armTimer(long timeoutNanos) {
        timer = client.channel.eventLoop().schedule(this::checkIdle,
                Math.max(1, timeoutNanos - (System.nanoTime() - lastActivity)), TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        if (ended.get()) {
            return;
        }
        long limit = halfClosed ? route.timeouts().halfClosed().toNanos() : route.timeouts().idle().toNanos();
        long idleFor = System.nanoTime() - lastActivity;
        if (idleFor >= limit) {
            String why = halfClosed ? "half-closed and idle for " + HumanDuration.format(route.timeouts().halfClosed())
                    : "idle for " + HumanDuration.format(route.timeouts().idle());
            log.info("route {}: closing {}: {}", route.name(), client.stream.describe(), why);
            endedBy("proxy", halfClosed ? EndReason.HALF_CLOSED_TIMEOUT : EndReason.IDLE_TIMEOUT);
            Side u = upstream;
            if (halfClosed) {
                route.counters().aborted();
                client.abort(why);
                if (u != null) {
                    u.abort(why);
                }
            } else {
                client.closeQuietly();
                if (u != null) {
                    u.closeQuietly();
                }
            }
            return;
        }
        armTimer(limit);
    }

    /** Once one direction has ended, the shorter half-closed timeout applies from now on. */
    private void onFirstEnd() {
        if (halfClosed) {
            return;
        }
        halfClosed = true;
        lastActivity = System.nanoTime();
        client.onLoop(() -> {
            if (!ended.get() && timer != null) {
                timer.cancel(false);
                armTimer(route.timeouts().halfClosed().toNanos());
            }
        });
    }

    private void sideFinished() {
        if (finishedSides.incrementAndGet() == 2) {
            endedBy(null, EndReason.FIN);
            client.closeQuietly();
            Side u = upstream;
            if (u != null) {
                u.closeQuietly();
            }
        }
    }

    /**
     * The stop's grace period is over: abort both ends (TCP reset, QUIC stream reset, WebSocket close
     * 4000), so neither peer takes a cut transfer for a complete one.
     */
    void abortForStop(String reason) {
        if (ended.get()) {
            return;
        }
        log.info("route {}: aborting {}: {}", route.name(), client.stream.describe(), reason);
        endedBy("proxy", EndReason.SHUTDOWN);
        route.counters().aborted();
        client.abort(reason);
        Side u = upstream;
        if (u != null) {
            u.abort(reason);
        } else if (dial != null) {
            dial.cancel(false);
        }
    }

    /** Counts the relay closed exactly once, and writes its access-log line. */
    private void finish() {
        if (ended.compareAndSet(false, true)) {
            route.finished(this);
            route.counters().closed();
            // Every path that ends a relay names its reason first; a clean close is all that is left.
            endReason.compareAndSet(null, EndReason.FIN);
            EndReason reason = endReason.get();
            route.counters().ended(reason);
            Side u = upstream;
            AccessLog.write(new ConnectionEnd(route.name(), clientAddress, config.listenTransport(),
                    config.dialTransport(), config.dialAddress(), client.bytesRead,
                    u == null ? 0 : u.bytesRead, Duration.ofNanos(System.nanoTime() - startNanos), reason,
                    firstEnded.get() == null ? "client" : firstEnded.get()));
            if (timer != null) {
                timer.cancel(false);
            }
            if (dial != null && !dial.isDone()) {
                dial.cancel(false);
            }
        }
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown cause";
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /** One end of the relay: the handler at the tail of its stream's pipeline. */
    private final class Side extends ChannelInboundHandlerAdapter {
        final ByteStream stream;
        final Channel channel;
        final boolean isClient;
        volatile Side peer;
        // Owned by this side's loop.
        /** Set on this side's loop once the peer exists; the first read follows. */
        boolean wired;
        boolean inputDone;
        boolean outputDone;
        boolean closing;
        /** Bytes this side read; written on its loop only, read once at the end for the access log. */
        volatile long bytesRead;
        /** Set once, before relaying starts, when both ends may splice ({@link SplicedDirection#possible}). */
        boolean spliceChosen;
        /** Non-null while this side's input is spliced into the peer: bytes no longer pass through {@link #channelRead}. */
        SplicedDirection splice;

        Side(ByteStream stream, boolean isClient) {
            this.stream = stream;
            this.channel = stream.channel();
            this.isClient = isClient;
        }

        /**
         * On this side's loop, before anything can be read: auto-read is off until the peer exists,
         * but epoll still reads once when a peer's FIN arrives (EPOLLRDHUP), so a client that sends a
         * request and FIN at once is read before that; the holder keeps it (one read burst) until
         * {@link #startRelaying()} reads.
         */
        void attach() {
            channel.pipeline().addLast("relay-hold", new HoldUntilFirstRead());
            channel.pipeline().addLast("relay", this);
        }

        private void onLoop(Runnable task) {
            if (channel.eventLoop().inEventLoop()) {
                task.run();
            } else {
                channel.eventLoop().execute(task);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            Side p = peer;
            if (!wired) {
                // Only the relay reads (through the holder), and only once wired: a transport broke that.
                buf.release();
                endedBy(side(), abortOf(isClient));
                abortBoth("bytes arrived before the relay read; the transport reads on its own");
                return;
            }
            if (splice != null) {
                // Read into a buffer while splicing (after a failed splice): already counted, see SplicedDirection.
                p.stream.write(buf);
                p.channel.flush();
                return;
            }
            countRead(buf.readableBytes());
            // A write to a closed channel fails its promise and releases the buffer.
            p.stream.write(buf);
            if (!p.stream.isWritable()) {
                p.channel.flush();
                channel.config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            Side p = peer;
            if (!wired) {
                return;
            }
            if (splice != null) {
                if (splice.afterReadBurst() && !inputDone) {
                    endOfInput();
                }
                return;
            }
            p.channel.flush();
            if (p.stream.isWritable()) {
                requestRead();
            }
        }

        private String side() {
            return isClient ? "client" : "upstream";
        }

        private void countRead(int n) {
            lastActivity = System.nanoTime();
            bytesRead += n; // one writer: this side's loop
            if (isClient) {
                route.counters().toUpstream(n);
            } else {
                route.counters().toClient(n);
            }
        }

        /** Asks for the next read burst; safe from any thread. */
        void requestRead() {
            onLoop(() -> {
                // A spliced side reads on its own, paced by the peer's progress (SplicedDirection).
                if (wired && !inputDone && !closing && channel.isActive() && splice == null) {
                    channel.read();
                }
            });
        }

        /** On this side's loop, once the peer is set: the first read gets what the holder kept, then reading goes on. */
        void startRelaying() {
            wired = true;
            if (!spliceChosen) {
                requestRead();
                return;
            }
            if (channel.isActive()) {
                channel.read(); // what the holder kept (bytes, a FIN) comes first, relayed in buffers
            }
            if (inputDone || closing || !channel.isActive()) {
                return;
            }
            splice = SplicedDirection.start(stream, peer.stream, this::countRead, this::spliceFailed).orElse(null);
            if (splice == null) {
                log.debug("route {}: {} read before splicing could count it; relaying it in buffers", route.name(),
                        stream.describe());
                requestRead();
            } else {
                route.counters().spliced();
            }
        }

        /** On this side's loop, inside Netty's read loop of this channel. */
        private void spliceFailed(Throwable cause) {
            Side p = peer;
            if (closing || inputDone || !p.channel.isActive()) {
                // Our own close, an input that had ended, or the peer's write failing: the peer closed,
                // and its side reports that as its own end.
                return;
            }
            // The socket's next read returns a plain end of input after a reset: not a FIN.
            inputDone = true;
            String where = (isClient ? "client " : "upstream ") + stream.describe();
            endedBy(side(), abortOf(isClient));
            log.debug("route {}: {} failed: {}", route.name(), where, describe(cause));
            // Not now: Netty's read loop may read this socket again on return, and must not find it closed.
            channel.eventLoop().execute(() -> abortBoth(where + " failed: " + describe(cause)));
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Side p = peer;
            if (p != null && stream.isWritable()) {
                // Our buffer drained: let the peer read again.
                p.requestRead();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                if (splice != null) {
                    // Bytes may still be queued before the FIN: it is relayed once they are (channelReadComplete).
                    splice.finSeen();
                } else if (!inputDone) {
                    endOfInput();
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        /** This side's input ended cleanly, after every byte before it was passed on: end the peer's output. */
        private void endOfInput() {
            inputDone = true;
            endedBy(side(), null);
            onFirstEnd();
            Side p = peer;
            if (wired) {
                p.channel.flush();
                p.onLoop(p::endOutput);
                maybeFinished();
            } // else: held in front of us until startRelaying() reads; never seen here
        }

        /** The peer's input ended cleanly: end ours after everything written so far. */
        private void endOutput() {
            if (outputDone || closing) {
                return;
            }
            outputDone = true;
            channel.flush();
            stream.shutdownOutput().addListener(f -> onLoop(this::maybeFinished));
        }

        private void maybeFinished() {
            if (inputDone && outputDone && !closing) {
                closing = true; // from here on, our channel closing is expected
                sideFinished();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (closing) {
                return;
            }
            String where = (isClient ? "client " : "upstream ") + stream.describe();
            endedBy(side(), abortOf(isClient));
            if (cause instanceof IOException) {
                log.debug("route {}: {} failed: {}", route.name(), where, describe(cause));
            } else {
                log.warn("route {}: {} failed", route.name(), where, cause);
            }
            abortBoth(where + " failed: " + describe(cause));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closing) {
                closing = true;
                String where = (isClient ? "client " : "upstream ") + stream.describe();
                if ((inputDone || outputDone) && !stream.supportsHalfClose()) {
                    // This transport ends both directions at once (documented): finish the peer cleanly.
                    endedBy(side(), EndReason.FIN);
                    Side p = peer;
                    if (p != null) {
                        p.channel.flush();
                        p.onLoop(p::endOutputThenClose);
                    }
                } else {
                    endedBy(side(), abortOf(isClient));
                    abortPeer(where + " closed before the end of its stream");
                }
            }
            if (isClient) {
                // After the reason above: the access line names it.
                finish();
            }
            ctx.fireChannelInactive();
        }

        private void endOutputThenClose() {
            if (closing) {
                return;
            }
            closing = true;
            if (outputDone) {
                channel.close();
            } else {
                outputDone = true;
                stream.shutdownOutput().addListener(f -> channel.close());
            }
        }

        void abortPeer(String reason) {
            Side p = peer;
            route.counters().aborted();
            if (p != null) {
                p.onLoop(() -> p.abort(reason));
            } else if (!isClient) {
                client.onLoop(() -> client.abort(reason));
            }
        }

        private void abortBoth(String reason) {
            abort(reason);
            abortPeer(reason);
        }

        void abort(String reason) {
            if (!channel.eventLoop().inEventLoop()) {
                onLoop(() -> abort(reason));
                return;
            }
            if (closing && !channel.isActive()) {
                return;
            }
            closing = true;
            stream.abort(reason);
        }

        void closeQuietly() {
            onLoop(() -> {
                closing = true;
                channel.close();
            });
        }
    }
}
