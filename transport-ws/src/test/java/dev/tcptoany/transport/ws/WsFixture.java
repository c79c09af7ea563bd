package dev.tcptoany.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcptoany.api.ByteStream;
import dev.tcptoany.api.DialRequest;
import dev.tcptoany.api.Dialer;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A started listener whose accepted streams land in a queue, plus dialers aimed at it. */
final class WsFixture implements AutoCloseable {
    final TestContext listenContext;
    final WebSocketListener listener;
    final BlockingQueue<ByteStream> accepted = new LinkedBlockingQueue<>();
    final int port;
    private final String transport;

    WsFixture(String transport, String listenBlock) throws Exception {
        this(transport, listenBlock, null);
    }

    /** @param onAccept runs for each accepted stream instead of queueing it */
    WsFixture(String transport, String listenBlock, Consumer<ByteStream> onAccept) throws Exception {
        this.transport = transport;
        listenContext = TestContext.listen(transport, "address = \"127.0.0.1:0\"\n" + listenBlock);
        listener = new WebSocketListener(listenContext, transport.equals("wss"));
        List<SocketAddress> bound = listener.start(onAccept != null ? onAccept::accept : accepted::add)
                .get(10, TimeUnit.SECONDS);
        port = ((InetSocketAddress) bound.get(0)).getPort();
    }

    String url(String path) {
        return transport + "://127.0.0.1:" + port + path;
    }

    WebSocketDialer dialer(String block) throws Exception {
        return dialer(block, Map.of());
    }

    WebSocketDialer dialer(String block, Map<String, String> env) throws Exception {
        String b = block.contains("url") ? block : "url = \"" + url("/") + "\"\n" + block;
        return new WebSocketDialer(TestContext.dial(transport, b), transport.equals("wss"), env);
    }

    static io.netty.util.concurrent.Future<ByteStream> dialAsync(Dialer d) {
        return d.dial(new DialRequest(TestContext.LOOPS.next(), Duration.ofSeconds(10), "test"));
    }

    static ByteStream dial(Dialer d) throws Exception {
        return dialAsync(d).get(10, TimeUnit.SECONDS);
    }

    ByteStream nextAccepted() throws InterruptedException {
        ByteStream s = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(s).as("accepted stream").isNotNull();
        return s;
    }

    @Override
    public void close() throws Exception {
        listener.close().get(10, TimeUnit.SECONDS);
    }
}
