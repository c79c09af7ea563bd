package dev.tcptoany.api.policy;

/**
 * A policy's answer for one destination.
 *
 * @param allowed whether the stream may go there
 * @param rule    the rule that decided, as the user wrote it or as the built-in list names it, for
 *                the log line of a refusal: {@code "deny 10.0.0.0/8"}, {@code "built-in deny 127.0.0.0/8"},
 *                {@code "no allow entry matches"}
 */
public record Verdict(boolean allowed, String rule) {
    static Verdict allow(DestinationRule rule) {
        return new Verdict(true, "allow " + rule);
    }

    static Verdict refuse(String rule) {
        return new Verdict(false, rule);
    }
}
