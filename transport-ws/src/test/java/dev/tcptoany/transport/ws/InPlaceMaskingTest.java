package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.testkit.LeakDetection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dialer masks the relay's direct buffers where they lie (no copy), and our listener, whose
 * Netty decoder checks and removes the mask, gets every byte back, for every length encoding
 * (7-bit, 16-bit, 64-bit) and both cut and whole messages. (PlainPeerInteropTest shows the same
 * against OkHttp's server.)
 */
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InPlaceMaskingTest {
    private static final int[] LENGTHS = {1, 7, 8, 9, 125, 126, 127, 65_535, 65_536, 65_537, 200_003};

    @ParameterizedTest
    @ValueSource(strings = {"ws", "wss"})
    void directBuffersAreMaskedWhereTheyLieAndArriveIntact(String transport) throws Exception {
        try (WsFixture f = new WsFixture(transport, "")) {
            ByteStream client = WsFixture.dial(f.dialer(""));
            StreamProbe server = StreamProbe.attach(f.nextAccepted());
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            for (int i = 0; i < LENGTHS.length; i++) {
                byte[] data = WebSocketStreamTest.random(LENGTHS[i], 50 + i);
                sent.writeBytes(data);
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(data.length).writeBytes(data);
                ByteBuf view = buf.retainedDuplicate(); // the same memory, to look at after the write
                try {
                    client.channel().writeAndFlush(buf).sync();
                    if (data.length >= 1000) {
                        assertThat(ByteBufUtil.getBytes(view)).as("masked in place, %d bytes", data.length).isNotEqualTo(data);
                    }
                } finally {
                    view.release();
                }
            }
            assertThat(server.awaitBytes(sent.size())).isEqualTo(sent.toByteArray());
            assertThat(f.listenContext.rejected).isEmpty();
        }
    }
}
