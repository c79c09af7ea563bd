package dev.tcptoany.transport.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP CONNECT proxy for tests, on plain JDK sockets (an implementation independent of the
 * Netty code under test): reads the CONNECT head, checks Basic credentials when configured
 * (407 otherwise), opens the target and pumps bytes both ways, passing each direction's end on.
 */
final class ConnectProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String expectedAuth;
    /** Every CONNECT target accepted, e.g. "127.0.0.1:4202". */
    final List<String> tunnels = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /** @param user null for a proxy without authentication */
    ConnectProxy(String user, String password) throws IOException {
        this.expectedAuth = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "connect-proxy");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String url(String user, String password) {
        return "http://" + (user == null ? "" : user + ":" + password + "@") + "127.0.0.1:" + port();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "connect-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try {
            String head = readHead(client.getInputStream());
            String[] lines = head.split("\r\n");
            String[] request = lines[0].split(" ");
            OutputStream out = client.getOutputStream();
            if (request.length < 3 || !request[0].equals("CONNECT")) {
                out.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                client.close();
                return;
            }
            String auth = null;
            for (String l : lines) {
                if (l.regionMatches(true, 0, "Proxy-Authorization:", 0, 20)) {
                    auth = l.substring(20).trim();
                }
            }
            if (expectedAuth != null && !expectedAuth.equals(auth)) {
                out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                        + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                client.close();
                return;
            }
            String target = request[1];
            int colon = target.lastIndexOf(':');
            Socket upstream = new Socket(target.substring(0, colon).replace("[", "").replace("]", ""),
                    Integer.parseInt(target.substring(colon + 1)));
            sockets.add(upstream);
            tunnels.add(target);
            out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread up = pump(client, upstream);
            pump(upstream, client).join();
            up.join();
            client.close();
            upstream.close();
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static Thread pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[32 * 1024];
            try {
                InputStream in = from.getInputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    to.getOutputStream().write(buf, 0, n);
                }
                to.shutdownOutput();
            } catch (IOException e) {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }, "connect-proxy-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                break;
            }
            if (n > 16 * 1024) {
                throw new IOException("request head too long");
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
