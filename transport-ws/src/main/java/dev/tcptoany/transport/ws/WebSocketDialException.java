package dev.tcptoany.transport.ws;

import java.io.IOException;

/** A dial that reached no WebSocket: refused upgrade, proxy refusal, TLS failure, timeout. */
public final class WebSocketDialException extends IOException {
    private static final long serialVersionUID = 1L;

    public WebSocketDialException(String message) {
        super(message);
    }
}
