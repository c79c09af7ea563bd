package dev.tcptoany.testkit;

import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class only where io_uring loads, and says why not elsewhere (kernel too old,
 * {@code /proc/sys/kernel/io_uring_disabled}, a seccomp profile, not Linux). Evaluated before the
 * class's nodes start, so a skipped class starts nothing. Use with {@code @ExtendWith(IoUringAvailable.class)}.
 */
public final class IoUringAvailable implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (IoUring.isAvailable()) {
            return ConditionEvaluationResult.enabled("io_uring is available");
        }
        Throwable why = IoUring.unavailabilityCause();
        return ConditionEvaluationResult.disabled("io_uring is unavailable here: " + (why == null ? "not Linux" : why));
    }
}
