package dev.tcptoany.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The per-connection statistics over plain loopback: the snapshot, and the line each end logs when it closes. */
class QuicConnectionStatisticsTest extends QuicTestSupport {

    @Test
    void snapshotCoversOpenConnectionsAndEachEndLogsItsStatisticsWhenTheConnectionCloses() throws Exception {
        Logger statsLog = (Logger) LoggerFactory.getLogger(QuicConnectionStatistics.LOGGER);
        List<String> lines = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                lines.add(e.getFormattedMessage());
            }
        };
        capture.setContext(statsLog.getLoggerContext());
        capture.start();
        Level levelBefore = statsLog.getLevel();
        statsLog.addAppender(capture);
        statsLog.setLevel(Level.DEBUG);
        try {
            Server server = listen("");
            QuicDialer dialer = dialer(server, "");
            StreamProbe client = StreamProbe.attach(dial(dialer), false);
            StreamProbe.attach(server.next(), true);
            byte[] data = random(1 << 20, 1);
            client.send(data, true);
            client.inputEnded.get(10, TimeUnit.SECONDS);

            for (List<QuicPathStatistics> side : List.of(dialer.pathStatistics().get(5, TimeUnit.SECONDS),
                    server.listener().pathStatistics().get(5, TimeUnit.SECONDS))) {
                assertThat(side).hasSize(1);
                QuicPathStatistics s = side.get(0);
                assertThat(s.sentBytes()).isGreaterThan(data.length);
                assertThat(s.recvBytes()).isGreaterThan(data.length);
                assertThat(s.pathKnown()).isTrue();
                assertThat(s.rttNanos()).isPositive();
                assertThat(s.cwnd()).isPositive();
                assertThat(s.pmtu()).isPositive();
            }

            dialer.close().get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (lines.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // Our close (the dialer) and the peer's (seen by the listener) both keep the path values.
            assertThat(lines).hasSize(2);
            assertThat(lines).anySatisfy(l -> assertThat(l)
                    .startsWith("quic dialer of route test to 127.0.0.1:" + server.port() + ": connection ")
                    .contains(" lost=", " sentBytes=", " rttMicros=", " cwnd="));
            assertThat(lines).anySatisfy(l -> assertThat(l)
                    .startsWith("quic listener of route test: connection ")
                    .contains(" lost=", " recvBytes=", " rttMicros=", " cwnd="));
            assertThat(dialer.pathStatistics().get(5, TimeUnit.SECONDS)).isEmpty();
            assertThat(server.listener().pathStatistics().get(5, TimeUnit.SECONDS)).isEmpty();
        } finally {
            statsLog.setLevel(levelBefore);
            statsLog.detachAppender(capture);
        }
    }
}
