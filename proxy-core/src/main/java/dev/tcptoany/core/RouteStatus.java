package dev.tcptoany.core;

import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The admin endpoint's {@code /routes}: every configured route, bound or not, with its counters. */
final class RouteStatus {
    private RouteStatus() {
    }

    static String json(List<RouteConfig> configured, Map<String, RouteRuntime> running) {
        JsonText list = JsonText.array();
        for (RouteConfig rc : configured) {
            RouteRuntime r = running.get(rc.name());
            JsonText bound = JsonText.array();
            if (r != null) {
                for (SocketAddress a : r.boundAddresses()) {
                    bound.element(String.valueOf(a));
                }
            }
            JsonText route = JsonText.object()
                    .add("name", rc.name())
                    .add("origin", rc.origin())
                    .add("bound", r != null && r.isBound())
                    .add("listen", JsonText.object().add("transport", rc.listenTransport())
                            .add("address", rc.listenAddress()).add("bound_addresses", bound))
                    .add("dial", JsonText.object().add("transport", rc.dialTransport()).add("address", rc.dialAddress()))
                    .add("max_open_connections", rc.maxOpenConnections())
                    .add("splice", rc.splice().toString());
            if (r != null) {
                RouteCounters.Snapshot c = r.counters().snapshot();
                route.add("counters", JsonText.object()
                        .add("connections_open", c.connectionsOpen())
                        .add("connections_accepted", c.connectionsTotal())
                        .add("bytes_to_upstream", c.bytesToUpstream())
                        .add("bytes_to_client", c.bytesToClient())
                        .add("dial_failures", c.dialFailures())
                        .add("ends", counts(c.ends()))
                        .add("rejected_peers", counts(c.rejectedPeers())));
            }
            list.element(route);
        }
        return JsonText.object().add("routes", list).toString();
    }

    private static JsonText counts(Map<String, Long> values) {
        JsonText o = JsonText.object();
        new TreeMap<>(values).forEach(o::add);
        return o;
    }
}
