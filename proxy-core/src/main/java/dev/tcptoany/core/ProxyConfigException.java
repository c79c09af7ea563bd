package dev.tcptoany.core;

import com.typesafe.config.ConfigException;
import java.util.List;
import java.util.stream.Collectors;

/** One or more configuration problems; each names file, line and key. */
public final class ProxyConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<ConfigException> problems;

    public ProxyConfigException(List<ConfigException> problems) {
        super(problems.stream().map(Throwable::getMessage).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigException> problems() {
        return problems;
    }
}
