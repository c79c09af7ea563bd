package dev.tcptoany.transport.ws;

import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * tcp -> wss -> tcp: the same behaviours inside TLS. Node 2 serves a PEM certificate from files;
 * node 1 pins its SHA-256 fingerprint, so verification is real (not insecure mode).
 */
class WssRelayTest extends RelayBehaviourSuite {
    @Override
    protected TunnelSpec tunnel() {
        String tls;
        try {
            tls = TestTls.INSTANCE.writePem(Files.createTempDirectory("wss-relay"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String pin = TestTls.INSTANCE.identity.sha256Fingerprint();
        return TunnelSpec.of("wss", "transport = wss, address = \"127.0.0.1:0\", path = \"/t\", " + tls,
                a -> "transport = wss, url = \"wss://127.0.0.1:" + a.getPort() + "/t\", tls { pin-sha256 = [\"" + pin + "\"] }");
    }
}
