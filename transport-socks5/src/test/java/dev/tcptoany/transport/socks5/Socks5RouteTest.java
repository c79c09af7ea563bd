package dev.tcptoany.transport.socks5;

import dev.tcptoany.testkit.CountingEchoServer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import dev.tcptoany.testkit.LeakDetection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One node, {@code socks5 -> tcp(dynamic)}: the JDK's SOCKS client reaches IPv4, IPv6 and name
 * targets; a raw client sees every reply code, and a counting server proves refused targets were
 * never connected to.
 */
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Socks5RouteTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private CountingEchoServer v4;

    @BeforeEach
    void servers() throws IOException {
        v4 = new CountingEchoServer(InetAddress.getByName("127.0.0.1"));
        open.add(v4);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private final List<Proxy> proxies = new ArrayList<>();

    private InetSocketAddress start(String allow, String extraListen, String extraRoute) {
        Proxy p = Proxy.start(ConfigLoader.parseString("proxy.routes.entry {\n"
                + "  listen { transport = socks5, address = \"127.0.0.1:0\"" + extraListen + " }\n"
                + "  dial { transport = tcp, address = dynamic, allow = " + allow + " }\n"
                + extraRoute + "\n}\n", "socks5-test.conf"));
        open.add(p);
        proxies.add(p);
        return (InetSocketAddress) p.boundAddresses("entry").get(0);
    }

    private static String echoThrough(InetSocketAddress entry, InetSocketAddress target) throws IOException {
        try (Socket s = new Socket(new java.net.Proxy(java.net.Proxy.Type.SOCKS, entry))) {
            s.setSoTimeout(10_000);
            s.connect(target, 5000);
            OutputStream out = s.getOutputStream();
            out.write("hello through socks5".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void theJdkClientReachesAnIpv4Target() throws Exception {
        InetSocketAddress entry = start("[\"127.0.0.1/32:" + v4.port() + "\"]", "", "");
        assertThat(echoThrough(entry, v4.address())).isEqualTo("hello through socks5");
        assertThat(v4.accepted()).isEqualTo(1);
    }

    @Test
    void theJdkClientReachesAnIpv6Target() throws Exception {
        CountingEchoServer v6 = new CountingEchoServer(InetAddress.getByName("::1"));
        open.add(v6);
        InetSocketAddress entry = start("[\"[::1]:" + v6.port() + "\"]", "", "");
        assertThat(echoThrough(entry, v6.address())).isEqualTo("hello through socks5");
        assertThat(v6.accepted()).isEqualTo(1);
    }

    @Test
    void theJdkClientReachesANameTheExitResolves() throws Exception {
        // createUnresolved: the JDK sends the name (address type 3); the exit resolves localhost and
        // connects to the address its explicit allow entry names.
        InetSocketAddress entry = start("[\"127.0.0.1/32:" + v4.port() + "\"]", "", "");
        assertThat(echoThrough(entry, InetSocketAddress.createUnresolved("localhost", v4.port())))
                .isEqualTo("hello through socks5");
        assertThat(v4.accepted()).isEqualTo(1);
    }

    @Test
    void aRouteWithAFixedDialFailsCheckAndRefusesClientsInsteadOfConnectingElsewhere() throws Exception {
        String config = "proxy.routes.entry {\n"
                + "  listen { transport = socks5, address = \"127.0.0.1:0\" }\n"
                + "  dial { transport = tcp, address = \"127.0.0.1:" + v4.port() + "\" }\n}\n";
        var problems = Proxy.check(ConfigLoader.parseString(config, "fixed.conf"), java.util.Optional.empty());
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).getMessage()).contains("fixed.conf: 3").contains("proxy.routes.entry.dial")
                .contains("name their own destination").contains("address = dynamic");
        // Started anyway (run does not stop for it): the client asked for another port and is refused;
        // the fixed address is never connected.
        Proxy p = Proxy.start(ConfigLoader.parseString(config, "fixed.conf"));
        open.add(p);
        InetSocketAddress entry = (InetSocketAddress) p.boundAddresses("entry").get(0);
        try (RawSocks5Client c = new RawSocks5Client(entry)) {
            assertThat(c.greet(0)).isZero();
            assertThat(c.requestName(RawSocks5Client.CONNECT, "example.org", 80)).isEqualTo(Socks5Replies.NOT_ALLOWED);
        }
        assertThat(v4.accepted()).isZero();
        assertThat(p.counters("entry").rejectedPeers()).containsEntry("destination-not-allowed", 1L);
    }

    @Test
    void refusedTargetsGetReplyTwoAndAreNeverConnected() throws Exception {
        InetSocketAddress entry = start("[\"any\"]", "", "");
        int port = v4.port();
        List<String> names = List.of("localhost", "2130706433", "0177.0.0.1", "0x7f.1", "127.1", "127.0.0.1");
        for (String host : names) {
            try (RawSocks5Client c = new RawSocks5Client(entry)) {
                assertThat(c.greet(0)).isZero();
                assertThat(c.requestName(RawSocks5Client.CONNECT, host, port)).as(host).isEqualTo(Socks5Replies.NOT_ALLOWED);
                assertThat(c.closedByServer()).as(host).isTrue();
            }
        }
        List<byte[]> addresses = List.of(new byte[] {127, 0, 0, 1}, new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254},
                v4MappedLoopback(), InetAddress.getByName("::1").getAddress());
        for (byte[] a : addresses) {
            try (RawSocks5Client c = new RawSocks5Client(entry)) {
                assertThat(c.greet(0)).isZero();
                assertThat(c.requestAddress(RawSocks5Client.CONNECT, a, port)).isEqualTo(Socks5Replies.NOT_ALLOWED);
            }
        }
        assertThat(v4.accepted()).as("connections that reached the target").isZero();
        assertThat(proxies.get(0).counters("entry").rejectedPeers())
                .as("every refusal counted by reason").containsEntry("destination-not-allowed", 10L);
    }

    /** ::ffff:127.0.0.1 as 16 bytes (InetAddress would turn it into an Inet4Address). */
    private static byte[] v4MappedLoopback() {
        byte[] a = new byte[16];
        a[10] = (byte) 0xff;
        a[11] = (byte) 0xff;
        a[12] = 127;
        a[15] = 1;
        return a;
    }

    @Test
    void aTargetOutsideTheAllowListIsNotAllowed() throws Exception {
        InetSocketAddress entry = start("[\"10.0.0.0/8:22\", \"*.internal.example:443\"]", "", "");
        try (RawSocks5Client c = new RawSocks5Client(entry)) {
            c.greet(0);
            assertThat(c.requestAddress(RawSocks5Client.CONNECT, new byte[] {127, 0, 0, 1}, v4.port()))
                    .isEqualTo(Socks5Replies.NOT_ALLOWED);
        }
        try (RawSocks5Client c = new RawSocks5Client(entry)) {
            c.greet(0);
            assertThat(c.requestName(RawSocks5Client.CONNECT, "internal.example", 443)).isEqualTo(Socks5Replies.NOT_ALLOWED);
        }
        assertThat(v4.accepted()).isZero();
    }

    @Test
    void aClosedPortIsRefusedAndAnUnknownNameUnreachable() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        InetSocketAddress entry = start("[\"127.0.0.1/32\", \"*.invalid\"]", "", "");
        try (RawSocks5Client c = new RawSocks5Client(entry)) {
            c.greet(0);
            assertThat(c.requestAddress(RawSocks5Client.CONNECT, new byte[] {127, 0, 0, 1}, closed)).isEqualTo(Socks5Replies.REFUSED);
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawSocks5Client c = new RawSocks5Client(entry)) {
            c.greet(0);
            assertThat(c.requestName(RawSocks5Client.CONNECT, "no-such-host.invalid", 80)).isEqualTo(Socks5Replies.HOST_UNREACHABLE);
        }
        assertThat(proxies.get(0).counters("entry").dialFailures()).isEqualTo(2);
    }

    @Test
    void aTargetThatNeverAnswersTimesOutWithTtlExpired() throws Exception {
        // A listener whose accept queue is full drops further SYNs: the connect hangs until the deadline.
        ServerSocket full = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        open.add(full);
        List<Socket> fillers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket f = new Socket();
            try {
                f.connect(full.getLocalSocketAddress(), 300);
                fillers.add(f);
            } catch (IOException queueFull) {
                f.close();
                break;
            }
        }
        fillers.forEach(f -> open.add(f));
        InetSocketAddress entry = start("[\"127.0.0.1/32\"]", "", "connect-timeout = 1s");
        try (RawSocks5Client c = new RawSocks5Client(entry)) {
            c.greet(0);
            long t0 = System.nanoTime();
            assertThat(c.requestAddress(RawSocks5Client.CONNECT, new byte[] {127, 0, 0, 1}, full.getLocalPort()))
                    .isEqualTo(Socks5Replies.TTL_EXPIRED);
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(900));
        }
    }

    @Test
    void bindAndUdpAssociateAreNotSupported() throws Exception {
        InetSocketAddress entry = start("[\"any\"]", "", "");
        for (int command : new int[] {RawSocks5Client.BIND, RawSocks5Client.UDP_ASSOCIATE}) {
            try (RawSocks5Client c = new RawSocks5Client(entry)) {
                c.greet(0);
                assertThat(c.requestAddress(command, new byte[] {(byte) 192, 0, 2, 1}, 80))
                        .isEqualTo(Socks5Replies.COMMAND_NOT_SUPPORTED);
                assertThat(c.closedByServer()).isTrue();
            }
        }
        assertThat(proxies.get(0).counters("entry").rejectedPeers()).containsEntry("socks5-unsupported-command", 2L);
    }

    @Test
    void usernameAndPasswordAreRequiredWhenConfigured() throws Exception {
        InetSocketAddress entry = start("[\"127.0.0.1/32:" + v4.port() + "\"]",
                ", auth { username = alice, password = \"s3cret\" }", "");
        try (RawSocks5Client c = new RawSocks5Client(entry)) {
            assertThat(c.greet(0)).as("no-auth alone is not acceptable").isEqualTo(0xff);
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawSocks5Client c = new RawSocks5Client(entry)) {
            assertThat(c.greet(0, 2)).isEqualTo(2);
            assertThat(c.login("alice", "wrong")).isEqualTo(1);
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawSocks5Client c = new RawSocks5Client(entry)) {
            assertThat(c.greet(2)).isEqualTo(2);
            assertThat(c.login("alice", "s3cret")).isZero();
            assertThat(c.requestAddress(RawSocks5Client.CONNECT, new byte[] {127, 0, 0, 1}, v4.port())).isZero();
            c.out.write("pw".getBytes(StandardCharsets.US_ASCII));
            c.socket.shutdownOutput();
            assertThat(new String(c.in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("pw");
        }
        assertThat(proxies.get(0).counters("entry").rejectedPeers())
                .containsEntry("socks5-no-acceptable-method", 1L).containsEntry("socks5-login", 1L);
    }

    @Test
    void payloadPipelinedBehindTheGreetingAndRequestArrivesIntact() throws Exception {
        InetSocketAddress entry = start("[\"127.0.0.1/32:" + v4.port() + "\"]", "", "");
        try (Socket s = new Socket()) {
            s.connect(entry, 5000);
            s.setSoTimeout(10_000);
            int port = v4.port();
            // Greeting, request and payload in one write, as an optimistic client sends them.
            byte[] all = {5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, (byte) (port >> 8), (byte) port, 'a', 'b', 'c'};
            s.getOutputStream().write(all);
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            assertThat(in.readNBytes(2)).containsExactly(5, 0);
            byte[] reply = in.readNBytes(10);
            assertThat(reply[1]).isZero();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("abc");
        }
    }

    @Test
    void theReplyComesOnlyOnceTheTargetAccepted() throws Exception {
        // A server that speaks first: its banner must come after the success reply, never before.
        try (ServerSocket banner = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            Thread t = new Thread(() -> {
                try (Socket s = banner.accept()) {
                    s.getOutputStream().write("220 hi\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read();
                } catch (IOException e) {
                    // test over
                }
            });
            t.setDaemon(true);
            t.start();
            InetSocketAddress entry = start("[\"127.0.0.1/32:" + banner.getLocalPort() + "\"]", "", "");
            try (RawSocks5Client c = new RawSocks5Client(entry)) {
                c.greet(0);
                assertThat(c.requestAddress(RawSocks5Client.CONNECT, new byte[] {127, 0, 0, 1}, banner.getLocalPort())).isZero();
                assertThat(new String(c.in.readNBytes(8), StandardCharsets.US_ASCII)).isEqualTo("220 hi\r\n");
            }
        }
    }
}
