package dev.tcptoany.launcher;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest (Implementation-Version), and the JVM. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = ProxyCommand.class.getPackage().getImplementationVersion();
        return new String[] {"tcp-to-any-proxy " + (v == null ? "(development build)" : v),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
