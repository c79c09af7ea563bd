package dev.tcptoany.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration errors name the file, the line and the key; check exits 2 with every problem. */
class CheckCommandTest {
    @TempDir
    Path dir;


    private CommandRun check(String config) throws IOException {
        Path file = dir.resolve("node.conf");
        Files.writeString(file, config);
        return CommandRun.of("check", "-c", file.toString(), "--plugins", dir.resolve("no-plugins").toString());
    }

    @Test
    void validConfigPasses() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        CommandRun r = check("""
                proxy.data-dir = "%s"
                proxy.routes.a {
                  listen { transport = tcp, address = "127.0.0.1:0" }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                }
                """.formatted(dir));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("OK");
    }

    @Test
    void unknownTransportNamesFileLineKeyAndTheKnownTransports() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        CommandRun r = check("""
                proxy.routes.a {
                  listen { transport = tcp, address = "127.0.0.1:0" }
                  dial   { transport = carrier-pigeon, address = "127.0.0.1:5201" }
                }
                """);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("node.conf: 3").contains("proxy.routes.a.dial.transport")
                .contains("unknown transport 'carrier-pigeon'").contains("known transports are: quic, tcp, ws, wss");
    }

    @Test
    void misspeltKeysAreErrorsThatNameTheNearestKey() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        CommandRun r = check("""
                proxy.shutdwon-grace = 5s
                proxy.routes.a {
                  listen { transport = tcp, address = "127.0.0.1:0", nodelya = false }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                  idle-timout = 10m
                }
                """);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("node.conf: 1: proxy.shutdwon-grace: unknown key; did you mean 'shutdown-grace'?")
                .contains("node.conf: 3: proxy.routes.a.listen.nodelya: unknown key; did you mean 'nodelay'?")
                .contains("node.conf: 5: proxy.routes.a.idle-timout: unknown key; did you mean 'idle-timeout'?");
    }

    @Test
    void twoRoutesOnOnePortAreAnErrorThatNamesBoth() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        CommandRun r = check("""
                proxy.routes.a {
                  listen { transport = tcp, address = "127.0.0.1:4301" }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                }
                proxy.routes.b {
                  listen { transport = tcp, address = ":4301" }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                }
                proxy.routes.c {
                  listen { transport = tcp, address = "127.0.0.1:4302" }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                }
                """);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("node.conf: 6: proxy.routes.b.listen.address: :4301 is also where route 'a' listens (")
                .doesNotContain("routes.c");
    }

    @Test
    void aMissingRequiredKeyNamesTheUsersFileRouteAndKey() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        CommandRun r = check("""
                proxy.routes.a {
                  listen { transport = tcp, address = "127.0.0.1:0" }
                  dial   { transport = tcp }
                }
                """);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("node.conf: 3: proxy.routes.a.dial.address: missing: the tcp dial block of route 'a' must set 'address'")
                .doesNotContain("jar:").doesNotContain("reference.conf");
    }

    @Test
    void anEmptyFileNamesItselfNotAJar() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        CommandRun r = check("");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("node.conf").contains("proxy.routes: no routes").doesNotContain("jar:");
    }

    @Test
    void everyProblemIsReportedWithItsLine() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        CommandRun r = check("""
                proxy.routes.a {
                  listen { transport = tcp, address = "127.0.0.1:70000" }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                  idle-timeout = -5s
                }
                proxy.routes.b {
                  listen { transport = tcp, address = "no-port-here" }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                }
                """);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("node.conf: 4").contains("idle-timeout");
        assertThat(r.err()).contains("node.conf: 2").contains("out of range");
        assertThat(r.err()).contains("node.conf: 7").contains("has no port");
    }

    @Test
    void syntaxErrorNamesTheLine() throws IOException {
        CommandRun r = check("""
                proxy.routes.a {
                  listen { transport = tcp address = }
                """);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("node.conf: 2");
    }

    @Test
    void missingDialBlockIsNamed() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        CommandRun r = check("""
                proxy.routes.lonely {
                  listen { transport = tcp, address = "127.0.0.1:0" }
                }
                """);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("proxy.routes.lonely.dial");
    }

    @Test
    void aPlainIncludeOfAMissingFileIsAWarningThatNamesFileAndLine() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        CommandRun r = check("""
                proxy.data-dir = "%s"
                include "auth-tokens.conf"
                proxy.routes.a {
                  listen { transport = tcp, address = "127.0.0.1:0" }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                }
                """.formatted(dir));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("warning: " + dir.resolve("node.conf") + ": 2: include \"auth-tokens.conf\" found nothing")
                .contains("include required(");
    }

    @Test
    void aMissingRequiredIncludeNamesTheIncludingFileAndLine() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        Files.writeString(dir.resolve("routes.conf"), """
                proxy.data-dir = "%s"

                include required(file("%s"))
                """.formatted(dir, dir.resolve("tokens.conf")));
        CommandRun r = check("""
                include required(file("%s"))
                """.formatted(dir.resolve("routes.conf")));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("error: " + dir.resolve("routes.conf") + ": 3: include required(file(\"" + dir.resolve("tokens.conf"));
    }

    @Test
    void timeoutProblemsNameTheFullKey() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        CommandRun r = check("""
                proxy.shutdown-grace = -1s
                proxy.route-defaults.connect-timeout = 0s
                proxy.route-defaults.max-open-connections = -1
                proxy.routes.a {
                  listen { transport = tcp, address = "127.0.0.1:0" }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                  idle-timeout = -5s
                }
                proxy.routes.b {
                  listen { transport = tcp, address = "127.0.0.1:0" }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                }
                """);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("node.conf: 1: Invalid value at 'proxy.shutdown-grace'")
                .contains("node.conf: 2: Invalid value at 'proxy.route-defaults.connect-timeout'")
                .contains("node.conf: 3: Invalid value at 'proxy.route-defaults.max-open-connections'")
                .contains("node.conf: 7: Invalid value at 'proxy.routes.a.idle-timeout'")
                .doesNotContain("at 'shutdown-grace'").doesNotContain("at 'idle-timeout'");
        assertThat(r.err().lines().filter(l -> l.contains("connect-timeout")).count())
                .as("a bad default is reported once, not once per route").isEqualTo(1);
    }

    @Test
    void dnsSettingsPassWhenValidAndNameFileLineAndKeyWhenNot() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        String route = """
                proxy.routes.a {
                  listen { transport = tcp, address = "127.0.0.1:0" }
                  dial   { transport = tcp, address = "upstream.example:5201" }
                }
                """;
        CommandRun ok = check("proxy.data-dir = \"" + dir + "\"\n"
                + "proxy.dns { servers = [\"192.0.2.53\", \"[2001:db8::53]:5353\"], query-timeout = 2s }\n" + route);
        assertThat(ok.code()).as(ok.err()).isZero();

        CommandRun bad = check("""
                proxy.dns.servers = ["dns.example.com"]
                proxy.dns.query-timeout = -1s
                proxy.dns.query-timout = 1s
                """ + route);
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err())
                .contains("node.conf: 1: Invalid value at 'proxy.dns.servers': 'dns.example.com': a DNS server must be an IP address")
                .contains("node.conf: 2: Invalid value at 'proxy.dns.query-timeout': must be a positive duration")
                .contains("node.conf: 3: proxy.dns.query-timout: unknown key; did you mean 'query-timeout'?");
    }

    @Test
    void aBadEventLoopKindNamesFileLineKeyAndTheChoices() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        CommandRun r = check("""
                proxy.data-dir = "%s"
                proxy.event-loop.kind = uring
                proxy.routes.a {
                  listen { transport = tcp, address = "127.0.0.1:0" }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                }
                """.formatted(dir));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("error: " + dir.resolve("node.conf") + ": 2: Invalid value at 'proxy.event-loop.kind':"
                + " 'uring' is not an event-loop kind; expected auto, epoll, io_uring, nio");
    }

    @Test
    void theReplacedNativeKeyIsAWarningNamingItsLineAndTheFileStillPasses() throws IOException {
        Files.createDirectories(dir.resolve("no-plugins"));
        CommandRun r = check("""
                proxy.data-dir = "%s"
                proxy.event-loop.native = false
                proxy.routes.a {
                  listen { transport = tcp, address = "127.0.0.1:0" }
                  dial   { transport = tcp, address = "127.0.0.1:5201" }
                }
                """.formatted(dir));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).containsOnlyOnce("warning:").contains("warning: " + dir.resolve("node.conf")
                + ": 2: proxy.event-loop.native is deprecated; read as proxy.event-loop.kind = nio");
    }
}
