package dev.tcptoany.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.core.RouteCounters;
import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;
import io.netty.channel.epoll.Epoll;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * tcp -> tcp -> tcp with {@code splice = auto} on both nodes, on epoll: the whole relay suite
 * (half-close both ways, aborts, a paused reader, limits) on the splice path, and byte counters that
 * are exact when the bytes never pass through a buffer of ours.
 */
class SpliceTcpRelayTest extends RelayBehaviourSuite {
    @BeforeAll
    static void onEpoll() {
        Assumptions.assumeTrue(Epoll.isAvailable(), "splice(2) needs Netty's epoll transport (Linux)");
    }

    @Override
    protected TunnelSpec tunnel() {
        return TunnelSpec.tcp();
    }

    @Override
    protected String extraConfig() {
        return "proxy.event-loop.kind = epoll\nproxy.route-defaults.splice = auto";
    }

    @Test
    void bothDirectionsOfEveryHopAreSplicedAndCountedToTheByte() throws Exception {
        RouteCounters.Snapshot before1 = nodes.node1().counters("node1");
        RouteCounters.Snapshot before2 = nodes.node2().counters("node2");
        int size = 5 * 1024 * 1024 + 7;
        byte[] payload = new byte[size];
        new Random(15).nextBytes(payload);
        try (Socket s = connect()) {
            var back = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return readToEof(s.getInputStream());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            OutputStream out = s.getOutputStream();
            out.write(payload);
            s.shutdownOutput();
            byte[] got = back.get(30, TimeUnit.SECONDS);
            assertThat(got.length).isEqualTo(size);
            assertThat(Arrays.equals(got, payload)).as("echoed bytes intact").isTrue();
        }
        awaitNoOpenConnections();
        RouteCounters.Snapshot after1 = nodes.node1().counters("node1");
        RouteCounters.Snapshot after2 = nodes.node2().counters("node2");
        assertThat(after1.splicedDirections() - before1.splicedDirections()).as("node 1 spliced both ways").isEqualTo(2);
        assertThat(after2.splicedDirections() - before2.splicedDirections()).as("node 2 spliced both ways").isEqualTo(2);
        assertThat(after1.bytesToUpstream() - before1.bytesToUpstream()).isEqualTo(size);
        assertThat(after1.bytesToClient() - before1.bytesToClient()).isEqualTo(size);
        assertThat(after2.bytesToUpstream() - before2.bytesToUpstream()).isEqualTo(size);
        assertThat(after2.bytesToClient() - before2.bytesToClient()).isEqualTo(size);
        assertThat(after1.ends().get("fin") - before1.ends().get("fin")).isEqualTo(1);
    }
}
