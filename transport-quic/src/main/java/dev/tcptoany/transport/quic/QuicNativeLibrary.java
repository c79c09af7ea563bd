package dev.tcptoany.transport.quic;

import io.netty.handler.codec.quic.Quic;
import io.netty.util.internal.NativeLibraryLoader;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the QUIC native library (quiche + BoringSSL) bound to the plugin's class loader.
 *
 * <p>Why: in plugins/quic/ the codec classes live in the plugin's class loader while Netty's
 * {@code NativeLibraryLoader} and its {@code NativeLibraryUtil} helper are the host's (the plugin
 * class loader asks the host first for {@code io.netty} classes). Netty then calls {@code System.load} from a host class, the library binds to the
 * host loader, and its {@code JNI_OnLoad} cannot find the codec's classes
 * ({@code NoClassDefFoundError: QuicheNativeStaticallyReferencedJniMethods}).
 *
 * <p>The load must happen from a class of the plugin's loader <em>while the codec's
 * {@code Quiche} class is initializing</em>: {@code JNI_OnLoad} touches {@code Quiche}, and only a
 * class already being initialized by the same thread lets that through. The one hook into that
 * initializer is its first statement, which asks Netty's logger factory for its logger; so the
 * factory is wrapped for the duration of the codec's initialization. {@code Quiche} then finds the
 * library loaded and skips Netty's loader.
 *
 * <p>On a flat class path (tests, embedding) Netty's own loading works and nothing is done here.
 */
final class QuicNativeLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(QuicNativeLibrary.class);
    private static final String BASE_NAME = "netty_quiche42";
    private static final String QUICHE_CLASS = "io.netty.handler.codec.quic.Quiche";
    private static boolean attempted;

    private QuicNativeLibrary() {
    }

    /** Initializes the codec with its native library bound to this plugin's class loader. */
    static synchronized void loadIntoPluginClassLoader() {
        if (attempted) {
            return;
        }
        attempted = true;
        ClassLoader mine = QuicNativeLibrary.class.getClassLoader();
        if (NativeLibraryLoader.class.getClassLoader() == mine) {
            return;
        }
        InternalLoggerFactory host = InternalLoggerFactory.getDefaultFactory();
        InternalLoggerFactory.setDefaultFactory(new InternalLoggerFactory() {
            @Override
            protected InternalLogger newInstance(String name) {
                if (QUICHE_CLASS.equals(name)) {
                    loadFromPluginJar(mine);
                }
                InternalLoggerFactory.setDefaultFactory(host);
                try {
                    return InternalLoggerFactory.getInstance(name);
                } finally {
                    InternalLoggerFactory.setDefaultFactory(this);
                }
            }
        });
        try {
            Quic.isAvailable();
        } finally {
            InternalLoggerFactory.setDefaultFactory(host);
        }
    }

    private static void loadFromPluginJar(ClassLoader loader) {
        String name = BASE_NAME + '_' + PlatformDependent.normalizedOs() + '_' + PlatformDependent.normalizedArch();
        for (String file : new String[] {System.mapLibraryName(name), "lib" + name + ".jnilib"}) {
            URL url = loader.getResource("META-INF/native/" + file);
            if (url == null) {
                continue;
            }
            try {
                // The file keeps its name: the library derives its JNI package prefix from it.
                Path dir = Files.createTempDirectory("tcp2any-quic");
                Path lib = dir.resolve(file);
                try (InputStream in = url.openStream()) {
                    Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
                }
                try {
                    System.load(lib.toAbsolutePath().toString());
                } finally {
                    Files.deleteIfExists(lib);
                    Files.deleteIfExists(dir);
                }
                LOG.debug("loaded {} into the quic plugin's class loader", file);
            } catch (Throwable e) {
                LOG.debug("could not load {} into the plugin's class loader: {}", file, e.toString());
            }
            return;
        }
        // No native for this platform: Quic.unavailabilityCause() says so.
    }
}
