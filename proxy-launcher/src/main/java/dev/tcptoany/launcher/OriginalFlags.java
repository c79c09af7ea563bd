package dev.tcptoany.launcher;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.Locale;

/**
 * The original tool's {@code -l -r -p -u} as one route named {@code cli}. Unlike the original,
 * every pair works, tcp->tcp included.
 *
 * <ul>
 *   <li>dial quic: verification off, as the original did (logged as a warning); the QUIC dialer
 *       negotiates our ALPN or the original's {@code proto}.</li>
 *   <li>dial ws: {@code -r} may be {@code http://}, {@code https://}, {@code ws://},
 *       {@code wss://} or a bare {@code host:port}; https/wss select the wss transport. Any other
 *       {@code -u} takes {@code host:port} only: a URL there is a usage error that says so.</li>
 * </ul>
 */
final class OriginalFlags {
    private OriginalFlags() {
    }

    static Config toConfig(String local, String remote, String listenProto, String remoteProto) {
        String p = listenProto.toLowerCase(Locale.ROOT);
        String u = remoteProto.toLowerCase(Locale.ROOT);
        if (!u.equals("ws") && !u.equals("wss") && remote.contains("://")) {
            // Otherwise the address parser sees "http:" as an unbracketed IPv6 address and says so,
            // which sends the user the wrong way.
            throw new UsageProblem("-r " + remote + ": a URL scheme (" + remote.substring(0, remote.indexOf("://") + 3)
                    + ") only goes with -u ws or -u wss; with -u " + u + " give host:port, e.g. -r "
                    + remote.substring(remote.indexOf("://") + 3).replaceAll("/.*$", ""));
        }
        Config listen = ConfigFactory.empty("command line -p/-l")
                .withValue("transport", ConfigValueFactory.fromAnyRef(p, "command line -p"))
                .withValue("address", ConfigValueFactory.fromAnyRef(local, "command line -l"));
        Config dial = ConfigFactory.empty("command line -u/-r")
                .withValue("transport", ConfigValueFactory.fromAnyRef(u, "command line -u"));
        switch (u) {
            case "ws", "wss" -> {
                String url = remote;
                String lower = remote.toLowerCase(Locale.ROOT);
                if (!lower.contains("://")) {
                    url = (u.equals("wss") ? "wss://" : "ws://") + remote;
                } else if (lower.startsWith("https://") || lower.startsWith("wss://")) {
                    dial = dial.withValue("transport", ConfigValueFactory.fromAnyRef("wss", "command line -u/-r (https URL)"));
                }
                dial = dial.withValue("url", ConfigValueFactory.fromAnyRef(url, "command line -r"));
            }
            case "quic" -> dial = dial
                    .withValue("address", ConfigValueFactory.fromAnyRef(remote, "command line -r"))
                    .withValue("tls.insecure", ConfigValueFactory.fromAnyRef(true, "command line -u quic (as the original tool)"));
            default -> dial = dial.withValue("address", ConfigValueFactory.fromAnyRef(remote, "command line -r"));
        }
        return ConfigFactory.empty("command line")
                .withValue("proxy.routes.cli.listen", listen.root())
                .withValue("proxy.routes.cli.dial", dial.root());
    }
}
