package dev.tcptoany.transport.ws;

/**
 * Our WebSocket subprotocol, {@code tcp-to-any.v1}, and its control messages.
 *
 * <p>When both ends agree on it, binary messages still carry the raw TCP bytes, and text messages
 * carry control: {@value #FIN} means "no more bytes from me" (a TCP half-close). It is an ordinary
 * data message, so gateways that terminate WebSocket pass it through; a Close frame would end both
 * directions there. A Close 1000 ends a connection once both sides sent {@value #FIN}; a Close in
 * the {@value #ABORT_CODE} range is an abort (the reason says why), so a truncated transfer never
 * looks complete.
 */
final class Subprotocol {
    private Subprotocol() {
    }

    /** The default name offered by our dialer and selected by our listener. */
    static final String NAME = "tcp-to-any.v1";

    /** Text message: the sender will send no more bytes. */
    static final String FIN = "fin";

    /** Close code of an abort (the relayed connection was reset or failed). */
    static final int ABORT_CODE = 4000;

    /** Control messages are tiny; anything longer is a protocol error. */
    static final int MAX_CONTROL_MESSAGE = 256;
}
