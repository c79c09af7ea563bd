package dev.tcptoany.launcher;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Collects what the {@code access} logger writes while a test runs. */
final class AccessLogCapture implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("access");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private final ch.qos.logback.classic.Level previous = logger.getLevel();

    AccessLogCapture() {
        // The test class path's logback configuration may leave the logger at WARN.
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        appender.start();
        logger.addAppender(appender);
    }

    /** Every line so far, as its key-value fields. */
    List<Map<String, String>> lines() {
        return List.copyOf(appender.list).stream()
                .map(e -> e.getKeyValuePairs().stream().collect(Collectors.toMap(kv -> kv.key, kv -> String.valueOf(kv.value))))
                .toList();
    }

    List<String> messages() {
        return List.copyOf(appender.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    List<Map<String, String>> linesOf(String route) {
        return lines().stream().filter(l -> route.equals(l.get("route"))).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(previous);
        appender.stop();
    }

}
