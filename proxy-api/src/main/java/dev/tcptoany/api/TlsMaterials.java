package dev.tcptoany.api;

import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;

/**
 * Turns {@link TlsSettings} into keys and trust, the same way for every transport. Implemented by
 * the host; failures throw {@link com.typesafe.config.ConfigException} naming the setting.
 */
public interface TlsMaterials {

    /**
     * A listener's identity: {@code cert}+{@code key} when configured; otherwise a self-signed
     * certificate generated on first use and kept under the data directory as {@code name}, so its
     * fingerprint (which dialers pin) survives restarts. The fingerprint is logged either way.
     */
    TlsIdentity serverIdentity(TlsSettings settings, String name);

    /** A dialer's client certificate, when {@code cert}+{@code key} are configured. */
    Optional<TlsIdentity> clientIdentity(TlsSettings settings);

    /**
     * How a dialer verifies servers: the pinned fingerprints when given, else the {@code ca} file,
     * else the system trust store; {@code insecure = true} accepts anything and logs a warning.
     * Hostname verification is the transport's job (its TLS engine's endpoint identification),
     * and is skipped for pins and insecure mode.
     */
    TrustManagerFactory serverTrust(TlsSettings settings);

    /** How a listener verifies client certificates ({@code client-auth} with {@code ca}). */
    Optional<TrustManagerFactory> clientTrust(TlsSettings settings);

    /**
     * The TLS engine every TLS-over-TCP transport builds its contexts with, so all of them share one
     * choice (the host's {@code proxy.tls.provider}). A host that does not choose gets the JDK's.
     */
    default TlsEngine engine() {
        return TlsEngine.JDK;
    }
}
