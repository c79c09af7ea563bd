package dev.tcptoany.core;

import java.time.Duration;

/**
 * One relayed connection as it ended: what the access log writes.
 *
 * @param client          the client's address, or the listen stream's description when it has none
 * @param upstream        what was dialled, as configured ("127.0.0.1:5201", "ws://host/t")
 * @param firstEnded      "client", "upstream" or "proxy" (a timeout, a stop, a refusal): who ended first
 */
record ConnectionEnd(String route, String client, String listenTransport, String dialTransport, String upstream,
                     long bytesToUpstream, long bytesToClient, Duration duration, EndReason reason,
                     String firstEnded) {
}
