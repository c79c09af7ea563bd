package dev.tcptoany.testkit;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A loopback port for a test to configure before something binds it, picked <em>below</em> the
 * kernel's ephemeral range. A port found by binding port 0 and closing comes from that range, so the
 * next port-0 bind in the test (a {@link TestServer}, an outgoing connection) can be handed the very
 * same port, and the node's own bind then fails with "Address already in use" (CI saw it). Ports
 * below the range are never given out for port 0.
 */
public final class UnusedPort {
    private UnusedPort() {
    }

    /** A port free for TCP and UDP on 127.0.0.1 right now, outside the ephemeral range where possible. */
    public static int pick() throws IOException {
        int low = ephemeralLow();
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int attempt = 0; low > 11_000 && attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(10_000, low);
            if (bindable(lo, port)) {
                return port;
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, lo)) {
            return s.getLocalPort();
        }
    }

    private static boolean bindable(InetAddress lo, int port) {
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.bind(new InetSocketAddress(lo, port), 1);
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, port))) {
                return true;
            }
        } catch (IOException inUse) {
            return false;
        }
    }

    private static int ephemeralLow() {
        // readAllLines, not readString: procfs reports a size of 0 and readString then returned one byte ("3").
        try {
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException notLinux) {
            return 32_768; // Linux's default; elsewhere a guess that still avoids most ephemeral ranges
        }
    }
}
