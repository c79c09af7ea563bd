package dev.tcptoany.transport.ws;

import com.typesafe.config.Config;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.time.Duration;

/**
 * How an established WebSocket connection carries bytes, the same for listener and dialer.
 *
 * @param frameSize      largest outgoing frame payload between our nodes (subprotocol negotiated)
 * @param plainFrameSize largest outgoing frame payload to plain peers (no subprotocol): the original
 *                       tool's library, like most WebSocket libraries, refuses messages over 32 KiB
 * @param maxFrameSize  largest incoming frame payload (larger: close 1009)
 * @param compression   permessage-deflate offered / accepted
 * @param pingInterval  quiet time before a ping; zero disables keep-alive
 * @param pongTimeout   silence tolerated after a ping
 * @param closeTimeout  wait for the peer's Close answer
 * @param maxPingsPerSecond pings a peer may send in one second; more: close 1008
 */
record FrameSettings(int frameSize, int plainFrameSize, int maxFrameSize, boolean compression, Duration pingInterval,
                     Duration pongTimeout, Duration closeTimeout, int maxPingsPerSecond) {

    /** The largest message payload we send to a peer: ours get frame-size, plain peers plain-frame-size. */
    int outgoingFrameSize(boolean subprotocolNegotiated) {
        return subprotocolNegotiated ? frameSize : plainFrameSize;
    }

    /**
     * The frame decoder for an upgraded connection: ours, which unmasks in place and passes binary
     * payloads on without a copy, unless permessage-deflate may be negotiated; that needs Netty's
     * (the extension's decoder sits behind it and expects whole frames with RSV bits).
     *
     * @param expectMasked true on the listener's side: client frames must be masked
     */
    ChannelHandler newFrameDecoder(boolean expectMasked) {
        if (!compression) {
            return new InPlaceUnmaskingFrameDecoder(expectMasked, maxFrameSize);
        }
        return new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxFrameSize)
                .expectMaskedFrames(expectMasked)
                .allowMaskMismatch(false)
                .allowExtensions(true)
                .closeOnProtocolViolation(false) // WebSocketStreamHandler answers, then lingers
                .withUTF8Validator(true)
                .build());
    }

    /** Frame payloads are limited to 2^31-1 by the decoder; 16 MiB is plenty and bounds memory. */
    static final int LARGEST_FRAME = 16 * 1024 * 1024;

    static FrameSettings fromConfig(Config c) {
        return new FrameSettings(
                ConfigValues.size(c, "frame-size", 1, LARGEST_FRAME),
                ConfigValues.size(c, "plain-frame-size", 1, LARGEST_FRAME),
                ConfigValues.size(c, "max-frame-size", 125, LARGEST_FRAME),
                ConfigValues.bool(c, "compression"),
                ConfigValues.duration(c, "ping-interval", true),
                ConfigValues.duration(c, "pong-timeout", false),
                ConfigValues.duration(c, "close-timeout", false),
                ConfigValues.integer(c, "max-pings-per-second", 1, 1_000_000));
    }
}
