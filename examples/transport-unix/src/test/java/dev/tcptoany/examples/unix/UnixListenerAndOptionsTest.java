package dev.tcptoany.examples.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import dev.tcptoany.core.ConfigLoader;
import dev.tcptoany.core.Proxy;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Options read from reference.conf, errors that name file:line:key, and the socket file's life. */
class UnixListenerAndOptionsTest {
    @TempDir
    Path dir;

    private String route(String listen) {
        return "proxy.data-dir = \"" + dir + "\"\n"
                + "proxy.routes.r {\n"
                + "  listen { transport = unix, " + listen + " }\n"
                + "  dial   { transport = tcp, address = \"127.0.0.1:5201\" }\n"
                + "}\n";
    }

    private List<ConfigException> check(String listen) {
        return Proxy.check(ConfigLoader.parseString(route(listen), "test.conf"), Optional.empty());
    }

    @Test
    void validOptionsPassCheck() {
        assertThat(check("path = \"" + dir.resolve("a.sock") + "\", mode = \"660\"")).isEmpty();
    }

    @Test
    void missingPathIsReportedWithFileAndLine() {
        assertThat(check("backlog = 10")).singleElement().satisfies(e ->
                assertThat(e.getMessage()).contains("test.conf: 3").contains("path"));
    }

    @Test
    void tooLongPathBadModeAndBadBacklogAreReported() {
        String longPath = "/tmp/" + "x".repeat(120) + ".sock";
        assertThat(check("path = \"" + longPath + "\"")).singleElement().satisfies(e ->
                assertThat(e.getMessage()).contains("test.conf: 3").contains("at most 107"));
        assertThat(check("path = \"a.sock\", mode = \"rw-rw----\"")).singleElement().satisfies(e ->
                assertThat(e.getMessage()).contains("mode").contains("octal"));
        assertThat(check("path = \"a.sock\", backlog = 0")).singleElement().satisfies(e ->
                assertThat(e.getMessage()).contains("backlog"));
    }

    @Test
    void bindsSetsTheModeAndRemovesTheFileWhenClosed() throws Exception {
        Path sock = dir.resolve("m.sock");
        try (Proxy p = Proxy.start(ConfigLoader.parseString(route("path = \"" + sock + "\", mode = \"600\""), "test.conf"))) {
            assertThat(p.boundAddresses("r").get(0).toString()).contains("m.sock");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-------");
        }
        assertThat(sock).doesNotExist();
    }

    @Test
    void aStaleSocketFileIsReplacedButALiveOneOrARegularFileIsNot() throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(stale));
        } // closed: the file stays behind, nothing accepts on it
        assertThat(stale).exists();
        assertThatThrownBy(() -> Proxy.start(ConfigLoader.parseString(
                route("path = \"" + stale + "\", delete-existing = false"), "test.conf")).close())
                .hasMessageContaining("stale socket file").hasMessageContaining("delete-existing");
        try (Proxy p = Proxy.start(ConfigLoader.parseString(route("path = \"" + stale + "\""), "test.conf"))) {
            assertThat(p.boundAddresses("r")).hasSize(1);
        }

        Path live = dir.resolve("live.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(live));
            assertThatThrownBy(() -> Proxy.start(ConfigLoader.parseString(route("path = \"" + live + "\""), "test.conf")).close())
                    .hasMessageContaining("another process is accepting connections on it");
        }

        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "keep me");
        assertThatThrownBy(() -> Proxy.start(ConfigLoader.parseString(route("path = \"" + file + "\""), "test.conf")).close())
                .hasMessageContaining("not a socket");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "io_uring"})
    void otherEventLoopsGetAClearError(String kind) {
        assertThatThrownBy(() -> Proxy.start(ConfigLoader.parseString(
                "proxy.event-loop.kind = " + kind + "\n" + route("path = \"" + dir.resolve("n.sock") + "\""), "test.conf")).close())
                .hasMessageContaining("the unix transport needs the native epoll transport (Linux), but this process runs "
                        + kind + " event loops")
                .hasMessageContaining("proxy.event-loop.kind = epoll");
    }
}
