package dev.tcptoany.core;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * A duration as an operator writes it in the config ({@code 10s}, {@code 1h}, {@code 250ms}),
 * not as {@link Duration#toString()} does ({@code PT10S}): for log lines and the access log.
 */
public final class HumanDuration {
    private HumanDuration() {
    }

    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        if (nanos % 1_000_000_000L == 0) {
            long s = nanos / 1_000_000_000L;
            return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
        }
        if (Math.abs(nanos) < 1_000_000L) {
            return decimal(nanos, 3) + "us";
        }
        if (Math.abs(nanos) < 1_000_000_000L) {
            return decimal(nanos, 6) + "ms";
        }
        return decimal(nanos, 9) + "s";
    }

    /** nanos / 10^scale, at most three decimals, trailing zeros dropped. */
    private static String decimal(long nanos, int scale) {
        BigDecimal v = BigDecimal.valueOf(nanos, scale).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros();
        return v.toPlainString();
    }
}
