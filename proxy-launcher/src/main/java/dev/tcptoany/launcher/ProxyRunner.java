package dev.tcptoany.launcher;

import com.typesafe.config.Config;
import dev.tcptoany.core.HumanDuration;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.core.ServiceManagerNotifier;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a {@link Proxy} and keeps it running until SIGINT or SIGTERM, then stops gracefully
 * (stop accepting, drain for {@code proxy.shutdown-grace}, close) and returns exit code 0. Under
 * systemd ({@code NOTIFY_SOCKET}) it says READY=1 once every route is bound and STOPPING=1 when
 * the stop begins.
 */
final class ProxyRunner {
    private static final Logger log = LoggerFactory.getLogger(ProxyRunner.class);
    private final GlobalOptions global;
    private final String notifySocket;
    private final CountDownLatch stop = new CountDownLatch(1);

    ProxyRunner(GlobalOptions global) {
        this(global, System.getenv("NOTIFY_SOCKET"));
    }

    /** @param notifySocket systemd's NOTIFY_SOCKET, or null */
    ProxyRunner(GlobalOptions global, String notifySocket) {
        this.global = global;
        this.notifySocket = notifySocket;
    }

    /** Stops a running proxy as SIGTERM does. */
    void requestStop() {
        stop.countDown();
    }

    int run(Config userConfig) throws InterruptedException {
        global.applyLogConfig(userConfig);
        Proxy proxy = Proxy.start(userConfig, global.pluginsDir(userConfig.hasPath("proxy.plugins.dir")));
        CountDownLatch stopped = new CountDownLatch(1);
        // Handling the signals ourselves (rather than only a shutdown hook) lets a requested stop
        // end with exit code 0 after draining, as service managers expect.
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> stop.countDown());
            } catch (IllegalArgumentException e) {
                log.debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int routes = proxy.routeNames().size();
        // Proxy.start returned: every listener is bound and accepting, so READY=1 is true now.
        ServiceManagerNotifier notifier = ServiceManagerNotifier.connect(notifySocket, proxy.network());
        notifier.send("READY=1", "STATUS=" + routes + " route(s) bound" + proxy.adminAddress()
                .map(a -> "; admin on " + a.getAddress().getHostAddress() + ":" + a.getPort()).orElse(""));
        log.info("running {} route(s); Ctrl-C or SIGTERM stops", routes);
        stop.await();
        String grace = HumanDuration.format(proxy.settings().shutdownGrace());
        notifier.send("STOPPING=1", "STATUS=stopping: open connections get " + grace + " to finish");
        notifier.close();
        log.info("stopping: no new connections; open ones get {} to finish", grace);
        proxy.shutdown(proxy.settings().shutdownGrace());
        log.info("stopped");
        stopped.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running and returns at once
        }
        return ExitCodes.OK;
    }
}
