package dev.tcptoany.bench;

/**
 * The project's load tool, driven by bench/run. Sub-commands:
 * <ul>
 * <li>{@code echo [--bind 127.0.0.1] [--port 0] [--threads 1]}: echo server; prints {@code LISTENING <port>}.</li>
 * <li>{@code latency --target H:P [--size 64] [--count 10000] [--warmup 1000] [--max-seconds 60]}</li>
 * <li>{@code connrate --target H:P [--size 64] [--count 2000] [--warmup 200] [--concurrency 1] [--max-seconds 10]}</li>
 * <li>{@code idle --target H:P [--count 10000] [--connect-concurrency 200] [--hold-seconds S] [--max-seconds 120]}</li>
 * <li>{@code verify --target H:P [--bytes N] [--connections 4] [--max-seconds 60]}</li>
 * <li>{@code bulk --target H:P [--connections 1] [--seconds 4] [--warmup-seconds 2]}: echo throughput</li>
 * </ul>
 * The clients (latency, connrate, verify, bulk) take {@code --socks5 HOST:PORT}: connect through that SOCKS5
 * entry and ask it for {@code --target} (a name goes as a name).
 * Every client prints one JSON line per result and exits non-zero when the run failed.
 */
public final class LoadTool {
    private LoadTool() {
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            System.err.println("usage: LoadTool echo|latency|connrate|idle|verify|bulk [--option value]...");
            System.exit(2);
        }
        int rc;
        try {
            switch (argv[0]) {
                case "echo":
                    rc = EchoServer.run(new Args(argv, 1, "bind", "port", "threads"));
                    break;
                case "latency":
                    rc = LatencyClient.run(new Args(argv, 1, "target", "socks5", "size", "count", "warmup", "max-seconds"));
                    break;
                case "connrate":
                    rc = ConnRateClient.run(new Args(argv, 1, "target", "socks5", "size", "count", "warmup", "concurrency",
                            "max-seconds"));
                    break;
                case "idle":
                    rc = IdleHolder.run(new Args(argv, 1, "target", "count", "connect-concurrency", "size",
                            "hold-seconds", "max-seconds"));
                    break;
                case "verify":
                    rc = VerifyClient.run(new Args(argv, 1, "target", "socks5", "bytes", "connections", "max-seconds"));
                    break;
                case "bulk":
                    rc = BulkClient.run(new Args(argv, 1, "target", "socks5", "connections", "seconds", "warmup-seconds"));
                    break;
                default:
                    System.err.println("unknown sub-command " + argv[0]);
                    rc = 2;
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            rc = 2;
        }
        System.out.flush();
        System.exit(rc);
    }
}
