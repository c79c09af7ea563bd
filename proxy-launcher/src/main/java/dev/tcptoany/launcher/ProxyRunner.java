package dev.tcptoany.launcher;

import com.typesafe.config.Config;
import dev.tcptoany.core.HumanDuration;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.core.ServiceManagerNotifier;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a {@link Proxy} and keeps it running until SIGINT or SIGTERM, then stops gracefully
 * (stop accepting, drain for {@code proxy.shutdown-grace}, close) and returns exit code 0. SIGHUP
 * re-reads the configuration and reloads it ({@link Proxy#reload}); a refused one leaves the
 * running routes as they are. Under systemd ({@code NOTIFY_SOCKET}) it says READY=1 once every
 * route is bound, RELOADING=1 / READY=1 around a reload and STOPPING=1 when the stop begins.
 */
final class ProxyRunner {
    private static final Logger log = LoggerFactory.getLogger(ProxyRunner.class);
    private final GlobalOptions global;
    private final String notifySocket;
    /** "stop" or "reload", from signals, the shutdown hook or tests; handled one at a time on the main thread. */
    private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();

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
        requests.add("stop");
    }

    /** Reloads as SIGHUP does. */
    void requestReload() {
        requests.add("reload");
    }

    /** Runs a configuration that has no file behind it: a reload re-applies it as it is. */
    int run(Config userConfig) throws InterruptedException {
        return run(userConfig, () -> userConfig);
    }

    /** @param reread reads the configuration again, for a reload (throws ConfigException for a broken file) */
    int run(Config userConfig, Supplier<Config> reread) throws InterruptedException {
        global.applyLogConfig(userConfig);
        Proxy proxy = Proxy.start(userConfig, global.pluginsDir(userConfig.hasPath("proxy.plugins.dir")));
        CountDownLatch stopped = new CountDownLatch(1);
        // Handling the signals ourselves (rather than only a shutdown hook) lets a requested stop
        // end with exit code 0 after draining, as service managers expect.
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> requests.add(name.equals("HUP") ? "reload" : "stop"));
            } catch (IllegalArgumentException e) {
                log.debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
        Thread hook = new Thread(() -> {
            requests.add("stop");
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
        log.info("running {} route(s); Ctrl-C or SIGTERM stops, SIGHUP reloads", routes);
        while (!requests.take().equals("stop")) {
            reload(proxy, reread, notifier);
        }
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

    private void reload(Proxy proxy, Supplier<Config> reread, ServiceManagerNotifier notifier) {
        notifier.send("RELOADING=1", ServiceManagerNotifier.monotonicUsec(), "STATUS=reloading the configuration");
        log.info("reloading the configuration");
        try {
            Config next = reread.get();
            Proxy.ReloadOutcome outcome = proxy.reload(next);
            if (outcome.applied()) {
                global.applyLogConfig(next);
            }
        } catch (com.typesafe.config.ConfigException e) {
            log.warn("reload refused, the running configuration stays: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("reload failed, the running configuration stays: {}", e.toString());
        } finally {
            notifier.send("READY=1", "STATUS=" + proxy.routeNames().size() + " route(s) bound");
        }
    }
}
