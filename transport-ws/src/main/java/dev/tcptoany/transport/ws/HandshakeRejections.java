package dev.tcptoany.transport.ws;

import dev.tcptoany.api.PeerRejections;
import dev.tcptoany.api.TransportMetrics;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The listener's refusals by reason (upgrades: {@code ws-forbidden-origin}, {@code ws-handshake-timeout},
 * ...; also {@code tls-handshake} and {@code ws-ping-flood}), counted for the metrics endpoint as
 * {@code tcptoany_ws_handshakes_rejected_total}, then passed on to the host's rejections.
 */
final class HandshakeRejections implements PeerRejections {
    private final PeerRejections host;
    private final Map<String, LongAdder> byReason = new ConcurrentHashMap<>();

    HandshakeRejections(PeerRejections host) {
        this.host = host;
    }

    @Override
    public void record(String reason, SocketAddress peer, String detail) {
        byReason.computeIfAbsent(reason, r -> new LongAdder()).increment();
        host.record(reason, peer, detail);
    }

    TransportMetrics metrics() {
        return out -> byReason.forEach((reason, n) -> out.counter("handshakes_rejected",
                "Peers the listener turned away (upgrade refused, TLS handshake, ping flood), by reason", n.sum(), "reason", reason));
    }
}
