package dev.tcptoany.launcher;

import com.typesafe.config.Config;
import dev.tcptoany.core.HumanDuration;
import dev.tcptoany.core.Proxy;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a {@link Proxy} and keeps it running until SIGINT or SIGTERM, then stops gracefully
 * (stop accepting, drain for {@code proxy.shutdown-grace}, close) and returns exit code 0.
 */
final class ProxyRunner {
    private static final Logger log = LoggerFactory.getLogger(ProxyRunner.class);
    private final GlobalOptions global;

    ProxyRunner(GlobalOptions global) {
        this.global = global;
    }

    int run(Config userConfig) throws InterruptedException {
        global.applyLogConfig(userConfig);
        Proxy proxy = Proxy.start(userConfig, global.pluginsDir(userConfig.hasPath("proxy.plugins.dir")));
        CountDownLatch stop = new CountDownLatch(1);
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
        log.info("running {} route(s); Ctrl-C or SIGTERM stops", proxy.routeNames().size());
        stop.await();
        log.info("stopping: no new connections; open ones get {} to finish",
                HumanDuration.format(proxy.settings().shutdownGrace()));
        proxy.shutdown(proxy.settings().shutdownGrace());
        log.info("stopped");
        stopped.countDown();
        return ExitCodes.OK;
    }
}
