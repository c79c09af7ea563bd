package dev.tcptoany.core;

import dev.tcptoany.api.TransportMetrics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link TransportMetrics} a route's listener and dialer published through their contexts;
 * read at every scrape, so sources added at any time are seen.
 */
final class PublishedTransportMetrics {

    /** One source: which transport on which side of the route published it. */
    record Source(String transport, String side, TransportMetrics metrics) {
    }

    private final List<Source> sources = new CopyOnWriteArrayList<>();

    void add(String transport, String side, TransportMetrics metrics) {
        sources.add(new Source(transport, side, metrics));
    }

    /** The sources of one side replaced by others (a reload swapped the dialer): one series per route side. */
    void replaceSide(String side, List<Source> replacement) {
        sources.removeIf(s -> s.side().equals(side));
        sources.addAll(replacement);
    }

    List<Source> sources() {
        return sources;
    }
}
