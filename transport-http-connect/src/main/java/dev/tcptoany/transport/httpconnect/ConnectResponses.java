package dev.tcptoany.transport.httpconnect;

import dev.tcptoany.api.DialFailure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The proxy's answers, written as bytes: after a CONNECT the connection is a tunnel and no HTTP
 * codec stays in the pipeline, so the final answer goes out raw. Every refusal closes the
 * connection ({@code Connection: close}) and says why in a short text body.
 */
final class ConnectResponses {
    private ConnectResponses() {
    }

    static ByteBuf established(ByteBufAllocator alloc) {
        return ascii(alloc, "HTTP/1.1 200 Connection established\r\n\r\n");
    }

    /** 403 not allowed, 502 refused or unreachable, 504 timeout. */
    static ByteBuf dialFailed(ByteBufAllocator alloc, DialFailure failure) {
        return switch (failure) {
            case NOT_ALLOWED -> refusal(alloc, 403, "Forbidden", "", "destination not allowed by the exit's policy\n");
            case REFUSED -> refusal(alloc, 502, "Bad Gateway", "", "the destination refused the connection\n");
            case UNREACHABLE -> refusal(alloc, 502, "Bad Gateway", "", "the destination is unreachable\n");
            case TIMEOUT -> refusal(alloc, 504, "Gateway Timeout", "", "the destination did not answer in time\n");
        };
    }

    static ByteBuf authenticationRequired(ByteBufAllocator alloc) {
        return refusal(alloc, 407, "Proxy Authentication Required",
                "Proxy-Authenticate: Basic realm=\"tcp-to-any-proxy\", charset=\"UTF-8\"\r\n",
                "proxy authentication required\n");
    }

    static ByteBuf methodNotAllowed(ByteBufAllocator alloc, String method) {
        return refusal(alloc, 405, "Method Not Allowed", "Allow: CONNECT\r\n",
                "this is a tunnelling proxy: it accepts CONNECT host:port only, not plain HTTP forwarding (" + method
                        + "); use an https:// URL, or a client that tunnels with CONNECT (curl -p -x)\n");
    }

    static ByteBuf badRequest(ByteBufAllocator alloc, String why) {
        return refusal(alloc, 400, "Bad Request", "", why.replace('\r', ' ').replace('\n', ' ') + "\n");
    }

    private static ByteBuf refusal(ByteBufAllocator alloc, int status, String reason, String headers, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return ascii(alloc, "HTTP/1.1 " + status + " " + reason + "\r\n" + headers
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + b.length + "\r\nConnection: close\r\n\r\n"
                + body);
    }

    private static ByteBuf ascii(ByteBufAllocator alloc, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(b.length).writeBytes(b);
    }
}
