package dev.tcptoany.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /ready} over real HTTP while one route is bound and another is still binding (its
 * listener held by {@link BindOnCueTransport}): 503 naming the route that is not bound and only
 * that one, then 200 once it is.
 */
class ReadinessTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dataDir;

    record Answer(int status, String body) {
    }

    static Answer get(InetSocketAddress admin, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin.getPort() + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    Config config(String adminAddress, String routes) {
        return ConfigLoader.parseString("""
                proxy.data-dir = "%s"
                proxy.admin.address = "%s"
                %s
                """.formatted(dataDir, adminAddress, routes), "ready-test.conf");
    }

    static final String ROUTE_A = """
            proxy.routes.a { listen { transport = bind-on-cue, address = "127.0.0.1:0" }
                             dial   { transport = bind-on-cue, address = "127.0.0.1:1" } }
            """;
    static final String ROUTE_B = """
            proxy.routes.b { listen { transport = bind-on-cue, address = "127.0.0.1:0" }
                             dial   { transport = bind-on-cue, address = "127.0.0.1:1" } }
            """;

    /** A loopback port free a moment ago: the admin endpoint must be reachable before start returns. */
    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void atStartTheRouteStillBindingIsNamedWhileTheOtherIsBoundThenAllAreReady() throws Exception {
        BindOnCueTransport.Cue b = BindOnCueTransport.holdBind("b");
        InetSocketAddress admin = new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
        // Routes start in name order: a binds, then the start waits on b's listener.
        CompletableFuture<Proxy> starting = CompletableFuture.supplyAsync(() ->
                Proxy.start(config("127.0.0.1:" + admin.getPort(), ROUTE_A + ROUTE_B)));
        Proxy proxy = null;
        try {
            b.awaitBinding();
            Answer notReady = get(admin, "/ready");
            assertThat(notReady.status()).isEqualTo(503);
            assertThat(notReady.body()).isEqualTo("not ready: route(s) not bound: b (bind-on-cue 127.0.0.1:0)\n");
            assertThat(get(admin, "/health").status()).isEqualTo(200);

            b.release();
            proxy = starting.get(10, TimeUnit.SECONDS);
            assertThat(get(admin, "/ready")).isEqualTo(new Answer(200, "ready\n"));
            assertAccepts(proxy, "a");
            assertAccepts(proxy, "b");
        } finally {
            if (proxy == null) {
                b.release(); // a failed assertion must not leave the start waiting
                proxy = starting.get(10, TimeUnit.SECONDS);
            }
            proxy.close();
        }
    }

    @Test
    void aRouteAReloadIsStillBindingIsNamedWhileTheRunningOneStaysBound() throws Exception {
        try (Proxy proxy = Proxy.start(config("127.0.0.1:0", ROUTE_A))) {
            InetSocketAddress admin = proxy.adminAddress().orElseThrow();
            assertThat(get(admin, "/ready")).isEqualTo(new Answer(200, "ready\n"));

            BindOnCueTransport.Cue b = BindOnCueTransport.holdBind("b");
            CompletableFuture<Proxy.ReloadOutcome> reloading = CompletableFuture.supplyAsync(() ->
                    proxy.reload(config("127.0.0.1:0", ROUTE_A + ROUTE_B)));
            try {
                b.awaitBinding();
                Answer notReady = get(admin, "/ready");
                assertThat(notReady.status()).isEqualTo(503);
                assertThat(notReady.body()).isEqualTo("not ready: route(s) not bound: b (bind-on-cue 127.0.0.1:0)\n");
                assertAccepts(proxy, "a");
            } finally {
                b.release();
            }
            assertThat(reloading.get(10, TimeUnit.SECONDS).added()).containsExactly("b");
            assertThat(get(admin, "/ready")).isEqualTo(new Answer(200, "ready\n"));
            assertAccepts(proxy, "b");
        }
    }

    /** The route's listener really is bound: a TCP connect to its address succeeds. */
    static void assertAccepts(Proxy proxy, String route) throws Exception {
        InetSocketAddress bound = (InetSocketAddress) proxy.boundAddresses(route).get(0);
        try (Socket s = new Socket()) {
            s.connect(bound, 5_000);
            assertThat(s.isConnected()).isTrue();
        }
    }
}
