package dev.tcptoany.core;

/**
 * Why a relayed connection ended: the {@code reason} label of {@code tcptoany_connection_ends_total}
 * and the {@code end} field of the access log. The first cause wins: an idle timeout that closes
 * both sides is an idle timeout, not the aborts it causes.
 */
public enum EndReason {
    /** Both directions ended cleanly (FIN each way, or a transport that ends both at once). */
    FIN("fin"),
    /** The client reset, failed or closed before the end of its stream. */
    CLIENT_ABORT("client-abort"),
    /** The upstream reset, failed or closed before the end of its stream. */
    UPSTREAM_ABORT("upstream-abort"),
    IDLE_TIMEOUT("idle-timeout"),
    HALF_CLOSED_TIMEOUT("half-closed-timeout"),
    /** The upstream could not be reached (see the dial failure causes). */
    DIAL_FAILED("dial-failed"),
    /** Refused before relaying by the host's policy (max-open-connections). */
    REFUSED_BY_POLICY("refused-by-policy"),
    /** Still open when the stop's grace period ran out. */
    SHUTDOWN("shutdown");

    private final String label;

    EndReason(String label) {
        this.label = label;
    }

    /** The stable name in metrics and logs. */
    public String label() {
        return label;
    }
}
