package dev.tcptoany.transport.quic;

import com.typesafe.config.Config;
import dev.tcptoany.api.ConfigProblems;
import java.util.List;

/** The application protocols this transport speaks over QUIC. */
final class Alpn {
    /** Ours: streams multiplexed over shared connections, each opened by a {@link StreamHeader}. */
    static final String TCP_TO_ANY_V1 = "tcp-to-any/1";
    /** The original Go tool's: raw bytes, no header, one stream per QUIC connection. */
    static final String ORIGINAL = "proto";

    private Alpn() {
    }

    /** Reads and checks an ALPN list: non-empty, only protocols we implement. */
    static List<String> fromConfig(Config c, String path) {
        List<String> list = c.getStringList(path);
        if (list.isEmpty()) {
            throw ConfigProblems.badValue(c, path, "list at least one protocol: \"" + TCP_TO_ANY_V1 + "\" or \"" + ORIGINAL + "\"");
        }
        for (String p : list) {
            if (!p.equals(TCP_TO_ANY_V1) && !p.equals(ORIGINAL)) {
                throw ConfigProblems.badValue(c, path, "unknown protocol '" + p + "'; this transport speaks \""
                        + TCP_TO_ANY_V1 + "\" and \"" + ORIGINAL + "\"");
            }
        }
        return List.copyOf(list);
    }

    /** True when the negotiated protocol is the original tool's. */
    static boolean isOriginal(String negotiated) {
        return ORIGINAL.equals(negotiated);
    }
}
