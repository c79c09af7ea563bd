package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The stream header's reserved flags and a peer that sends its header a byte at a time. */
class StreamHeaderTest {
    @Test
    void reservedFlagsAreRejectedSoALaterVersionCanRelyOnThem() throws Exception {
        assertThat(StreamHeader.tryRead(Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0}))).isTrue();
        assertThatThrownBy(() -> StreamHeader.tryRead(Unpooled.wrappedBuffer(new byte[] {1, 0x40, 0, 0})))
                .isInstanceOf(StreamHeader.MalformedException.class).hasMessageContaining("flags 0x40");
    }

    @Test
    void aHeaderDribbledAByteAtATimeDoesNotNestBuffers() {
        AtomicBoolean handedOver = new AtomicBoolean();
        EmbeddedChannel ch = new EmbeddedChannel(new InboundStreamOpener(true, s -> handedOver.set(true)));
        // Version 1, no flags, 20,000 bytes of extensions (one unknown TLV), sent one byte per read:
        // wrapping the previous buffer on every read built 20,000 nested composites.
        int ext = 20_000;
        ByteBuf header = Unpooled.buffer().writeByte(1).writeByte(0).writeShort(ext)
                .writeByte(0x7f).writeShort(ext - 3).writeZero(ext - 3);
        while (header.readableBytes() > 1) {
            ch.writeInbound(header.readRetainedSlice(1));
        }
        header.release();
        assertThat(handedOver).isFalse();
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }
}
