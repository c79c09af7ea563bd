package dev.tcptoany.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One connection through a SOCKS5 entry with the JDK's own client (an independent one): CONNECT to a
 * target (an unresolved address goes as a name), send a payload, half-close, and read everything that
 * comes back, e.g. from an echo server behind the exit.
 */
public final class SocksEcho {
    private SocksEcho() {
    }

    /**
     * @return what came back, or the client's error message when the connection failed: the JDK words
     *         the SOCKS5 replies as RFC 1928 does ("not allowed", "Host unreachable", ...)
     */
    public static String echo(InetSocketAddress socks, InetSocketAddress target, String payload) {
        try (Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, socks))) {
            s.setSoTimeout(10_000);
            s.connect(target, 10_000);
            s.getOutputStream().write(payload.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return String.valueOf(e.getMessage());
        }
    }
}
