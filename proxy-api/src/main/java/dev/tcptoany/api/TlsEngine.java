package dev.tcptoany.api;

/**
 * Which TLS implementation transports that do TLS over TCP use (wss, a TLS plugin), chosen once by
 * the host from {@code proxy.tls.provider}. QUIC is not affected: its TLS is built into quiche.
 */
public enum TlsEngine {
    /** BoringSSL through netty-tcnative (Netty's {@code SslProvider.OPENSSL}): AES-GCM in native code. */
    OPENSSL,
    /** The JDK's own SSLEngine ({@code SslProvider.JDK}): always there, slower per byte and per handshake. */
    JDK
}
