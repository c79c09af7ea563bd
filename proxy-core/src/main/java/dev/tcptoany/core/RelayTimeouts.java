package dev.tcptoany.core;

import java.time.Duration;

/**
 * The deadlines a relay enforces.
 *
 * @param connect      from accept until the upstream stream is open
 * @param idle         no byte in either direction for this long closes the connection
 * @param halfClosed   once one side has sent its end-of-stream, no byte for this long aborts the
 *                     other (a peer that never finishes must not pin resources forever)
 */
public record RelayTimeouts(Duration connect, Duration idle, Duration halfClosed) {
}
