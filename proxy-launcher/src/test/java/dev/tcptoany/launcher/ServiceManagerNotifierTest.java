package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.core.ConfigLoader;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd readiness against a fake NOTIFY_SOCKET (a Unix datagram socket of the test's): READY=1
 * comes only once the route's port accepts (the receiver connects the moment READY=1 arrives),
 * STATUS= names the routes, STOPPING=1 comes on stop. Linux only (epoll), as in production.
 */
class ServiceManagerNotifierTest {
    @TempDir
    Path dir;

    EventLoopGroup loops;
    Channel receiver;
    /** Each datagram received, and whether the route's port accepted when it was READY=1. */
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    volatile int routePort;
    /** More of the node's configuration, e.g. its event-loop kind. */
    String extraConfig = "";

    @BeforeEach
    void epollOnly() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Epoll.isAvailable(), "epoll (Linux) only");
        loops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }

    @AfterEach
    void close() {
        if (receiver != null) {
            receiver.close().awaitUninterruptibly();
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    void listen(String path) {
        receiver = new Bootstrap().group(loops).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
                        String text = p.content().toString(StandardCharsets.UTF_8);
                        if (text.contains("READY=1")) {
                            // Only the connect counts.
                            String accepts;
                            Socket probe = new Socket();
                            try {
                                probe.connect(new InetSocketAddress("127.0.0.1", routePort), 1000);
                                accepts = "true";
                            } catch (java.io.IOException e) {
                                accepts = "false (" + e + ")";
                            } finally {
                                try {
                                    probe.close();
                                } catch (java.io.IOException ignored) {
                                    // reset by the route: the connect above is what was checked
                                }
                            }
                            text += "port-accepted-at-ready=" + accepts + "\n";
                        }
                        received.add(text);
                    }
                })
                .bind(new DomainSocketAddress(path)).syncUninterruptibly().channel();
    }

    int run(String notifySocket) throws Exception {
        // An upstream that takes connections (the kernel's backlog accepts them): with a closed port the
        // route's dial fails at once on loopback and its reset could reach the probe before its
        // connect() returned, failing the probe for a reason that has nothing to do with readiness.
        // It is bound before the route's port is picked: picked first and released, that port could be
        // handed straight back to the upstream (CI once failed the route's bind with "Address already in use").
        try (ServerSocket upstream = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            routePort = dev.tcptoany.testkit.UnusedPort.pick();
            return run(notifySocket, upstream.getLocalPort());
        }
    }

    private int run(String notifySocket, int upstreamPort) throws Exception {
        ProxyRunner runner = new ProxyRunner(new GlobalOptions(), notifySocket);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(ConfigLoader.parseString("""
                        proxy.data-dir = "%s"
                        proxy.shutdown-grace = 1s
                        %s
                        proxy.routes.r { listen { transport = tcp, address = "127.0.0.1:%d" }
                                         dial   { transport = tcp, address = "127.0.0.1:%d" } }
                        """.formatted(dir, extraConfig, routePort, upstreamPort), "notify.conf"));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        String ready = null;
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); ready == null && System.nanoTime() < deadline; ) {
            ready = received.poll(100, TimeUnit.MILLISECONDS);
            if (ready == null && exit.isDone()) {
                throw new AssertionError("the runner ended before READY=1: exit " + exit.join());
            }
        }
        assertThat(ready).isNotNull().contains("READY=1\n").contains("STATUS=1 route(s) bound")
                .contains("port-accepted-at-ready=true");
        runner.requestStop();
        String stopping = received.poll(20, TimeUnit.SECONDS);
        assertThat(stopping).isNotNull().contains("STOPPING=1\n");
        return exit.get(20, TimeUnit.SECONDS);
    }

    @Test
    void readyComesOnlyOnceThePortsAcceptThenStoppingOnStop() throws Exception {
        String path = dir.resolve("notify.sock").toString();
        listen(path);
        assertThat(run(path)).isZero();
    }

    @Test
    void onIoUringLoopsTheNotificationsStillArrive() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.channel.uring.IoUring.isAvailable(),
                () -> "io_uring is unavailable here: " + io.netty.channel.uring.IoUring.unavailabilityCause());
        extraConfig = "proxy.event-loop.kind = io_uring"; // no Unix datagram channel there: the notifier's own epoll loop
        String path = dir.resolve("notify.sock").toString();
        listen(path);
        assertThat(run(path)).isZero();
    }

    @Test
    void anAtSignNamesTheAbstractNamespace() throws Exception {
        String name = "tcptoany-notify-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        listen("\0" + name);
        assertThat(run("@" + name)).isZero();
    }

    @Test
    void aReloadSaysReloadingWithItsMonotonicTimeThenReadyAndTheNewRouteServes() throws Exception {
        String path = dir.resolve("notify.sock").toString();
        listen(path);
        try (ServerSocket free = new ServerSocket(0)) {
            routePort = free.getLocalPort();
        }
        int added;
        try (ServerSocket free = new ServerSocket(0)) {
            added = free.getLocalPort();
        }
        Path file = dir.resolve("node.conf");
        String base = """
                proxy.data-dir = "%s"
                proxy.shutdown-grace = 1s
                proxy.routes.r { listen { transport = tcp, address = "127.0.0.1:%d" }
                                 dial   { transport = tcp, address = "127.0.0.1:1" } }
                """.formatted(dir, routePort);
        java.nio.file.Files.writeString(file, base);
        ProxyRunner runner = new ProxyRunner(new GlobalOptions(), path);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(ConfigLoader.parseFile(file.toFile()), () -> ConfigLoader.parseFile(file.toFile()));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(received.poll(20, TimeUnit.SECONDS)).isNotNull().contains("READY=1");
        java.nio.file.Files.writeString(file, base + """
                proxy.routes.s { listen { transport = tcp, address = "127.0.0.1:%d" }
                                 dial   { transport = tcp, address = "127.0.0.1:1" } }
                """.formatted(added));
        long before = TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
        runner.requestReload();
        String reloading = received.poll(20, TimeUnit.SECONDS);
        assertThat(reloading).isNotNull().startsWith("RELOADING=1\nMONOTONIC_USEC=");
        long usec = Long.parseLong(reloading.split("\n")[1].substring("MONOTONIC_USEC=".length()));
        assertThat(usec).isBetween(before, TimeUnit.NANOSECONDS.toMicros(System.nanoTime()));
        String ready = received.poll(20, TimeUnit.SECONDS);
        assertThat(ready).isNotNull().contains("READY=1").contains("STATUS=2 route(s) bound");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", added), 1000);
        }
        // A broken file is refused: the routes stay, READY=1 follows all the same.
        java.nio.file.Files.writeString(file, base + "proxy.routes.s { listen {");
        runner.requestReload();
        assertThat(received.poll(20, TimeUnit.SECONDS)).isNotNull().startsWith("RELOADING=1");
        assertThat(received.poll(20, TimeUnit.SECONDS)).isNotNull().contains("READY=1").contains("STATUS=2 route(s) bound");
        runner.requestStop();
        assertThat(received.poll(20, TimeUnit.SECONDS)).isNotNull().contains("STOPPING=1");
        assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
    }
}
