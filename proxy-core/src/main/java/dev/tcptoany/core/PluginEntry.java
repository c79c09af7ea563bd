package dev.tcptoany.core;

import dev.tcptoany.api.TransportProvider;

/**
 * A discovered transport and where it came from.
 *
 * @param origin the plugin jar or folder, or "classpath"
 * @param loader the class loader its reference.conf and classes come from
 */
public record PluginEntry(TransportProvider provider, String origin, ClassLoader loader) {
    public String name() {
        return provider.name();
    }
}
