package dev.tcptoany.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Rejects keys in the user's file that no {@code reference.conf} declares, so a typo
 * ({@code nodelya}, {@code idle-timout}, {@code auth { tokn = ... }}) is an error with file, line,
 * full key and the nearest declared key, instead of a setting silently ignored (a protected
 * listener running open).
 *
 * <p>The schema is the reference configuration alone: every key a module accepts is declared there,
 * those without a default as {@code null} (which HOCON treats as absent, so declaring them changes
 * nothing else). An empty object ({@code headers {}}, {@code proxy.routes}, {@code proxy.transports})
 * is a free-form map: its keys are the user's. A route takes {@code listen}, {@code dial} and the
 * keys of {@code proxy.route-defaults}; its listen and dial blocks take {@code transport} and the
 * keys of that transport's {@code proxy.transports.NAME.listen} / {@code .dial}. A transport that
 * declares no defaults for a side is not checked (nothing to check against).
 */
final class UnknownKeys {
    private static final String ROUTE_BLOCK_KEY = "transport";
    private static final Set<String> ROUTE_SIDES = Set.of("listen", "dial");

    private UnknownKeys() {
    }

    /**
     * @param user      the user's file as parsed (origins point into it)
     * @param reference every reference.conf merged and resolved, without the user's file
     */
    static List<ConfigException> check(Config user, Config reference) {
        List<ConfigException> problems = new ArrayList<>();
        if (!user.hasPath("proxy") || user.getValue("proxy").valueType() != ConfigValueType.OBJECT) {
            return problems;
        }
        ConfigObject proxy = user.getObject("proxy");
        ConfigObject proxySchema = reference.getObject("proxy");
        for (Map.Entry<String, ConfigValue> e : sorted(proxy)) {
            String key = e.getKey();
            String path = "proxy." + key;
            if (key.equals("routes")) {
                checkRoutes(e.getValue(), reference, problems);
            } else if (key.equals("transports")) {
                checkTransportDefaults(e.getValue(), reference, problems);
            } else {
                checkAgainst(key, e.getValue(), proxySchema, path, problems);
            }
        }
        return problems;
    }

    private static void checkRoutes(ConfigValue routes, Config reference, List<ConfigException> problems) {
        if (!(routes instanceof ConfigObject routeMap)) {
            return;
        }
        ConfigObject routeDefaults = reference.getObject("proxy.route-defaults");
        for (Map.Entry<String, ConfigValue> route : sorted(routeMap)) {
            if (!(route.getValue() instanceof ConfigObject block)) {
                continue; // reported as a wrong type where routes are read
            }
            String routePath = "proxy.routes." + quoted(route.getKey());
            for (Map.Entry<String, ConfigValue> e : sorted(block)) {
                String key = e.getKey();
                String path = routePath + "." + quoted(key);
                if (ROUTE_SIDES.contains(key)) {
                    checkRouteSide(key, e.getValue(), reference, path, problems);
                } else if (!routeDefaults.containsKey(key)) {
                    List<String> known = new ArrayList<>(routeDefaults.keySet());
                    known.addAll(ROUTE_SIDES);
                    problems.add(unknown(e.getValue(), path, key, known));
                }
            }
        }
    }

    private static void checkRouteSide(String side, ConfigValue value, Config reference, String path,
                                       List<ConfigException> problems) {
        if (!(value instanceof ConfigObject block)) {
            return;
        }
        ConfigValue t = block.get(ROUTE_BLOCK_KEY);
        if (t == null || t.valueType() != ConfigValueType.STRING) {
            return; // a missing or odd transport is reported where routes are read
        }
        String schemaPath = "proxy.transports." + quoted((String) t.unwrapped()) + "." + side;
        if (!reference.hasPathOrNull(schemaPath) || reference.getValue(schemaPath).valueType() != ConfigValueType.OBJECT) {
            return; // unknown transport (reported elsewhere) or one without declared options
        }
        ConfigObject schema = reference.getObject(schemaPath);
        for (Map.Entry<String, ConfigValue> e : sorted(block)) {
            if (!e.getKey().equals(ROUTE_BLOCK_KEY)) {
                checkAgainst(e.getKey(), e.getValue(), schema, path + "." + quoted(e.getKey()), problems);
            }
        }
    }

    private static void checkTransportDefaults(ConfigValue transports, Config reference, List<ConfigException> problems) {
        if (!(transports instanceof ConfigObject map)) {
            return;
        }
        ConfigObject schema = reference.hasPath("proxy.transports") ? reference.getObject("proxy.transports") : null;
        for (Map.Entry<String, ConfigValue> e : sorted(map)) {
            // An unknown transport name is left alone: its plugin may simply not be installed here.
            if (schema != null && schema.get(e.getKey()) instanceof ConfigObject) {
                checkAgainst(e.getKey(), e.getValue(), schema, "proxy.transports." + quoted(e.getKey()), problems);
            }
        }
    }

    /** Checks {@code key} (at {@code path}) against its parent's schema, then its children against its own. */
    private static void checkAgainst(String key, ConfigValue value, ConfigObject parentSchema, String path,
                                     List<ConfigException> problems) {
        if (!parentSchema.containsKey(key)) {
            problems.add(unknown(value, path, key, parentSchema.keySet()));
            return;
        }
        ConfigValue declared = parentSchema.get(key);
        if (declared instanceof ConfigObject schema && !schema.isEmpty() && value instanceof ConfigObject object) {
            for (Map.Entry<String, ConfigValue> e : sorted(object)) {
                checkAgainst(e.getKey(), e.getValue(), schema, path + "." + quoted(e.getKey()), problems);
            }
        }
    }

    private static ConfigException unknown(ConfigValue value, String path, String key, java.util.Collection<String> known) {
        String nearest = nearest(key, known);
        String hint = nearest == null ? "; known keys here: " + String.join(", ", new java.util.TreeSet<>(known))
                : "; did you mean '" + nearest + "'?";
        return new ConfigException.Generic(value.origin().description() + ": " + path + ": unknown key" + hint);
    }

    /** The declared key closest to {@code key} by edit distance, when it is close enough to be a typo. */
    static String nearest(String key, java.util.Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = editDistance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, key.length() / 3);
        return bestDistance <= allowed ? best : null;
    }

    /** Damerau-Levenshtein (optimal string alignment): a swapped pair of letters counts as one edit. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static Iterable<Map.Entry<String, ConfigValue>> sorted(ConfigObject o) {
        return new TreeMap<>(o).entrySet();
    }

    /** A key as HOCON would need it in a path (quoted when it holds a dot or other special characters). */
    private static String quoted(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key.replace("\"", "\\\"") + "\"";
    }
}
