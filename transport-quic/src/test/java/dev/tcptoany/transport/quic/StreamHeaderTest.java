package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcptoany.api.Destination;
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
    void versionTwoCarriesTheDestinationAndCannotLeaveItOut() throws Exception {
        for (Destination d : new Destination[] {new Destination("db.internal.example", 5432), new Destination("10.1.2.3", 22),
                new Destination("2001:db8::1", 443)}) {
            ByteBuf b = StreamHeader.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, d);
            try {
                assertThat(b.getUnsignedByte(0)).isEqualTo((short) 2);
                StreamHeader.Parsed p = StreamHeader.read(b);
                assertThat(p.version()).isEqualTo(2);
                assertThat(p.destination()).contains(d);
                assertThat(b.isReadable()).isFalse();
            } finally {
                b.release();
            }
        }
        assertThat(StreamHeader.read(Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0})).destination()).isEmpty();
        assertThatThrownBy(() -> StreamHeader.read(Unpooled.wrappedBuffer(new byte[] {2, 0, 0, 0})))
                .isInstanceOf(StreamHeader.MalformedException.class).hasMessageContaining("without a destination");
        assertThatThrownBy(() -> StreamHeader.read(Unpooled.wrappedBuffer(new byte[] {3, 0, 0, 0})))
                .isInstanceOf(StreamHeader.MalformedException.class).hasMessageContaining("version 3");
    }

    @Test
    void eitherVersionCarriesATokenThatOlderReadersSkip() throws Exception {
        byte[] token = "s3cret-ä".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Destination d = new Destination("db.internal.example", 5432);
        ByteBuf v2 = StreamHeader.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, d, token);
        ByteBuf v1 = StreamHeader.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, null, token);
        try {
            StreamHeader.Parsed p2 = StreamHeader.read(v2.duplicate());
            assertThat(p2.version()).isEqualTo(2);
            assertThat(p2.destination()).contains(d);
            assertThat(p2.token()).contains("s3cret-ä");
            StreamHeader.Parsed p1 = StreamHeader.read(v1.duplicate());
            assertThat(p1.version()).isEqualTo(1);
            assertThat(p1.destination()).isEmpty();
            assertThat(p1.token()).contains("s3cret-ä");
            // A reader that knows no token type (type 2) skips it, as version 1 readers skip every
            // extension: the header's own length covers it.
            assertThat(v1.getUnsignedShort(2)).isEqualTo(3 + token.length);
            assertThat(v1.getUnsignedByte(4)).isEqualTo((short) StreamHeader.TOKEN);
            assertThat(StreamHeader.read(Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0})).token()).isEmpty();
        } finally {
            v1.release();
            v2.release();
        }
    }

    @Test
    void aHeaderDribbledAByteAtATimeDoesNotNestBuffers() {
        AtomicBoolean handedOver = new AtomicBoolean();
        EmbeddedChannel ch = new EmbeddedChannel(new InboundStreamOpener(true, (s, d) -> handedOver.set(true)));
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
