package dev.tcptoany.launcher;

/** A command-line mistake the user can fix; exit code 2. */
final class UsageProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageProblem(String message) {
        super(message);
    }
}
