package dev.tcptoany.transport.socks5;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A SOCKS5 client written byte by byte, for what the JDK's client cannot ask (BIND, bad logins, raw codes). */
final class RawSocks5Client implements AutoCloseable {
    static final int CONNECT = 1;
    static final int BIND = 2;
    static final int UDP_ASSOCIATE = 3;

    final Socket socket;
    final DataInputStream in;
    final OutputStream out;

    RawSocks5Client(InetSocketAddress proxy) throws IOException {
        socket = new Socket();
        socket.connect(proxy, 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends a greeting offering {@code methods}; returns the method the server chose. */
    int greet(int... methods) throws IOException {
        byte[] b = new byte[2 + methods.length];
        b[0] = 5;
        b[1] = (byte) methods.length;
        for (int i = 0; i < methods.length; i++) {
            b[2 + i] = (byte) methods[i];
        }
        out.write(b);
        int ver = in.readUnsignedByte();
        if (ver != 5) {
            throw new IOException("method selection version " + ver);
        }
        return in.readUnsignedByte();
    }

    /** RFC 1929; returns the status (0 = success). */
    int login(String user, String password) throws IOException {
        byte[] u = user.getBytes(StandardCharsets.UTF_8);
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        out.write(1);
        out.write(u.length);
        out.write(u);
        out.write(p.length);
        out.write(p);
        int ver = in.readUnsignedByte();
        if (ver != 1) {
            throw new IOException("login status version " + ver);
        }
        return in.readUnsignedByte();
    }

    /** Sends a request for a domain name; returns the reply code (the bound address is read and dropped). */
    int requestName(int command, String host, int port) throws IOException {
        byte[] h = host.getBytes(StandardCharsets.US_ASCII);
        out.write(new byte[] {5, (byte) command, 0, 3, (byte) h.length});
        out.write(h);
        out.write(new byte[] {(byte) (port >> 8), (byte) port});
        return readReply();
    }

    /** Sends a request for an IPv4 or IPv6 address given as bytes; returns the reply code. */
    int requestAddress(int command, byte[] address, int port) throws IOException {
        out.write(new byte[] {5, (byte) command, 0, (byte) (address.length == 4 ? 1 : 4)});
        out.write(address);
        out.write(new byte[] {(byte) (port >> 8), (byte) port});
        return readReply();
    }

    private int readReply() throws IOException {
        int ver = in.readUnsignedByte();
        if (ver != 5) {
            throw new IOException("reply version " + ver);
        }
        int rep = in.readUnsignedByte();
        in.readUnsignedByte();
        int atyp = in.readUnsignedByte();
        int len = switch (atyp) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> in.readUnsignedByte();
            default -> throw new IOException("reply address type " + atyp);
        };
        in.readNBytes(len + 2);
        return rep;
    }

    /** True once the server closed the connection (end of stream, or a reset). */
    boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
