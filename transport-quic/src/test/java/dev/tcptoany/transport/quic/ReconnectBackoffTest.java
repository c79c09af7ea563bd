package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    @Test
    void doublesFromTheMinimumUpToTheMaximum() {
        ReconnectBackoff backoff = new ReconnectBackoff(100, 1_000);
        assertThat(backoff.failed()).isEqualTo(100);
        assertThat(backoff.failed()).isEqualTo(200);
        assertThat(backoff.failed()).isEqualTo(400);
        assertThat(backoff.failed()).isEqualTo(800);
        assertThat(backoff.failed()).isEqualTo(1_000);
        assertThat(backoff.failed()).isEqualTo(1_000);
    }

    @Test
    void aLongOutageDoesNotOverflowTheDoubling() {
        ReconnectBackoff backoff = new ReconnectBackoff(1_000, Long.MAX_VALUE);
        long last = 0;
        for (int i = 0; i < 100; i++) {
            last = backoff.failed();
        }
        assertThat(last).isEqualTo(1_000L << 20);
    }

    @Test
    void aFailureMakesTheNextAttemptWaitAndASuccessEndsTheWait() {
        ReconnectBackoff backoff = new ReconnectBackoff(60_000, 60_000);
        backoff.failed();
        assertThat(backoff.nanosUntilNextAttempt()).isPositive();
        backoff.succeeded();
        assertThat(backoff.nanosUntilNextAttempt()).isNotPositive();
        assertThat(backoff.failed()).isEqualTo(60_000);
    }
}
