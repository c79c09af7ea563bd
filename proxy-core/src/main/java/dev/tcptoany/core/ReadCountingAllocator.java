package dev.tcptoany.core;

import io.netty.channel.Channel;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.function.IntConsumer;

/**
 * A channel's receive allocator, wrapped so that every byte the channel takes from its socket is
 * reported, whether Netty read it into a buffer or spliced it into a pipe.
 *
 * <p>Why: a splice never reaches the pipeline, so no handler can count it; but Netty reports the size
 * of every read and every splice to the channel's read handle ({@code lastBytesRead}), which this
 * wrapper hands on. Netty creates that handle once, at the channel's first read; a channel that
 * read before {@link #install} keeps its old handle, and {@code install} then says so.
 */
final class ReadCountingAllocator implements RecvByteBufAllocator {
    private final RecvByteBufAllocator delegate;
    private final IntConsumer onBytes;
    /** Set when the channel's own handle is one of ours (it asked it for a guess); loop only. */
    private boolean inUse;

    private ReadCountingAllocator(RecvByteBufAllocator delegate, IntConsumer onBytes) {
        this.delegate = delegate;
        this.onBytes = onBytes;
    }

    /**
     * Wraps {@code channel}'s allocator, on its event loop. Returns false, with the channel left as it
     * was, when the channel already holds a read handle of the old allocator, whose reads this could
     * not see.
     */
    static boolean install(Channel channel, IntConsumer onBytes) {
        RecvByteBufAllocator original = channel.config().getRecvByteBufAllocator();
        ReadCountingAllocator counting = new ReadCountingAllocator(original, onBytes);
        channel.config().setRecvByteBufAllocator(counting);
        // Creates the channel's handle now unless it has one; either way, ask whose it is.
        channel.unsafe().recvBufAllocHandle().guess();
        if (!counting.inUse) {
            channel.config().setRecvByteBufAllocator(original);
        }
        return counting.inUse;
    }

    @Override
    public Handle newHandle() {
        return new CountingHandle((ExtendedHandle) delegate.newHandle());
    }

    private final class CountingHandle extends DelegatingHandle implements ExtendedHandle {
        CountingHandle(ExtendedHandle delegate) {
            super(delegate);
        }

        @Override
        public int guess() {
            inUse = true;
            return super.guess();
        }

        @Override
        public void lastBytesRead(int bytes) {
            super.lastBytesRead(bytes);
            if (bytes > 0) {
                onBytes.accept(bytes);
            }
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return ((ExtendedHandle) delegate()).continueReading(maybeMoreDataSupplier);
        }
    }
}
