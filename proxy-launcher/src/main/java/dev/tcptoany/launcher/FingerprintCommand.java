package dev.tcptoany.launcher;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tcptoany.core.CertificateFingerprints;
import dev.tcptoany.core.ConfigLoader;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fingerprint}: the SHA-256 pins to put into a dialer's {@code tls.pin-sha256}, of this node's
 * generated identities or of certificate files. Never generates an identity.
 */
@Command(name = "fingerprint", mixinStandardHelpOptions = true,
        description = {"Print the SHA-256 pin (tls.pin-sha256) of this node's generated TLS identities",
            "(data-dir/tls, from -c FILE or the default data directory), or of the certificate files given.",
            "Exits 1 when there is nothing to print; never generates an identity."})
final class FingerprintCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global = new GlobalOptions();

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The node's configuration (for its data-dir).")
    File config;

    @Option(names = "--name", paramLabel = "NAME", description = "Only this identity (e.g. quic, wss).")
    String name;

    @Parameters(paramLabel = "CERT", arity = "0..*", description = "Certificate files (PEM) to fingerprint instead.")
    List<Path> certificates = List.of();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        global.applyLogLevel();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (!certificates.isEmpty()) {
                for (Path cert : certificates) {
                    out.println(cert + ": SHA-256 " + CertificateFingerprints.ofFile(cert));
                }
                return ExitCodes.OK;
            }
            Config user = config == null ? ConfigFactory.empty("no configuration file") : ConfigLoader.parseFile(config);
            Path dir = CertificateFingerprints.identityDirectory(user);
            List<CertificateFingerprints.Identity> found = CertificateFingerprints.identities(dir).stream()
                    .filter(i -> name == null || i.name().equals(name)).toList();
            if (found.isEmpty()) {
                err.println("identity " + (name == null ? "" : "'" + name + "' ") + "not generated yet in " + dir
                        + ": a quic or wss listener without tls.cert generates one on its first start"
                        + " (its log line shows the pin then)");
                return ExitCodes.RUNTIME_FAILURE;
            }
            for (CertificateFingerprints.Identity i : found) {
                out.println("identity " + i.name() + " (" + i.certificate() + "): SHA-256 " + i.sha256());
            }
            return ExitCodes.OK;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
