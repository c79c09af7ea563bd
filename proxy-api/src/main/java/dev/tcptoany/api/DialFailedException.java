package dev.tcptoany.api;

import java.io.IOException;

/**
 * A dial that failed for a known {@link DialFailure}: a dialer fails its future with this when it
 * knows why (the exit's policy refused, the exit node answered refused), so the entry point can
 * answer its client precisely.
 */
public final class DialFailedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final DialFailure failure;

    public DialFailedException(DialFailure failure, String message) {
        super(message);
        this.failure = failure;
    }

    public DialFailedException(DialFailure failure, String message, Throwable cause) {
        super(message, cause);
        this.failure = failure;
    }

    public DialFailure failure() {
        return failure;
    }
}
