package dev.tcptoany.api;

import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Why a dial did not reach its target, in the terms an entry point answers its client in (SOCKS5
 * reply codes, HTTP status codes, our own stream and upgrade answers).
 */
public enum DialFailure {
    /** The exit's policy refused the destination (or the client's credentials do not cover it). */
    NOT_ALLOWED,
    /** The target actively refused the connection (TCP reset to the SYN). */
    REFUSED,
    /** No route, no such host, no answer at all. */
    UNREACHABLE,
    /** The route's connect deadline passed. */
    TIMEOUT;

    /**
     * The failure a dial's exception stands for: a {@link DialFailedException} says so itself;
     * otherwise the cause chain is read (a connect timeout before a refusal, since Netty's timeout is
     * a kind of {@code ConnectException}; a refusal is a {@code ConnectException} saying "refused",
     * since Netty's native transports report a missing route as one too); anything else counts as
     * unreachable.
     */
    public static DialFailure of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DialFailedException d) {
                return d.failure();
            }
            if (t instanceof ConnectTimeoutException || t instanceof SocketTimeoutException) {
                return TIMEOUT;
            }
            if (t instanceof NoRouteToHostException || t instanceof UnknownHostException
                    || t instanceof PortUnreachableException) {
                return UNREACHABLE;
            }
            if (t instanceof ConnectException && t.getMessage() != null && t.getMessage().contains("refused")) {
                return REFUSED; // other connect errors (no route, network unreachable) are not refusals
            }
        }
        return UNREACHABLE;
    }

    /** The lower-case name used in logs, counters and wire messages: {@code not-allowed}. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
