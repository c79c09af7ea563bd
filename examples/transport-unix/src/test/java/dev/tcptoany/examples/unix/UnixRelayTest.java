package dev.tcptoany.examples.unix;

import dev.tcptoany.testkit.RelayBehaviourSuite;
import dev.tcptoany.testkit.TunnelSpec;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * tcp -> unix -> tcp: the project's relay behaviours (byte-exact, half-close both ways, aborts,
 * paused reader, refused upstream, server speaks first) with a Unix socket as the middle hop.
 * Node 2 listens on a socket file; node 1 dials the path node 2 reports as bound.
 */
class UnixRelayTest extends RelayBehaviourSuite {
    private Path socketDir;

    @Override
    protected TunnelSpec tunnel() {
        if (socketDir == null) {
            try {
                socketDir = Files.createTempDirectory("unix-relay");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Path socket = socketDir.resolve("node2.sock");
        return TunnelSpec.ofAddress("unix", "transport = unix, path = \"" + socket + "\"",
                bound -> "transport = unix, path = \"" + ((DomainSocketAddress) bound).path() + "\"");
    }

    /** Unix stream sockets have no reset: an abort crosses the hop as end-of-file. */
    @Override
    protected boolean carriesAborts() {
        return false;
    }
}
