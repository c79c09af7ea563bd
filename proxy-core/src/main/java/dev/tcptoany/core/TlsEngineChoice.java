package dev.tcptoany.core;

import dev.tcptoany.api.TlsEngine;
import io.netty.handler.ssl.OpenSsl;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code proxy.tls.provider} turned into the {@link TlsEngine} the host's TLS materials hand every
 * transport. OpenSSL is netty-tcnative's BoringSSL, shipped in lib/ for linux and macOS on x86_64
 * and aarch64; whether it loads is known only here, at run time.
 */
final class TlsEngineChoice {
    private TlsEngineChoice() {
    }

    /** The accepted values, for error messages. */
    static final String VALUES = "auto, openssl or jdk";

    /**
     * @return the engine, or empty when {@code provider} is not one of {@link #VALUES}
     * @throws IllegalStateException for {@code openssl} when OpenSSL does not load here; the message says why
     */
    static Optional<TlsEngine> resolve(String provider) {
        switch (provider.trim().toLowerCase(Locale.ROOT)) {
            case "auto":
                return Optional.of(OpenSsl.isAvailable() ? TlsEngine.OPENSSL : TlsEngine.JDK);
            case "openssl":
                if (!OpenSsl.isAvailable()) {
                    Throwable why = OpenSsl.unavailabilityCause();
                    throw new IllegalStateException("OpenSSL (netty-tcnative) does not load on this machine: "
                            + (why == null ? "unknown cause" : why.toString()));
                }
                return Optional.of(TlsEngine.OPENSSL);
            case "jdk":
                return Optional.of(TlsEngine.JDK);
            default:
                return Optional.empty();
        }
    }

    /** One line for the log: the engine and, for OpenSSL, the library version. */
    static String describe(TlsEngine engine) {
        return engine == TlsEngine.OPENSSL ? "OpenSSL engine (" + OpenSsl.versionString() + ")" : "JDK engine";
    }
}
