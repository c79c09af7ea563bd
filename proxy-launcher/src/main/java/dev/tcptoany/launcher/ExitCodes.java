package dev.tcptoany.launcher;

/** The launcher's exit codes. */
final class ExitCodes {
    /** Ran and stopped cleanly, or a check passed. */
    static final int OK = 0;
    /** Failed at run time: could not bind, a plugin broke, an unexpected error. */
    static final int RUNTIME_FAILURE = 1;
    /** Bad command line or configuration. */
    static final int BAD_INPUT = 2;

    private ExitCodes() {
    }
}
