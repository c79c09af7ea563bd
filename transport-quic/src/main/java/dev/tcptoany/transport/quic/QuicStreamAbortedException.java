package dev.tcptoany.transport.quic;

import java.io.IOException;

/** A QUIC stream ended without a clean FIN: reset, stopped, or its connection lost. */
public final class QuicStreamAbortedException extends IOException {
    private static final long serialVersionUID = 1L;

    public QuicStreamAbortedException(String message, Throwable cause) {
        super(message, cause);
    }

    private QuicStreamAbortedException(String message) {
        super(message);
    }

    /** An abort whose message says it all: no stack trace (it would only show Netty internals). */
    static QuicStreamAbortedException concise(String message) {
        QuicStreamAbortedException e = new QuicStreamAbortedException(message);
        e.setStackTrace(new StackTraceElement[0]);
        return e;
    }
}
