package dev.tcptoany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class UnusedPortTest {
    @Test
    void aPickedPortIsBelowTheEphemeralRangeAndBindsForTcpAndUdp() throws Exception {
        int low = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        int port = UnusedPort.pick();
        assertThat(port).isBetween(10_000, low - 1);
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.bind(new InetSocketAddress(lo, port));
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, port))) {
                assertThat(udp.getLocalPort()).isEqualTo(port);
            }
            // and a port-0 bind is never handed this port
            try (ServerSocket any = new ServerSocket(0, 1, lo)) {
                assertThat(any.getLocalPort()).isNotEqualTo(port).isGreaterThanOrEqualTo(low);
            }
        }
    }
}
