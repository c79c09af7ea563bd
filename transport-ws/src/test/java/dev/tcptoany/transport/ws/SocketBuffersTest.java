package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcptoany.api.ByteStream;
import io.netty.channel.ChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import org.junit.jupiter.api.Test;

/**
 * The TCP connection under a WebSocket reads and queues as the tcp transport's do: Netty's
 * default water marks (64 KiB high) stopped the relay's reading after every 64 KiB frame.
 */
@org.junit.jupiter.api.extension.ExtendWith(dev.tcptoany.testkit.LeakDetection.class)
class SocketBuffersTest {

    @Test
    void defaultsAreTheTcpTransports() {
        SocketBuffers dial = SettingsTest.dial("ws", "url = \"ws://h/\"").buffers();
        SocketBuffers listen = ListenerSettings.fromConfig(TestContext.merged("wss", "listen", "address = \"127.0.0.1:0\"")).buffers();
        for (SocketBuffers b : new SocketBuffers[] {dial, listen}) {
            assertThat(b.readBuffer()).isEqualTo(64 * 1024);
            assertThat(b.writeHigh()).isEqualTo(1024 * 1024);
            assertThat(b.writeLow()).isEqualTo(256 * 1024);
        }
    }

    @Test
    void aLowMarkAboveTheHighOneIsRefusedWithItsKey() {
        assertThatThrownBy(() -> SettingsTest.dial("ws", "url = \"ws://h/\", write-buffer-high-water-mark = 64k, write-buffer-low-water-mark = 128k"))
                .hasMessageContaining("write-buffer-low-water-mark").hasMessageContaining("must not exceed");
        assertThatThrownBy(() -> SettingsTest.dial("ws", "url = \"ws://h/\", read-buffer = 10"))
                .hasMessageContaining("read-buffer");
    }

    @Test
    void bothEndsOfAConnectionUseTheConfiguredSizesAndStillCarryEveryByte() throws Exception {
        String small = "read-buffer = 2k, write-buffer-high-water-mark = 8k, write-buffer-low-water-mark = 2k";
        try (WsFixture f = new WsFixture("ws", small)) {
            ByteStream client = WsFixture.dial(f.dialer("read-buffer = 4k, write-buffer-high-water-mark = 16k, write-buffer-low-water-mark = 4k"));
            ByteStream server = f.nextAccepted();
            try {
                assertSizes(client.channel().config(), 4 * 1024, 4 * 1024, 16 * 1024);
                assertSizes(server.channel().config(), 2 * 1024, 2 * 1024, 8 * 1024);

                // Frames cut across many 2-4 KiB reads each way, and nothing lost.
                StreamProbe c = StreamProbe.attach(client);
                StreamProbe s = StreamProbe.attach(server);
                byte[] up = WebSocketStreamTest.random(300_000, 7);
                byte[] down = WebSocketStreamTest.random(300_000, 8);
                c.write(up);
                s.write(down);
                assertThat(s.awaitBytes(up.length)).isEqualTo(up);
                assertThat(c.awaitBytes(down.length)).isEqualTo(down);
            } finally {
                client.channel().close();
                server.channel().close();
            }
        }
    }

    private static void assertSizes(ChannelConfig config, int read, int low, int high) {
        RecvByteBufAllocator reads = config.getRecvByteBufAllocator();
        assertThat(reads).isInstanceOf(FixedRecvByteBufAllocator.class);
        assertThat(reads.newHandle().guess()).isEqualTo(read);
        assertThat(config.getWriteBufferLowWaterMark()).isEqualTo(low);
        assertThat(config.getWriteBufferHighWaterMark()).isEqualTo(high);
    }
}
