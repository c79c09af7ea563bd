package dev.tcptoany.api.policy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.tcptoany.api.ConfigProblems;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The entries of an {@code auth.tokens} or {@code auth.clients} block: each an object named by the
 * user, holding one credential key and an optional {@code allow} list. Reads the shape both share, so
 * both report a wrong type, an unknown key or a missing credential the same way (file, line, full key).
 */
final class NamedClientEntries {
    /** One entry: its name, its credential as written, and the client it stands for. */
    record Entry(String name, String path, String credential, AuthenticatedClient client) {
    }

    private NamedClientEntries() {
    }

    /**
     * @param block      {@code auth.tokens} or {@code auth.clients}
     * @param credential the key every entry must set ({@code token}, {@code cert-sha256})
     * @param example    what an entry looks like, for the error about one that is not an object
     */
    static List<Entry> read(Config listen, String block, String credential, String example) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : listen.getObject(block).entrySet()) {
            String name = e.getKey();
            String path = block + ".\"" + name + "\"";
            if (e.getValue().valueType() != ConfigValueType.OBJECT) {
                throw ConfigProblems.badValue(listen, path, "expected " + example);
            }
            Config entry = listen.getConfig(path);
            for (String key : entry.root().keySet()) {
                if (!key.equals(credential) && !key.equals("allow")) {
                    throw ConfigProblems.badValue(listen, path + "." + key, "unknown key; an entry of " + block
                            + " takes " + credential + " and allow");
                }
            }
            String value;
            try {
                value = entry.hasPath(credential) ? entry.getString(credential) : "";
            } catch (ConfigException.WrongType x) {
                throw ConfigProblems.badValue(listen, path + "." + credential, "expected a string");
            }
            if (value.isEmpty()) {
                throw ConfigProblems.badValue(listen, entry.hasPath(credential) ? path + "." + credential : path,
                        "entry '" + name + "' of " + block + " needs a non-empty " + credential);
            }
            Optional<List<DestinationRule>> allow = entry.hasPath("allow")
                    ? Optional.of(DestinationPolicy.rules(listen, path + ".allow")) : Optional.empty();
            entries.add(new Entry(name, path, value, new AuthenticatedClient(name, allow)));
        }
        return entries;
    }
}
