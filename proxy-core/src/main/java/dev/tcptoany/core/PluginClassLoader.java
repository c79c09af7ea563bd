package dev.tcptoany.core;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin entry: an allow-list loader after Flink's
 * {@code ComponentClassLoader}. Only what the plugin contract shares comes from the host:
 *
 * <ul>
 *   <li>JDK classes from the platform loader (its parent);</li>
 *   <li>{@code dev.tcptoany.api}, Netty, typesafe-config and SLF4J from the host first, so buffers
 *       and channels cross plugins and the epoll native library loads once, falling back to the
 *       plugin (the QUIC codec is an {@code io.netty} module the host does not have);</li>
 *   <li>everything else, resources included, from the plugin only.</li>
 * </ul>
 *
 * A plain parent-first loader let plugins see the host's BouncyCastle, Logback, picocli and
 * proxy-core internals, and silently gave them the host's copy of a library they bundle in another
 * version. Each plugin has its own loader, so two plugins' private dependencies never meet.
 */
final class PluginClassLoader extends URLClassLoader {
    static {
        registerAsParallelCapable();
    }

    /** Packages of the plugin contract: the host's copy wins, the plugin's fills gaps. */
    static final List<String> HOST_FIRST_PACKAGES = List.of("dev.tcptoany.api.", "io.netty.", "com.typesafe.config.", "org.slf4j.");

    private final String pluginName;
    private final ClassLoader host;

    PluginClassLoader(String pluginName, URL[] jars, ClassLoader host) {
        super("plugin-" + pluginName, jars, ClassLoader.getPlatformClassLoader());
        this.pluginName = pluginName;
        this.host = host;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!isHostFirst(name)) {
            // The platform loader (the parent) for JDK classes, then this plugin's jars: never the host's.
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                try {
                    c = host.loadClass(name);
                } catch (ClassNotFoundException notInTheHost) {
                    c = findClass(name);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    public URL getResource(String name) {
        if (isHostFirstResource(name)) {
            URL url = host.getResource(name);
            if (url != null) {
                return url;
            }
        }
        return super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (!isHostFirstResource(name)) {
            return super.getResources(name);
        }
        List<URL> urls = new ArrayList<>(Collections.list(host.getResources(name)));
        urls.addAll(Collections.list(super.getResources(name)));
        return Collections.enumeration(urls);
    }

    static boolean isHostFirst(String className) {
        for (String prefix : HOST_FIRST_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** A resource inside a host-first package ({@code io/netty/...}); META-INF and reference.conf are the plugin's. */
    private static boolean isHostFirstResource(String resource) {
        return isHostFirst(resource.replace('/', '.'));
    }

    @Override
    public String toString() {
        return "PluginClassLoader[" + pluginName + "]";
    }
}
