package dev.tcptoany.launcher;

import picocli.CommandLine;

/** Entry point: {@code System.exit(new CommandLine(new ProxyCommand()).execute(args))}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(ProxyCommand.commandLine().execute(args));
    }
}
