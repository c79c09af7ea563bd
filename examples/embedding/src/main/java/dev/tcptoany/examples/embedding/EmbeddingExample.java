package dev.tcptoany.examples.embedding;

import com.typesafe.config.Config;
import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.core.RouteCounters;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Runs the original two-node picture inside one Java program, without the launcher:
 *
 * <pre>
 *   client ──tcp──▶ node 1 (127.0.0.1:ephemeral) ──tcp──▶ node 2 (127.0.0.1:ephemeral) ──tcp──▶ TARGET
 * </pre>
 *
 * <ol>
 *   <li>Build each node's configuration in code (HOCON text here; {@code ConfigFactory.parseMap}
 *       works too). Routes are keyed by name; every option falls back to the modules'
 *       {@code reference.conf}.</li>
 *   <li>{@link Proxy#start(Config)}: binds every route or throws (a
 *       {@code ProxyConfigException} lists every configuration problem with its origin).</li>
 *   <li>{@link Proxy#boundAddresses(String)}: what a listener bound, e.g. an ephemeral port, here
 *       used to point node 1 at node 2.</li>
 *   <li>{@link Proxy#counters(String)}: connections and bytes of a route.</li>
 *   <li>{@link Proxy#shutdown(Duration)} (graceful) or {@link Proxy#close()} (at once).</li>
 * </ol>
 *
 * Transports come from the class path (this module depends on transport-tcp). To load plugin
 * folders as the launcher does, call {@code Proxy.start(config, Optional.of(Path.of("plugins")))}.
 *
 * <p>Run: {@code java -cp ... dev.tcptoany.examples.embedding.EmbeddingExample 127.0.0.1:5201}
 * with any TCP echo or iperf3 server at that address.
 */
public final class EmbeddingExample {
    private EmbeddingExample() {
    }

    public static void main(String[] args) throws Exception {
        String target = args.length > 0 ? args[0] : "127.0.0.1:5201";
        RouteCounters.Snapshot c = run(target, System.out);
        System.exit(c.dialFailures() == 0 ? 0 : 1);
    }

    /**
     * Starts both nodes, sends one message through them, prints what it sees and stops.
     *
     * @param target host:port of the TCP server behind node 2 (an echo server answers the message)
     * @return node 1's counters after the exchange
     */
    public static RouteCounters.Snapshot run(String target, PrintStream out) throws IOException {
        Config node2Config = ConfigLoader.parseString("""
                proxy.routes.exit {
                  listen { transport = tcp, address = "127.0.0.1:0" }   # 0: any free port
                  dial   { transport = tcp, address = "%s" }
                }
                proxy.shutdown-grace = 2s
                """.formatted(target), "embedded node 2");
        try (Proxy node2 = Proxy.start(node2Config)) {
            InetSocketAddress hop = (InetSocketAddress) node2.boundAddresses("exit").get(0);
            Config node1Config = ConfigLoader.parseString("""
                    proxy.routes.entry {
                      listen { transport = tcp, address = "127.0.0.1:0" }
                      dial   { transport = tcp, address = "127.0.0.1:%d" }
                      idle-timeout = 5m
                    }
                    """.formatted(hop.getPort()), "embedded node 1");
            try (Proxy node1 = Proxy.start(node1Config)) {
                SocketAddress entry = node1.boundAddresses("entry").get(0);
                out.println("node 1 listens on " + entry + ", node 2 on " + hop + ", target " + target);

                String answer = exchange((InetSocketAddress) entry, "hello through two hops\n");
                out.println("answer: " + answer.strip());

                RouteCounters.Snapshot c = awaitClosed(node1, "entry");
                out.println("node 1 counters: " + c.connectionsTotal() + " connection(s), "
                        + c.bytesToUpstream() + " bytes to upstream, " + c.bytesToClient() + " bytes to client, "
                        + c.dialFailures() + " dial failure(s)");
                node1.shutdown(Duration.ofSeconds(2)); // graceful: stop accepting, drain, close
                return c;
            }
        }
    }

    /** Sends {@code message}, ends our side (FIN) and reads the answer to its end. */
    private static String exchange(InetSocketAddress entry, String message) throws IOException {
        try (Socket s = new Socket(entry.getAddress(), entry.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Counters settle once the relay has seen both ends close. */
    private static RouteCounters.Snapshot awaitClosed(Proxy proxy, String route) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        RouteCounters.Snapshot c = proxy.counters(route);
        while (c.connectionsOpen() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            c = proxy.counters(route);
        }
        return c;
    }
}
