/**
 * The transport SPI of tcp-to-any-proxy.
 *
 * <p>A transport plugin implements {@link dev.tcptoany.api.TransportProvider} and registers it in
 * {@code META-INF/services/dev.tcptoany.api.TransportProvider}. The host discovers it with
 * {@link java.util.ServiceLoader}, gives it a {@link dev.tcptoany.api.TransportContext} per route
 * side, and relays bytes between the {@link dev.tcptoany.api.ByteStream}s its listeners accept and
 * its dialers open.
 *
 * <p><b>Netty in the SPI.</b> Streams are Netty {@link io.netty.channel.Channel}s carrying
 * {@link io.netty.buffer.ByteBuf}s, so one relay serves every pair of transports without copies.
 * The price: a plugin is compiled against the host's Netty line (4.2) and must not carry its own
 * copy of a Netty module the host ships ({@code netty-common}, {@code -buffer}, {@code -transport},
 * {@code -handler}, {@code -codec-base}, {@code -codec-http}, {@code -codec-compression}, the epoll
 * classes). Modules the host does not ship (the QUIC codec, the HTTP proxy handler) travel inside
 * the plugin's folder.
 *
 * <p><b>Compatibility.</b> This package grows only by new types and {@code default} methods, so a
 * plugin built against an older version keeps loading.
 */
package dev.tcptoany.api;
