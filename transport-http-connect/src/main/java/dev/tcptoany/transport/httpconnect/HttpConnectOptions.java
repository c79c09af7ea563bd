package dev.tcptoany.transport.httpconnect;

import com.typesafe.config.Config;
import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import java.time.Duration;
import java.util.Optional;

/** The listen block of an http-connect route, read and checked eagerly. */
record HttpConnectOptions(HostPort address, Optional<BasicCredentials> credentials, Duration handshakeTimeout,
                     boolean noDelay, boolean keepAlive, int readBuffer, int writeLow, int writeHigh, int backlog) {

    static HttpConnectOptions fromConfig(Config c) {
        HostPort address = HostPort.fromConfig(c, "address");
        String user = c.getString("auth.username");
        String password = c.getString("auth.password");
        if (user.isEmpty() != password.isEmpty()) {
            throw ConfigProblems.badValue(c, user.isEmpty() ? "auth.username" : "auth.password",
                    "set both auth.username and auth.password, or neither (no authentication)");
        }
        if (user.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255
                || password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            throw ConfigProblems.badValue(c, "auth", "at most 255 bytes of username and of password");
        }
        Duration timeout = c.getDuration("handshake-timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw ConfigProblems.badValue(c, "handshake-timeout", "must be positive");
        }
        int read = bytes(c, "read-buffer", 1024, 16 << 20);
        int high = bytes(c, "write-buffer-high-water-mark", 1024, 1 << 30);
        int low = bytes(c, "write-buffer-low-water-mark", 0, 1 << 30);
        if (low > high) {
            throw ConfigProblems.badValue(c, "write-buffer-low-water-mark", "must not exceed write-buffer-high-water-mark");
        }
        int backlog = c.getInt("backlog");
        if (backlog < 1) {
            throw ConfigProblems.badValue(c, "backlog", "must be at least 1");
        }
        return new HttpConnectOptions(address, user.isEmpty() ? Optional.empty() : Optional.of(new BasicCredentials(user, password)),
                timeout, c.getBoolean("nodelay"), c.getBoolean("keepalive"), read, low, high, backlog);
    }

    private static int bytes(Config c, String key, long min, long max) {
        long v = c.getBytes(key);
        if (v < min || v > max) {
            throw ConfigProblems.badValue(c, key, "must be between " + min + " and " + max + " bytes");
        }
        return (int) v;
    }

    void applyTo(ServerBootstrap b) {
        b.option(ChannelOption.SO_BACKLOG, backlog)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, noDelay)
                .childOption(ChannelOption.SO_KEEPALIVE, keepAlive)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(readBuffer))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(writeLow, writeHigh));
    }
}
