package dev.tcptoany.transport.ws;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open a tunnel. Only browsers send {@code Origin}; without this check
 * any web page a user visits could reach the TCP service behind a listener on localhost. Requests
 * without an Origin (our dialer, CLI tools, libraries) are always allowed.
 */
final class OriginPolicy {
    private final boolean allowAll;
    private final Set<String> allowed;

    OriginPolicy(List<String> allowedOrigins) {
        this.allowAll = allowedOrigins.contains("*");
        this.allowed = allowedOrigins.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /** @param origin the request's Origin header, or null when absent */
    boolean allows(String origin) {
        return origin == null || allowAll || allowed.contains(normalize(origin));
    }

    /** Origins compare case-insensitively (scheme and host), without a trailing slash. */
    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
