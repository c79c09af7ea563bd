package dev.tcptoany.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcptoany.api.TransportProvider;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real plugin, compiled and jarred here, that bundles its own version of a library the host also
 * has (BouncyCastle's {@code org.bouncycastle.util.Strings}, with a method the host's copy lacks):
 * through the allow-list loader it gets its own copy, sees the host's Netty and proxy-api, and
 * sees nothing else of the host.
 */
class PluginClassLoaderTest {
    @TempDir
    Path work;

    @Test
    void aPluginUsesItsOwnCopyOfALibraryTheHostAlsoHas() throws Exception {
        Path plugins = buildPlugin();
        TransportRegistry registry = TransportRegistry.discover(Proxy.class.getClassLoader(), Optional.of(plugins));

        // The provider's name comes from the bundled library: the host's copy has no such method.
        PluginEntry entry = registry.find("probe-bundled").orElseThrow(
                () -> new AssertionError("no transport probe-bundled; known: " + registry.knownNames()));
        ClassLoader loader = entry.loader();
        Class<?> bundled = loader.loadClass("org.bouncycastle.util.Strings");
        assertThat(bundled.getClassLoader()).isSameAs(loader);
        assertThat(bundled).isNotSameAs(org.bouncycastle.util.Strings.class);

        // The plugin contract is shared with the host...
        assertThat(loader.loadClass(ByteBuf.class.getName())).isSameAs(ByteBuf.class);
        assertThat(loader.loadClass(TransportProvider.class.getName())).isSameAs(TransportProvider.class);
        assertThat(loader.loadClass(com.typesafe.config.Config.class.getName())).isSameAs(com.typesafe.config.Config.class);
        // ...a Netty module the host lacks comes from the plugin (as the QUIC codec does)...
        assertThat(loader.loadClass("io.netty.probe.PluginOnlyCodec").getClassLoader()).isSameAs(loader);
        // ...and the host's internals and other libraries stay out of sight, resources included.
        assertThatThrownBy(() -> loader.loadClass(Proxy.class.getName())).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> loader.loadClass("ch.qos.logback.classic.Logger")).isInstanceOf(ClassNotFoundException.class);
        assertThat(loader.getResource("reference.conf")).as("the host's reference.conf").isNull();
        assertThat(loader.loadClass("java.util.List")).isSameAs(List.class);
    }

    private Path buildPlugin() throws IOException {
        Path src = work.resolve("src");
        write(src.resolve("org/bouncycastle/util/Strings.java"), """
                package org.bouncycastle.util;
                /** The plugin's own version of a class the host has too. */
                public final class Strings {
                    public static String bundledVersion() { return "bundled"; }
                }
                """);
        write(src.resolve("io/netty/probe/PluginOnlyCodec.java"), """
                package io.netty.probe;
                public final class PluginOnlyCodec { }
                """);
        write(src.resolve("probe/ProbeTransport.java"), """
                package probe;
                public final class ProbeTransport implements dev.tcptoany.api.TransportProvider {
                    @Override public String name() {
                        return "probe-" + org.bouncycastle.util.Strings.bundledVersion();
                    }
                }
                """);
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String api = Path.of(TransportProvider.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        List<String> args = new java.util.ArrayList<>(List.of("-d", classes.toString(), "-classpath", api, "--release", "17"));
        try (Stream<Path> files = Files.walk(src)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
        }
        assertThat(javac.run(null, null, null, args.toArray(new String[0]))).as("javac exit code").isZero();
        write(classes.resolve("META-INF/services/" + TransportProvider.class.getName()), "probe.ProbeTransport\n");

        Path plugins = work.resolve("plugins");
        Path jar = plugins.resolve("probe/probe.jar");
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return plugins;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
