package dev.tcptoany.core;

import dev.tcptoany.api.TransportProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transports this process knows, by name: those on the host's class path (embedding, tests)
 * and those in a plugins directory, where each entry is a jar or a folder of jars with its own
 * {@link PluginClassLoader}.
 */
public final class TransportRegistry {
    private static final Logger log = LoggerFactory.getLogger(TransportRegistry.class);

    private final Map<String, PluginEntry> byName = new TreeMap<>();

    private TransportRegistry() {
    }

    /**
     * Discovers transports.
     *
     * @param hostLoader  searched first ({@code ServiceLoader} on the host's class path)
     * @param pluginsDir  a directory of plugin entries, or empty for none
     * @throws PluginLoadException naming the entry for an empty folder, a broken jar, an entry
     *         without a provider, or two providers of one name
     */
    public static TransportRegistry discover(ClassLoader hostLoader, Optional<Path> pluginsDir) {
        TransportRegistry registry = new TransportRegistry();
        for (TransportProvider p : load(ServiceLoader.load(TransportProvider.class, hostLoader), "classpath")) {
            registry.add(new PluginEntry(p, "classpath", hostLoader));
        }
        if (pluginsDir.isPresent()) {
            registry.loadDirectory(pluginsDir.get(), hostLoader);
        }
        return registry;
    }

    private void loadDirectory(Path dir, ClassLoader host) {
        if (!Files.isDirectory(dir)) {
            throw new PluginLoadException("plugins directory " + dir.toAbsolutePath() + " does not exist");
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".jar"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list plugins directory " + dir, e);
        }
        for (Path entry : entries) {
            loadEntry(entry, host);
        }
    }

    private void loadEntry(Path entry, ClassLoader host) {
        List<Path> jars = jarsOf(entry);
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            checkReadableJar(jars.get(i));
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new PluginLoadException("plugin " + jars.get(i) + ": " + e.getMessage(), e);
            }
        }
        String name = entry.getFileName().toString().replaceFirst("\\.jar$", "");
        PluginClassLoader loader = new PluginClassLoader(name, urls, host);
        List<TransportProvider> found = new ArrayList<>();
        for (TransportProvider p : load(ServiceLoader.load(TransportProvider.class, loader), entry.toString())) {
            // A guard: the allow-list loader shows no host providers, but only the plugin's own may count.
            if (p.getClass().getClassLoader() == loader) {
                found.add(p);
            }
        }
        if (found.isEmpty()) {
            throw new PluginLoadException("plugin " + entry + ": no provider of " + TransportProvider.class.getName()
                    + " in " + jars.stream().map(j -> j.getFileName().toString()).toList()
                    + " (a plugin jar lists its providers in META-INF/services/" + TransportProvider.class.getName() + ")");
        }
        for (TransportProvider p : found) {
            add(new PluginEntry(p, entry.toString(), loader));
        }
    }

    private static List<Path> jarsOf(Path entry) {
        if (!Files.isDirectory(entry)) {
            return List.of(entry);
        }
        try (Stream<Path> s = Files.list(entry)) {
            List<Path> jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
            if (jars.isEmpty()) {
                throw new PluginLoadException("plugin folder " + entry + " holds no .jar file; put the plugin jar and its"
                        + " private dependencies in it, or remove the folder");
            }
            return jars;
        } catch (IOException e) {
            throw new PluginLoadException("cannot list plugin folder " + entry + ": " + e.getMessage(), e);
        }
    }

    private static void checkReadableJar(Path jar) {
        try (JarFile ignored = new JarFile(jar.toFile())) {
            // opened: it is a jar
        } catch (IOException e) {
            throw new PluginLoadException("plugin " + jar + " is not a readable jar: " + e.getMessage(), e);
        }
    }

    private static List<TransportProvider> load(ServiceLoader<TransportProvider> loader, String origin) {
        List<TransportProvider> out = new ArrayList<>();
        try {
            for (TransportProvider p : loader) {
                out.add(p);
            }
        } catch (ServiceConfigurationError e) {
            throw new PluginLoadException("plugin " + origin + ": cannot instantiate a transport provider: " + e.getMessage(), e);
        }
        return out;
    }

    private void add(PluginEntry entry) {
        String name = entry.name();
        if (name == null || !name.matches("[a-z][a-z0-9+.-]*")) {
            throw new PluginLoadException("plugin " + entry.origin() + ": transport name '" + name
                    + "' is invalid (lower-case letters, digits, '+', '.', '-')");
        }
        PluginEntry previous = byName.get(name);
        if (previous != null) {
            throw new PluginLoadException("transport '" + name + "' is registered twice: by "
                    + previous.provider().getClass().getName() + " from " + previous.origin() + " and by "
                    + entry.provider().getClass().getName() + " from " + entry.origin() + "; remove one of them");
        }
        byName.put(name, entry);
        log.debug("transport {} from {}", name, entry.origin());
    }

    public Optional<PluginEntry> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Every transport, sorted by name. */
    public Collection<PluginEntry> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    /** "quic, tcp, ws" — for "unknown transport" errors. */
    public String knownNames() {
        return byName.isEmpty() ? "(none: is the plugins directory empty?)" : String.join(", ", byName.keySet());
    }

    /** The distinct class loaders of all transports, whose reference.conf files hold their defaults. */
    public List<ClassLoader> loaders() {
        List<ClassLoader> out = new ArrayList<>();
        for (PluginEntry e : byName.values()) {
            if (!out.contains(e.loader())) {
                out.add(e.loader());
            }
        }
        return out;
    }
}
