package dev.tcptoany.core;

/**
 * Builds one JSON object as text: the admin endpoint's {@code /routes} and the JSON log lines.
 * The proxy writes a handful of flat documents, so a dependency on a JSON library would cost more
 * than these lines; values are strings, numbers, booleans, or nested objects and arrays built here.
 */
public final class JsonText {
    private final StringBuilder out = new StringBuilder();
    private boolean first = true;
    private final char close;

    private JsonText(char open, char close) {
        out.append(open);
        this.close = close;
    }

    public static JsonText object() {
        return new JsonText('{', '}');
    }

    public static JsonText array() {
        return new JsonText('[', ']');
    }

    /** A string member; null writes JSON null. */
    public JsonText add(String name, String value) {
        key(name);
        if (value == null) {
            out.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    public JsonText add(String name, long value) {
        key(name);
        out.append(value);
        return this;
    }

    public JsonText add(String name, boolean value) {
        key(name);
        out.append(value);
        return this;
    }

    /** A nested object or array built with this class. */
    public JsonText add(String name, JsonText nested) {
        key(name);
        out.append(nested.toString());
        return this;
    }

    /** An array element: a string. */
    public JsonText element(String value) {
        comma();
        quote(value);
        return this;
    }

    /** An array element: an object or array. */
    public JsonText element(JsonText nested) {
        comma();
        out.append(nested.toString());
        return this;
    }

    private void key(String name) {
        comma();
        quote(name);
        out.append(':');
    }

    private void comma() {
        if (!first) {
            out.append(',');
        }
        first = false;
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** The document; the builder stays usable, so call this once at the end. */
    @Override
    public String toString() {
        return out.toString() + close;
    }
}
