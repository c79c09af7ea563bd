package dev.tcptoany.transport.quic;

import dev.tcptoany.api.ByteStream;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * The dials of one slot waiting for a stream, oldest first. A dial can be cancelled while it waits
 * (the host's connect timeout cancels it); it is dropped when it comes to the front. Slot-loop
 * confined.
 */
final class WaitingDials {
    private final ArrayDeque<Promise<ByteStream>> dials = new ArrayDeque<>();

    void add(Promise<ByteStream> dial) {
        dials.add(dial);
    }

    /** Puts a dial back at the front: it lost the race for a stream and goes next. */
    void putBack(Promise<ByteStream> dial) {
        dials.addFirst(dial);
    }

    /** The oldest dial still waiting, or null. */
    Promise<ByteStream> next() {
        dropCancelled();
        return dials.poll();
    }

    void dropCancelled() {
        while (!dials.isEmpty() && dials.peek().isDone()) {
            dials.poll();
        }
    }

    boolean isEmpty() {
        return dials.isEmpty();
    }

    int size() {
        return dials.size();
    }

    /** Fails every waiting dial, each with an error of its own. */
    void failAll(Supplier<? extends Throwable> why) {
        Promise<ByteStream> dial;
        while ((dial = next()) != null) {
            dial.tryFailure(why.get());
        }
    }
}
