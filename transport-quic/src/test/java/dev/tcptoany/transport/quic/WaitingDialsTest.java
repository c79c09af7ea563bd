package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.api.ByteStream;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;

class WaitingDialsTest {

    private static Promise<ByteStream> dial() {
        return ImmediateEventExecutor.INSTANCE.newPromise();
    }

    @Test
    void servesTheOldestDialAndSkipsCancelledOnes() {
        WaitingDials waiting = new WaitingDials();
        Promise<ByteStream> cancelled = dial();
        Promise<ByteStream> first = dial();
        Promise<ByteStream> second = dial();
        waiting.add(cancelled);
        waiting.add(first);
        waiting.add(second);
        cancelled.cancel(false);
        assertThat(waiting.next()).isSameAs(first);
        assertThat(waiting.next()).isSameAs(second);
        assertThat(waiting.next()).isNull();
    }

    @Test
    void aDialPutBackGoesNext() {
        WaitingDials waiting = new WaitingDials();
        Promise<ByteStream> older = dial();
        Promise<ByteStream> retried = dial();
        waiting.add(older);
        waiting.putBack(retried);
        assertThat(waiting.next()).isSameAs(retried);
    }

    @Test
    void failAllGivesEachDialItsOwnError() {
        WaitingDials waiting = new WaitingDials();
        Promise<ByteStream> a = dial();
        Promise<ByteStream> b = dial();
        waiting.add(a);
        waiting.add(b);
        waiting.failAll(() -> new IllegalStateException("closed"));
        assertThat(a.cause()).hasMessage("closed");
        assertThat(b.cause()).hasMessage("closed").isNotSameAs(a.cause());
        assertThat(waiting.isEmpty()).isTrue();
    }
}
