package dev.tcptoany.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code proxy.event-loop.kind}: its values, a bad one named with file, line and key, and the
 * boolean {@code proxy.event-loop.native} it replaced, still read with one warning naming its line.
 */
class EventLoopKindSettingsTest {

    private static ProxySettings read(String userFile) {
        return ProxySettings.read(ConfigLoader.effective(ConfigLoader.parseString(userFile, "node.conf"), List.of()));
    }

    @Test
    void theDefaultIsAutoWithoutWarnings() {
        ProxySettings s = read("");
        assertThat(s.eventLoopKind()).isEqualTo(EventLoopKind.AUTO);
        assertThat(s.problems()).isEmpty();
        assertThat(s.warnings()).isEmpty();
    }

    @Test
    void everyKindIsRead() {
        assertThat(read("proxy.event-loop.kind = epoll").eventLoopKind()).isEqualTo(EventLoopKind.EPOLL);
        assertThat(read("proxy.event-loop.kind = io_uring").eventLoopKind()).isEqualTo(EventLoopKind.IO_URING);
        assertThat(read("proxy.event-loop.kind = nio").eventLoopKind()).isEqualTo(EventLoopKind.NIO);
        assertThat(read("proxy.event-loop.kind = auto").eventLoopKind()).isEqualTo(EventLoopKind.AUTO);
    }

    @Test
    void aBadKindNamesFileLineKeyAndTheChoices() {
        ProxySettings s = read("\nproxy.event-loop.kind = uring\n");
        assertThat(s.problems()).singleElement().extracting(ConfigException::getMessage).asString()
                .isEqualTo("node.conf: 2: Invalid value at 'proxy.event-loop.kind': 'uring' is not an event-loop kind;"
                        + " expected auto, epoll, io_uring, nio");
    }

    @Test
    void theOldNativeKeyIsStillReadWithAWarningNamingItsLine() {
        ProxySettings on = read("proxy.data-dir = /tmp\nproxy.event-loop.native = true\n");
        assertThat(on.eventLoopKind()).isEqualTo(EventLoopKind.AUTO);
        assertThat(on.problems()).isEmpty();
        assertThat(on.warnings()).containsExactly("node.conf: 2: proxy.event-loop.native is deprecated; read as"
                + " proxy.event-loop.kind = auto (write that instead; auto, epoll, io_uring, nio)");

        ProxySettings off = read("proxy.event-loop.native = false");
        assertThat(off.eventLoopKind()).isEqualTo(EventLoopKind.NIO);
        assertThat(off.warnings()).singleElement().asString()
                .startsWith("node.conf: 1: proxy.event-loop.native is deprecated; read as proxy.event-loop.kind = nio");
    }

    @Test
    void nextToTheKindTheOldKeyIsIgnoredWithAWarning() {
        ProxySettings s = read("proxy.event-loop.kind = io_uring\nproxy.event-loop.native = false\n");
        assertThat(s.eventLoopKind()).isEqualTo(EventLoopKind.IO_URING);
        assertThat(s.warnings()).containsExactly("node.conf: 2: proxy.event-loop.native is deprecated and ignored next to"
                + " proxy.event-loop.kind (running with kind = io_uring); remove it");
    }

    @Test
    void theOldKeyIsNotAnUnknownKeyAndABadOneIsAnError() {
        String route = """
                proxy.routes.r { listen { transport = bind-on-cue, address = "127.0.0.1:0" }
                                 dial   { transport = bind-on-cue, address = "127.0.0.1:1" } }
                """;
        assertThat(Proxy.check(ConfigLoader.parseString("proxy.event-loop.native = true\n" + route, "n.conf"),
                Optional.empty())).isEmpty();
        assertThat(Proxy.checkReport(ConfigLoader.parseString("proxy.event-loop.native = true\n" + route, "n.conf"),
                Optional.empty()).warnings()).singleElement().asString().startsWith("n.conf: 1: proxy.event-loop.native is deprecated");
        assertThat(Proxy.check(ConfigLoader.parseString("proxy.event-loop.native = maybe\n" + route, "n.conf"),
                Optional.empty())).singleElement().satisfies(p -> assertThat(p.getMessage())
                .isEqualTo("n.conf: 1: proxy.event-loop.native has type STRING rather than BOOLEAN"));
    }

    @Test
    void ioUringLoopsCarryIoUringChannels() {
        Assumptions.assumeTrue(IoUring.isAvailable(), () -> "io_uring is unavailable here: " + IoUring.unavailabilityCause());
        try (EventLoops loops = new EventLoops(EventLoopKind.IO_URING, 1)) {
            assertThat(loops.kind()).isEqualTo("io_uring");
            assertThat(loops.isEpoll()).isFalse();
            assertThat(loops.socketChannelClass()).isEqualTo(IoUringSocketChannel.class);
        }
    }

    @Test
    void autoIsEpollWhereItLoads() {
        Assumptions.assumeTrue(Epoll.isAvailable(), () -> "epoll is unavailable here: " + Epoll.unavailabilityCause());
        try (EventLoops loops = new EventLoops(EventLoopKind.AUTO, 1)) {
            assertThat(loops.eventLoopKind()).isEqualTo(EventLoopKind.EPOLL);
        }
        try (EventLoops loops = new EventLoops(EventLoopKind.NIO, 1)) {
            assertThat(loops.kind()).isEqualTo("nio");
        }
    }
}
