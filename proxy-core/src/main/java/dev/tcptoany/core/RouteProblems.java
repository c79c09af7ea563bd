package dev.tcptoany.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a transport factory's configuration error so it points at the user's route: the
 * factory sees the route's block merged over the transport's defaults, so a missing key was
 * reported against the merged origin ({@code merge of node.conf: 2, reference.conf @ jar:...})
 * and keys printed bare ({@code 'address'}). The user gets the file and line of the route's
 * block and the full key ({@code proxy.routes.a.dial.address}).
 */
final class RouteProblems {
    private static final Pattern MISSING_KEY = Pattern.compile("(?:found for key|key) '([^']+)'");
    private static final Pattern BAD_VALUE_KEY = Pattern.compile("Invalid value at '([^']+)'");

    private RouteProblems() {
    }

    /**
     * @param side  "listen" or "dial"
     * @param block the route's own block for that side, as the user wrote it
     */
    static ConfigException locate(ConfigException e, RouteConfig route, String side, Config block) {
        String transport = side.equals("listen") ? route.listenTransport() : route.dialTransport();
        String routeSide = "proxy.routes." + route.name() + "." + side;
        if (e instanceof ConfigException.Missing) {
            Matcher m = MISSING_KEY.matcher(String.valueOf(e.getMessage()));
            String key = m.find() ? m.group(1) : null;
            if (key != null && !key.startsWith("proxy.")) {
                return new ConfigException.Generic(block.origin().description() + ": " + routeSide + "." + key
                        + ": missing: the " + transport + " " + side + " block of route '" + route.name()
                        + "' must set '" + key + "'", e);
            }
            return e;
        }
        Matcher m = BAD_VALUE_KEY.matcher(String.valueOf(e.getMessage()));
        if (m.find() && !m.group(1).startsWith("proxy.")) {
            String key = m.group(1);
            String full = (block.hasPathOrNull(key) ? routeSide : "proxy.transports." + transport + "." + side) + "." + key;
            String message = e.getMessage().substring(0, m.start(1)) + full + e.getMessage().substring(m.end(1));
            return new ConfigException.Generic(message, e);
        }
        return e;
    }
}
