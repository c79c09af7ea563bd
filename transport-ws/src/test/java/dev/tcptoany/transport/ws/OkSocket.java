package dev.tcptoany.transport.ws;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okio.ByteString;

/** An OkHttp WebSocket with its events recorded: an independent client for our listener. */
final class OkSocket extends okhttp3.WebSocketListener {
    final CompletableFuture<Response> opened = new CompletableFuture<>();
    /** The peer's Close code. */
    final CompletableFuture<Integer> closing = new CompletableFuture<>();
    /** Fails with the HTTP status when the upgrade was refused. */
    final CompletableFuture<Integer> failedStatus = new CompletableFuture<>();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    /** Payload size of the largest binary message received: what a size-limited client would check. */
    final java.util.concurrent.atomic.AtomicInteger largestMessage = new java.util.concurrent.atomic.AtomicInteger();
    WebSocket socket;
    volatile String closeReason;

    static OkSocket open(OkHttpClient client, Request request) {
        OkSocket s = new OkSocket();
        s.socket = client.newWebSocket(request, s);
        return s;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        opened.complete(response);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
        largestMessage.accumulateAndGet(bytes.size(), Math::max);
        synchronized (binary) {
            binary.writeBytes(bytes.toByteArray());
        }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        closeReason = reason;
        closing.complete(code);
        webSocket.close(1000, null);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        failedStatus.complete(response == null ? -1 : response.code());
        opened.completeExceptionally(t);
        closing.completeExceptionally(t);
    }

    byte[] awaitBinary(int n) throws InterruptedException {
        return awaitBinary(n, 10);
    }

    byte[] awaitBinary(int n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            synchronized (binary) {
                if (binary.size() >= n) {
                    return binary.toByteArray();
                }
            }
            Thread.sleep(5);
        }
        synchronized (binary) {
            return binary.toByteArray();
        }
    }
}
