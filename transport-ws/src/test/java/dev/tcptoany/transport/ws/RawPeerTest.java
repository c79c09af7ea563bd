package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.testkit.LeakDetection;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOption;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Our listener against a client that does what libraries do not: raw frames on a plain socket. */
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RawPeerTest {

    @Test
    void framesPipelinedBehindTheUpgradeRequestReachTheHost() throws Exception {
        byte[] first = "hello".getBytes(StandardCharsets.US_ASCII);
        byte[] second = WebSocketStreamTest.random(20_000, 31);
        for (int i = 0; i < 5; i++) {
            CompletableFuture<StreamProbe> host = new CompletableFuture<>();
            try (WsFixture f = new WsFixture("ws", "", stream -> host.complete(StreamProbe.echo(stream)));
                 RawWebSocketClient c = new RawWebSocketClient(f.port)) {
                // The upgrade request and the first two frames in one write, as an eager client sends them.
                c.writeAtOnce(RawWebSocketClient.upgradeRequest("/"), c.frame(true, RawWebSocketClient.BINARY, first),
                        c.frame(true, RawWebSocketClient.BINARY, second));
                assertThat(c.readResponseHead()).startsWith("HTTP/1.1 101");
                byte[] expected = new byte[first.length + second.length];
                System.arraycopy(first, 0, expected, 0, first.length);
                System.arraycopy(second, 0, expected, first.length, second.length);
                assertThat(host.get(10, TimeUnit.SECONDS).awaitBytes(expected.length)).isEqualTo(expected);
                ByteArrayOutputStream echoed = new ByteArrayOutputStream();
                while (echoed.size() < expected.length) {
                    echoed.writeBytes(c.readFrame().payload());
                }
                assertThat(echoed.toByteArray()).isEqualTo(expected);
            }
        }
    }

    @Test
    void pingsAboveTheBudgetAreRefusedWith1008AndCounted() throws Exception {
        try (WsFixture f = new WsFixture("ws", "", StreamProbe::attach);
             RawWebSocketClient c = new RawWebSocketClient(f.port)) {
            c.writeAtOnce(RawWebSocketClient.upgradeRequest("/"));
            assertThat(c.readResponseHead()).startsWith("HTTP/1.1 101");
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < 50; i++) {
                flood.writeBytes(c.frame(true, RawWebSocketClient.PING, new byte[] {(byte) i}));
            }
            c.writeAtOnce(flood.toByteArray());
            int pongs = 0;
            RawWebSocketClient.Frame frame;
            while ((frame = c.readFrame()).opcode() == RawWebSocketClient.PONG) {
                pongs++;
            }
            assertThat(frame.opcode()).isEqualTo(RawWebSocketClient.CLOSE);
            assertThat(ByteBuffer.wrap(frame.payload()).getShort() & 0xFFFF).isEqualTo(1008);
            assertThat(pongs).isLessThanOrEqualTo(10); // max-pings-per-second's default
            assertThat(f.listenContext.rejected).anyMatch(r -> r.startsWith("ws-ping-flood"));
        }
    }

    /**
     * The stated bound: at most one pong waits in the channel's outbound buffer (125 payload bytes,
     * a 2-byte header and Netty's per-entry overhead of 96 bytes: under 1 KiB), and the pooled
     * allocator's used direct memory grows by less than 8 MiB, while a client sends 100,000 pings
     * of 125 bytes and reads nothing (answering each at once would queue about 22 MB).
     */
    @Test
    void aClientThatFloodsPingsAndNeverReadsHasAtMostOnePongQueued() throws Exception {
        int pings = 100_000;
        long pendingBound = 1024;
        long directGrowthBound = 8L * 1024 * 1024;
        CompletableFuture<StreamProbe> host = new CompletableFuture<>();
        try (WsFixture f = new WsFixture("ws", "max-pings-per-second = 1000000", stream -> {
            // A small send buffer: what the client does not read stays in our outbound buffer.
            stream.channel().config().setOption(ChannelOption.SO_SNDBUF, 4096);
            host.complete(StreamProbe.attach(stream));
        }); RawWebSocketClient c = new RawWebSocketClient(f.port, 4096)) {
            c.writeAtOnce(RawWebSocketClient.upgradeRequest("/"));
            assertThat(c.readResponseHead()).startsWith("HTTP/1.1 101");
            StreamProbe probe = host.get(10, TimeUnit.SECONDS);
            Channel ch = probe.stream.channel();
            long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();

            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                try {
                    for (int batch = 0; batch < pings / 1000; batch++) {
                        ByteArrayOutputStream frames = new ByteArrayOutputStream();
                        for (int i = 0; i < 1000; i++) {
                            frames.writeBytes(c.frame(true, RawWebSocketClient.PING, ping(batch * 1000 + i)));
                        }
                        c.writeAtOnce(frames.toByteArray());
                    }
                    // Frames are handled in order: once this arrives, every ping before it was.
                    c.send(true, RawWebSocketClient.BINARY, "end".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long maxPending = 0;
            long maxDirectGrowth = 0;
            while (probe.received().length < 3) {
                maxPending = Math.max(maxPending, ch.eventLoop().submit(() -> pendingOutboundBytes(ch)).get(5, TimeUnit.SECONDS));
                maxDirectGrowth = Math.max(maxDirectGrowth, PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() - directBefore);
                assertThat(flood).as("the flood's writes").isNotCompletedExceptionally();
                Thread.sleep(2);
            }
            flood.get(30, TimeUnit.SECONDS);
            maxPending = Math.max(maxPending, ch.eventLoop().submit(() -> pendingOutboundBytes(ch)).get(5, TimeUnit.SECONDS));
            assertThat(maxPending).as("bytes waiting in the outbound buffer").isPositive().isLessThan(pendingBound);
            assertThat(maxDirectGrowth).as("growth of the allocator's used direct memory").isLessThan(directGrowthBound);
            assertThat(ch.isActive()).as("a fast pinger within its budget is served").isTrue();

            // When the client reads at last, the pong owed is the latest ping's.
            int answered = 0;
            byte[] last;
            do {
                RawWebSocketClient.Frame frame = c.readFrame();
                assertThat(frame.opcode()).isEqualTo(RawWebSocketClient.PONG);
                last = frame.payload();
                answered++;
            } while (ByteBuffer.wrap(last).getInt() != pings - 1);
            assertThat(answered).as("pongs sent for " + pings + " pings").isLessThan(pings);
        }
    }

    private static byte[] ping(int sequence) {
        return ByteBuffer.allocate(125).putInt(sequence).array();
    }

    private static long pendingOutboundBytes(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }
}
