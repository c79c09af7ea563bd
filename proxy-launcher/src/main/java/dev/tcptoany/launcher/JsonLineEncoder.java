package dev.tcptoany.launcher;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import dev.tcptoany.core.JsonText;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.event.KeyValuePair;

/**
 * {@code --log-format json}: one JSON object per line, for log shippers. The message is the
 * formatted one (never a {@code {}} template); the event's SLF4J key-value pairs (the access log's
 * fields, a route's totals) become fields of their own, numbers as numbers; the time carries its
 * UTC offset.
 */
final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx");
    /** Every route log line starts "route NAME: ..." (a convention kept across the code base). */
    private static final Pattern ROUTE_PREFIX = Pattern.compile("^route ([^ :]+): ");

    private final ZoneId zone = ZoneId.systemDefault();

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        JsonText o = JsonText.object()
                .add("time", TIME.format(Instant.ofEpochMilli(event.getTimeStamp()).atZone(zone)))
                .add("level", event.getLevel().toString())
                .add("logger", event.getLoggerName())
                .add("thread", event.getThreadName())
                .add("message", message);
        boolean hasRoute = false;
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                hasRoute |= kv.key.equals("route");
                if (kv.value instanceof Long || kv.value instanceof Integer) {
                    o.add(kv.key, ((Number) kv.value).longValue());
                } else if (kv.value instanceof Boolean b) {
                    o.add(kv.key, b);
                } else {
                    o.add(kv.key, kv.value == null ? null : String.valueOf(kv.value));
                }
            }
        }
        if (!hasRoute && message != null) {
            // Lines that name their route only in the text still get the field, so a shipper can filter on it.
            Matcher m = ROUTE_PREFIX.matcher(message);
            if (m.find()) {
                o.add("route", m.group(1));
            }
        }
        if (event.getThrowableProxy() != null) {
            o.add("exception", ThrowableProxyUtil.asString(event.getThrowableProxy()));
        }
        return (o + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
