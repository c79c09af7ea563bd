package dev.tcptoany.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} options of one sub-command; unknown names are an error. */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] argv, int from, String... known) {
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("expected --name value, got " + a);
            }
            String name = a.substring(2);
            if (!java.util.Arrays.asList(known).contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; known: " + String.join(", ", known));
            }
            values.put(name, argv[++i]);
        }
    }

    String str(String name, String def) {
        String v = values.get(name);
        if (v == null && def == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v == null ? def : v;
    }

    int integer(String name, int def) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : def;
    }

    long longValue(String name, long def) {
        return values.containsKey(name) ? Long.parseLong(values.get(name)) : def;
    }

    double dbl(String name, double def) {
        return values.containsKey(name) ? Double.parseDouble(values.get(name)) : def;
    }
}
