package dev.tcptoany.transport.ws;

import dev.tcptoany.api.DialFailure;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/**
 * How a destination crosses a ws/wss hop (between nodes of ours, under the subprotocol
 * {@value Subprotocol#NAME}): node 1 names it in the upgrade request's {@link #DESTINATION} header;
 * the exit answers only after its own dial: 101 with the same header echoed, or 403 (not allowed),
 * 502 (refused or unreachable, said in {@link #DIAL_FAILURE}) or 504 (timeout). The echo tells node 1
 * the listener understood the header: a listener that predates it would upgrade at once and dial
 * its fixed upstream, so node 1 fails such a dial instead of sending payload.
 */
final class DestinationHeaders {
    static final AsciiString DESTINATION = AsciiString.cached("tcp-to-any-destination");
    static final AsciiString DIAL_FAILURE = AsciiString.cached("tcp-to-any-dial-failure");

    private DestinationHeaders() {
    }

    static HttpResponseStatus status(DialFailure failure) {
        return switch (failure) {
            case NOT_ALLOWED -> HttpResponseStatus.FORBIDDEN;
            case REFUSED, UNREACHABLE -> HttpResponseStatus.BAD_GATEWAY;
            case TIMEOUT -> HttpResponseStatus.GATEWAY_TIMEOUT;
        };
    }

    /** The failure an answer other than 101 stands for; {@code detail} is the DIAL_FAILURE header or null. */
    static DialFailure failure(int status, String detail) {
        if (detail != null) {
            for (DialFailure f : DialFailure.values()) {
                if (f.key().equalsIgnoreCase(detail.trim())) {
                    return f;
                }
            }
        }
        return switch (status) {
            case 403 -> DialFailure.NOT_ALLOWED;
            case 504 -> DialFailure.TIMEOUT;
            default -> DialFailure.UNREACHABLE;
        };
    }
}
