package dev.tcptoany.api.policy;

import java.util.ArrayList;
import java.util.List;

/** The ports a rule covers: every port, or a list of ports and ranges as in {@code 22,443,8000-8100}. */
public final class PortSet {
    private static final PortSet ALL = new PortSet(List.of(), "");
    private final List<int[]> ranges;
    private final String text;

    private PortSet(List<int[]> ranges, String text) {
        this.ranges = ranges;
        this.text = text;
    }

    public static PortSet all() {
        return ALL;
    }

    /** Parses {@code 22,443,8000-8100}; throws {@link IllegalArgumentException} with a reason. */
    public static PortSet parse(String text) {
        List<int[]> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String p = part.trim();
            int dash = p.indexOf('-');
            int from = port(dash < 0 ? p : p.substring(0, dash), text);
            int to = dash < 0 ? from : port(p.substring(dash + 1), text);
            if (to < from) {
                throw new IllegalArgumentException("port range '" + p + "' runs backwards");
            }
            out.add(new int[] {from, to});
        }
        return new PortSet(List.copyOf(out), text);
    }

    private static int port(String s, String whole) {
        try {
            int p = Integer.parseInt(s.trim());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + s.trim() + "' in ports '" + whole + "' is not a port 1-65535");
    }

    public boolean contains(int port) {
        if (ranges.isEmpty()) {
            return true;
        }
        for (int[] r : ranges) {
            if (port >= r[0] && port <= r[1]) {
                return true;
            }
        }
        return false;
    }

    /** {@code ""} for every port, else {@code ":22,443"}: how a rule prints its ports. */
    @Override
    public String toString() {
        return ranges.isEmpty() ? "" : ":" + text;
    }
}
