package dev.tcptoany.transport.quic;

import java.io.IOException;

/** A QUIC stream ended without a clean FIN: reset, stopped, or its connection lost. */
public final class QuicStreamAbortedException extends IOException {
    private static final long serialVersionUID = 1L;

    public QuicStreamAbortedException(String message, Throwable cause) {
        super(message, cause);
    }
}
