package dev.tcptoany.transport.httpconnect;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** An HTTP proxy client on a raw socket: sends one request head, reads the answer's head. */
final class RawConnectClient implements AutoCloseable {
    final Socket socket;
    final InputStream in;

    RawConnectClient(InetSocketAddress proxy) throws IOException {
        socket = new Socket();
        socket.connect(proxy, 5000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
    }

    /** Sends {@code head} (CRLF line ends added, blank line appended) and returns the answer's head. */
    String request(String... lines) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append("\r\n");
        }
        b.append("\r\n");
        socket.getOutputStream().write(b.toString().getBytes(StandardCharsets.US_ASCII));
        return readHead();
    }

    /** CONNECT {@code target} with an optional Proxy-Authorization value; returns the answer's head. */
    String connect(String target, String authorization) throws IOException {
        return authorization == null ? request("CONNECT " + target + " HTTP/1.1", "Host: " + target)
                : request("CONNECT " + target + " HTTP/1.1", "Host: " + target, "Proxy-Authorization: " + authorization);
    }

    String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.write(c);
            matched = (c == '\r' || c == '\n') && "\r\n\r\n".charAt(matched) == c ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    static int status(String head) {
        return Integer.parseInt(head.substring(9, 12));
    }

    boolean closedByServer() {
        try {
            while (true) {
                if (in.read() == -1) {
                    return true;
                }
            }
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
