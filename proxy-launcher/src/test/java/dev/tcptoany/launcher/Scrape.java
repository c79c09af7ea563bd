package dev.tcptoany.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An HTTP GET on the admin endpoint over a real socket, and the samples of a /metrics answer. */
record Scrape(int status, String contentType, String body) {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Scrape get(InetSocketAddress admin, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + admin.getAddress().getHostAddress() + ":"
                + admin.getPort() + path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Scrape(r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body());
    }

    /** One sample line: name, labels, value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    List<Sample> samples() {
        List<Sample> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.find()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
        return out;
    }

    /**
     * The value of the one sample named {@code name} whose labels include {@code labelPairs};
     * fails when there is none or more than one.
     */
    double value(String name, String... labelPairs) {
        List<Sample> found = new ArrayList<>();
        for (Sample s : samples()) {
            if (!s.name().equals(name)) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < labelPairs.length; i += 2) {
                all &= labelPairs[i + 1].equals(s.labels().get(labelPairs[i]));
            }
            if (all) {
                found.add(s);
            }
        }
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples of " + name + " with " + List.of(labelPairs)
                    + " in:\n" + body);
        }
        return found.get(0).value();
    }

    boolean has(String name) {
        return samples().stream().anyMatch(s -> s.name().equals(name));
    }
}
