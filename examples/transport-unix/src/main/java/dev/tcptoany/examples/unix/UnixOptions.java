package dev.tcptoany.examples.unix;

import com.typesafe.config.Config;
import dev.tcptoany.api.ConfigProblems;
import dev.tcptoany.api.TransportContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The options of one route side, read eagerly and validated in the factory, so {@code check}
 * reports every mistake with its file and line before anything binds.
 *
 * @param mode permissions to give the socket file after binding (listeners), empty: umask
 */
record UnixOptions(Path path, int readBuffer, int writeLow, int writeHigh, int backlog, boolean deleteExisting,
                   Optional<Set<PosixFilePermission>> mode) {

    /** sun_path is 108 bytes on Linux, one of them the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;

    static final String NEEDS_EPOLL = "the unix transport needs the native epoll transport (Linux)";

    static UnixOptions listen(TransportContext ctx) {
        Config c = ctx.config();
        requireEpollLibrary(c);
        Path path = path(c);
        int backlog = c.getInt("backlog");
        if (backlog < 1) {
            throw ConfigProblems.badValue(c, "backlog", "must be at least 1");
        }
        return new UnixOptions(path, readBuffer(c), low(c), high(c), backlog, c.getBoolean("delete-existing"), mode(c));
    }

    static UnixOptions dial(TransportContext ctx) {
        Config c = ctx.config();
        requireEpollLibrary(c);
        return new UnixOptions(path(c), readBuffer(c), low(c), high(c), 0, false, Optional.empty());
    }

    /**
     * Fails early, with the route's file and line, where epoll cannot load at all (not Linux, or
     * its native library is missing). Whether the host's loops actually are epoll is checked when
     * binding or dialling: {@code check} validates with throwaway NIO loops.
     */
    private static void requireEpollLibrary(Config c) {
        if (!Epoll.isAvailable()) {
            Throwable why = Epoll.unavailabilityCause();
            throw ConfigProblems.badValue(c, "transport", NEEDS_EPOLL + "; it is unavailable here: "
                    + (why == null ? "not Linux" : describe(why)));
        }
    }

    /** The innermost cause's message: the native loader's reason, not a wrapper's. */
    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    /**
     * Why a host running NIO or io_uring loops cannot serve this transport (its channels are epoll's;
     * an epoll channel cannot register with another kind of loop).
     */
    static IllegalStateException notEpollLoops(TransportContext ctx) {
        return new IllegalStateException(NEEDS_EPOLL + ", but this process runs " + ctx.network().kind()
                + " event loops; set proxy.event-loop.kind = epoll (route " + ctx.routeName() + ")");
    }

    private static Path path(Config c) {
        if (!c.hasPath("path")) {
            throw ConfigProblems.missing(c, "path");
        }
        String p = c.getString("path");
        if (p.isBlank()) {
            throw ConfigProblems.badValue(c, "path", "empty; give the socket file, e.g. /run/app.sock");
        }
        if (p.indexOf('\0') >= 0 || p.startsWith("@")) {
            throw ConfigProblems.badValue(c, "path", "abstract-namespace sockets are not supported; give a file path");
        }
        int bytes = p.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw ConfigProblems.badValue(c, "path", "is " + bytes + " bytes; a Unix socket path may have at most "
                    + MAX_PATH_BYTES + " (use a shorter directory or a relative path)");
        }
        return Path.of(p);
    }

    private static Optional<Set<PosixFilePermission>> mode(Config c) {
        String m = c.getString("mode").trim();
        if (m.isEmpty()) {
            return Optional.empty();
        }
        if (!m.matches("0?[0-7]{3}")) {
            throw ConfigProblems.badValue(c, "mode", "'" + m + "' is not an octal permission like \"660\"");
        }
        int bits = Integer.parseInt(m, 8);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < order.length; i++) {
            if ((bits & (1 << i)) != 0) {
                perms.add(order[i]);
            }
        }
        return Optional.of(perms);
    }

    private static int readBuffer(Config c) {
        return bytes(c, "read-buffer", 1024, 16 << 20);
    }

    private static int high(Config c) {
        return bytes(c, "write-buffer-high-water-mark", 1024, 1 << 30);
    }

    private static int low(Config c) {
        int low = bytes(c, "write-buffer-low-water-mark", 0, 1 << 30);
        if (low > high(c)) {
            throw ConfigProblems.badValue(c, "write-buffer-low-water-mark", "must not exceed write-buffer-high-water-mark");
        }
        return low;
    }

    private static int bytes(Config c, String key, long min, long max) {
        long v = c.getBytes(key);
        if (v < min || v > max) {
            throw ConfigProblems.badValue(c, key, "must be between " + min + " and " + max + " bytes");
        }
        return (int) v;
    }

    /** Listener: options of the accepted sockets. */
    void applyTo(ServerBootstrap b) {
        b.option(ChannelOption.SO_BACKLOG, backlog);
        b.childOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        b.childOption(ChannelOption.AUTO_READ, false);
        b.childOption(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(readBuffer));
        b.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(writeLow, writeHigh));
    }

    /** Dialer: options of the connecting socket. */
    void applyTo(Bootstrap b) {
        b.option(ChannelOption.ALLOW_HALF_CLOSURE, true);
        b.option(ChannelOption.AUTO_READ, false);
        b.option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(readBuffer));
        b.option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(writeLow, writeHigh));
    }
}
