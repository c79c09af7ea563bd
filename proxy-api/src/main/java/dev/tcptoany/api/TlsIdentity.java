package dev.tcptoany.api;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A private key and its certificate chain.
 *
 * @param sha256Fingerprint SHA-256 of the leaf certificate's DER form, as colon-separated upper-case
 *                          hex: the value dialers put in {@code pin-sha256}
 * @param generated         true when the host generated it (self-signed)
 */
public record TlsIdentity(PrivateKey key, List<X509Certificate> chain, String sha256Fingerprint, boolean generated) {
    public TlsIdentity {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("certificate chain is empty");
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public X509Certificate[] chainArray() {
        return chain.toArray(new X509Certificate[0]);
    }
}
