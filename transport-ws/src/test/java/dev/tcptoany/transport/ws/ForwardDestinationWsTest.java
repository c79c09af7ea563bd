package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcptoany.api.Destination;
import dev.tcptoany.api.DialFailedException;
import dev.tcptoany.api.DialRequest;
import dev.tcptoany.testkit.LeakDetection;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code forward-destination} on a ws dial against servers that do not confirm the destination. */
@ExtendWith(LeakDetection.class)
class ForwardDestinationWsTest {

    @Test
    void aServerThatUpgradesWithoutConfirmingTheDestinationIsNeverUsed() throws Exception {
        // OkHttp's server in the place of a plain peer (or a node that predates destinations): it
        // upgrades at once, so it would relay to its own fixed target.
        try (MockWebServer plain = new MockWebServer()) {
            plain.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
                @Override
                public void onOpen(WebSocket webSocket, okhttp3.Response response) {
                    // stays open: the dialer must not relay through it anyway
                }
            }).build());
            plain.start(InetAddress.getLoopbackAddress(), 0);
            WebSocketDialer d = new WebSocketDialer(TestContext.dial("ws", "url = \"ws://127.0.0.1:" + plain.getPort()
                    + "/\"\nforward-destination = true"), false, Map.of());
            try {
                var dial = d.dial(new DialRequest(TestContext.LOOPS.next(), Duration.ofSeconds(10), "test",
                        Optional.of(new Destination("db.internal.example", 5432))));
                assertThatThrownBy(() -> dial.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(DialFailedException.class).hasMessageContaining("without confirming the destination");
                RecordedRequest request = plain.takeRequest();
                assertThat(request.getHeaders().get("Tcp-To-Any-Destination")).isEqualTo("db.internal.example:5432");
            } finally {
                d.close().get(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void forwardDestinationNeedsTheSubprotocol() {
        assertThatThrownBy(() -> new WebSocketDialer(TestContext.dial("ws", "url = \"ws://127.0.0.1:1/\"\nsubprotocol = \"\"\n"
                + "forward-destination = true"), false, Map.of()))
                .hasMessageContaining("forward-destination").hasMessageContaining("subprotocol");
    }
}
