package dev.tcptoany.core;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * The class loader of one plugin entry. Parent-first: the host's proxy-api, Netty, typesafe-config
 * and SLF4J are the only copies a plugin sees, so ByteBufs and Channels cross plugins and the
 * epoll native library is loaded once. Anything the host lacks (a plugin's own codecs, even under
 * {@code io.netty}) falls back to the plugin's jars. Each plugin has its own loader, so two plugins'
 * private dependencies never meet.
 */
final class PluginClassLoader extends URLClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final String pluginName;

    PluginClassLoader(String pluginName, URL[] jars, ClassLoader host) {
        super("plugin-" + pluginName, jars, host);
        this.pluginName = pluginName;
    }

    @Override
    public String toString() {
        return "PluginClassLoader[" + pluginName + "]";
    }
}
