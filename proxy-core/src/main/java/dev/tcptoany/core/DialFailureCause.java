package dev.tcptoany.core;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * A dial failure sorted into a few stable causes for {@code tcptoany_dial_failures_total}: an
 * operator alerting on refused upstreams must not depend on the wording of each transport's
 * exception messages, which stay in the log line.
 */
public enum DialFailureCause {
    TIMEOUT("timeout"),
    REFUSED("refused"),
    UNREACHABLE("unreachable"),
    DNS("dns"),
    TLS("tls"),
    CLOSED("closed"),
    OTHER("other");

    private final String label;

    DialFailureCause(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Looks through the cause chain for the first thing it recognises. */
    static DialFailureCause of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnknownHostException) {
                return DNS;
            }
            if (t instanceof SSLException) {
                return TLS;
            }
            if (t instanceof NoRouteToHostException || t instanceof PortUnreachableException) {
                return UNREACHABLE;
            }
            if (t instanceof ConnectException) {
                String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
                return m.contains("timed out") ? TIMEOUT : m.contains("unreachable") ? UNREACHABLE : REFUSED;
            }
            if (t instanceof ClosedChannelException) {
                return CLOSED;
            }
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("timeout") || m.contains("timed out")) {
                return TIMEOUT;
            }
            if (m.contains("refused") || m.contains("nothing listens")) {
                return REFUSED;
            }
            if (m.contains("unreachable")) {
                return UNREACHABLE;
            }
            if (m.contains("certificate") || m.contains("tls") || m.contains("handshake")) {
                return TLS;
            }
        }
        return OTHER;
    }
}
