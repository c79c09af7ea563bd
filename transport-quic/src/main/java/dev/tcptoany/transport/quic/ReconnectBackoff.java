package dev.tcptoany.transport.quic;

import java.util.concurrent.TimeUnit;

/**
 * How long a slot waits before its next connection attempt: after each failed attempt a delay that
 * doubles from {@code reconnect-backoff-min} up to {@code reconnect-backoff-max}; a connection that
 * comes up ends the wait. Slot-loop confined.
 */
final class ReconnectBackoff {
    /** Caps the shift, so a long outage cannot overflow the doubling. */
    private static final int MAX_DOUBLINGS = 20;

    private final long minMillis;
    private final long maxMillis;
    private int consecutiveFailures;
    private long nextAttemptNanos;

    ReconnectBackoff(long minMillis, long maxMillis) {
        this.minMillis = minMillis;
        this.maxMillis = maxMillis;
    }

    void succeeded() {
        consecutiveFailures = 0;
        nextAttemptNanos = 0;
    }

    /** Records a failed attempt; returns the delay before the next, in milliseconds. */
    long failed() {
        consecutiveFailures++;
        long backoff = Math.min(maxMillis, minMillis << Math.min(consecutiveFailures - 1, MAX_DOUBLINGS));
        nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
        return backoff;
    }

    /** Time left before the next attempt may start; zero or less when it may start now. */
    long nanosUntilNextAttempt() {
        return nextAttemptNanos - System.nanoTime();
    }
}
