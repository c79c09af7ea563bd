package dev.tcptoany.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real TCP server on loopback, written with plain blocking JDK sockets (a different implementation
 * from the Netty code under test), one thread per connection. What it does with each connection is
 * a {@link Behaviour}; by default it echoes until the client's FIN and then sends its own FIN.
 */
public final class TestServer implements AutoCloseable {

    /** What the server does with one accepted connection. */
    @FunctionalInterface
    public interface Behaviour {
        void serve(Socket socket) throws IOException;
    }

    /** Echo everything; on the client's FIN, finish sending and send FIN. */
    public static final Behaviour ECHO = s -> {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            s.getOutputStream().write(buf, 0, n);
        }
        s.shutdownOutput();
    };

    /** How a connection ended on the server's side. */
    public record Outcome(long bytesRead, boolean cleanEof, String error) {
    }

    private final ServerSocket server;
    private volatile Behaviour behaviour;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final Thread acceptor;

    public TestServer() throws IOException {
        this(ECHO);
    }

    public TestServer(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "test-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public void behaviour(Behaviour b) {
        this.behaviour = b;
    }

    public int port() {
        return server.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    /** The next connection outcome reported by a behaviour through {@link #report}, or null on timeout. */
    public Outcome nextOutcome(long timeout, TimeUnit unit) throws InterruptedException {
        return outcomes.poll(timeout, unit);
    }

    /** Forgets outcomes of earlier connections. */
    public void clearOutcomes() {
        outcomes.clear();
    }

    /** Lets a behaviour publish how its connection ended. */
    public void report(Outcome o) {
        outcomes.add(o);
    }

    /** Reads until EOF or error; reports and returns the outcome. */
    public Outcome drain(Socket s) {
        long total = 0;
        byte[] buf = new byte[64 * 1024];
        try {
            InputStream in = s.getInputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                total += n;
            }
            Outcome o = new Outcome(total, true, null);
            report(o);
            return o;
        } catch (IOException e) {
            Outcome o = new Outcome(total, false, e.toString());
            report(o);
            return o;
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Behaviour b = behaviour;
                Thread t = new Thread(() -> {
                    try (s) {
                        b.serve(s);
                    } catch (SocketException e) {
                        // reset by the peer: outcome already reported where a behaviour cares
                    } catch (IOException e) {
                        // the connection failed; behaviours that care report it
                    } finally {
                        sockets.remove(s);
                    }
                }, "test-server-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
