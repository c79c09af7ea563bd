package dev.tcptoany.testkit;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real DNS server on an ephemeral loopback UDP port, written with a plain {@link DatagramSocket}
 * and the wire format by hand (a different implementation from the Netty resolver under test), for
 * {@code proxy.dns.servers = ["127.0.0.1:PORT"]}.
 *
 * <p>{@link #answering} answers A (IPv4) and AAAA (IPv6) questions for the names it was given, with
 * an empty answer for the other type and NXDOMAIN for any other name; {@link #silent} reads every
 * question and never answers, as a DNS server behind a black hole does. Either way each question
 * is recorded ({@link #questions()}), so a test can tell what reached DNS and what did not.
 */
public final class TestDnsServer implements AutoCloseable {
    private static final int TYPE_A = 1;
    private static final int TYPE_AAAA = 28;
    private static final int CLASS_IN = 1;
    private static final int RCODE_NXDOMAIN = 3;
    private static final int TTL_SECONDS = 60;

    private final DatagramSocket socket;
    /** Lower-case names without the trailing dot; null for a server that never answers. */
    private final Map<String, InetAddress> records;
    private final List<String> questions = new CopyOnWriteArrayList<>();

    private TestDnsServer(Map<String, InetAddress> records) throws IOException {
        this.records = records;
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::serve, "test-dns-server");
        t.setDaemon(true);
        t.start();
    }

    /** Answers each name in {@code records} (e.g. {@code "upstream.test"}) with its address. */
    public static TestDnsServer answering(Map<String, InetAddress> records) throws IOException {
        Map<String, InetAddress> normalized = new HashMap<>();
        records.forEach((name, address) -> normalized.put(normalize(name), address));
        return new TestDnsServer(Map.copyOf(normalized));
    }

    /** Reads questions and never answers. */
    public static TestDnsServer silent() throws IOException {
        return new TestDnsServer(null);
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** For {@code proxy.dns.servers}: {@code 127.0.0.1:PORT}. */
    public String hostPort() {
        return socket.getLocalAddress().getHostAddress() + ":" + port();
    }

    /** Every question received, in order, as {@code "name TYPE"}, e.g. {@code "upstream.test A"}. */
    public List<String> questions() {
        return List.copyOf(questions);
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(in);
                byte[] answer = handle(ByteBuffer.wrap(in.getData(), in.getOffset(), in.getLength()));
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
                }
            } catch (IOException e) {
                return; // closed
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                // not a DNS question we understand: ignore it, as a server drops garbage
            }
        }
    }

    /** The response to one query, or null to stay silent. */
    private byte[] handle(ByteBuffer query) {
        int id = query.getShort() & 0xffff;
        int flags = query.getShort() & 0xffff;
        int questionCount = query.getShort() & 0xffff;
        query.position(12);
        if (questionCount != 1) {
            throw new IllegalArgumentException("one question per query");
        }
        int questionStart = query.position();
        String name = readName(query);
        int type = query.getShort() & 0xffff;
        int questionEnd = query.position() + 2; // and the class
        questions.add(name + " " + typeName(type));
        if (records == null) {
            return null;
        }
        InetAddress address = records.get(name);
        boolean answers = address != null
                && (type == TYPE_A && address instanceof Inet4Address || type == TYPE_AAAA && !(address instanceof Inet4Address));
        ByteBuffer out = ByteBuffer.allocate(512);
        out.putShort((short) id);
        int recursionDesired = flags & 0x0100;
        int rcode = address == null ? RCODE_NXDOMAIN : 0;
        // QR (a response), AA (authoritative), RD echoed, RA (recursion available), the rcode.
        out.putShort((short) (0x8000 | 0x0400 | recursionDesired | 0x0080 | rcode));
        out.putShort((short) 1);
        out.putShort((short) (answers ? 1 : 0));
        out.putShort((short) 0);
        out.putShort((short) 0);
        out.put(query.array(), query.arrayOffset() + questionStart, questionEnd - questionStart);
        if (answers) {
            out.putShort((short) (0xC000 | 12)); // the name: a pointer to the question's
            out.putShort((short) type);
            out.putShort((short) CLASS_IN);
            out.putInt(TTL_SECONDS);
            byte[] a = address.getAddress();
            out.putShort((short) a.length);
            out.put(a);
        }
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    /** A question's name: uncompressed labels, as resolvers send them. */
    private static String readName(ByteBuffer b) {
        StringBuilder name = new StringBuilder();
        int len;
        while ((len = b.get() & 0xff) != 0) {
            if (len > 63) {
                throw new IllegalArgumentException("compressed or bad label in a question");
            }
            byte[] label = new byte[len];
            b.get(label);
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(new String(label, StandardCharsets.US_ASCII));
        }
        return normalize(name.toString());
    }

    private static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private static String typeName(int type) {
        return type == TYPE_A ? "A" : type == TYPE_AAAA ? "AAAA" : "TYPE" + type;
    }

    @Override
    public void close() {
        socket.close();
    }
}
