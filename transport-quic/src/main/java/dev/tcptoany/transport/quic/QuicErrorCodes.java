package dev.tcptoany.transport.quic;

/**
 * Application error codes this transport puts in RESET_STREAM, STOP_SENDING and CONNECTION_CLOSE
 * frames. Peers only need to tell "clean" (0) from "not clean"; the numbers help reading logs and
 * packet captures.
 */
final class QuicErrorCodes {
    /** Connection closed on purpose (shutdown, listener closed, linger over). */
    static final int NO_ERROR = 0;
    /** Stream aborted: the TCP side was reset or the relay gave up. Never a clean end. */
    static final int STREAM_ABORTED = 0x101;
    /** Stream refused: its header was malformed or of an unknown version. */
    static final int STREAM_BAD_HEADER = 0x102;
    /** Stream refused: the listener is shutting down. */
    static final int STREAM_REFUSED = 0x103;
    /** Stream refused: the listener checks tokens and this stream's header carried none it knows. */
    static final int STREAM_UNAUTHORIZED = 0x104;
    /** Connection refused: the listener is at its connection limit or shutting down. */
    static final int CONNECTION_REFUSED = 0x110;

    private QuicErrorCodes() {
    }
}
