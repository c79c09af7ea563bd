package dev.tcptoany.transport.quic;

import dev.tcptoany.api.DialerFactory;
import dev.tcptoany.api.ListenerFactory;
import dev.tcptoany.api.TransportProvider;
import io.netty.handler.codec.quic.Quic;
import java.util.Locale;
import java.util.Optional;

/** The {@code quic} transport: TCP connections carried as streams of multiplexed QUIC connections. */
public final class QuicTransportProvider implements TransportProvider {

    @Override
    public String name() {
        return "quic";
    }

    @Override
    public String description() {
        return "TCP over QUIC (TLS 1.3, streams multiplexed per upstream; ALPN tcp-to-any/1 and the original's proto)";
    }

    @Override
    public Optional<ListenerFactory> listenerFactory() {
        return Optional.of(context -> {
            QuicListenerSettings settings = QuicListenerSettings.fromConfig(context.config());
            ensureNativeLibrary();
            return new QuicListener(context, settings);
        });
    }

    @Override
    public Optional<DialerFactory> dialerFactory() {
        return Optional.of(context -> {
            QuicDialerSettings settings = QuicDialerSettings.fromConfig(context.config());
            ensureNativeLibrary();
            return new QuicDialer(context, settings);
        });
    }

    /**
     * Fails with an actionable message when the QUIC native library (quiche + BoringSSL) does not
     * load, typically on a platform we ship no native for.
     */
    static void ensureNativeLibrary() {
        QuicNativeLibrary.loadIntoPluginClassLoader();
        if (Quic.isAvailable()) {
            return;
        }
        String platform = System.getProperty("os.name").toLowerCase(Locale.ROOT) + "/"
                + System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        Throwable cause = Quic.unavailabilityCause();
        throw new IllegalStateException("the quic transport cannot start on " + platform
                + ": its native library did not load (natives are shipped for linux-x86_64, linux-aarch_64, "
                + "osx-x86_64 and osx-aarch_64 in plugins/quic/): " + (cause == null ? "unknown cause" : cause), cause);
    }
}
