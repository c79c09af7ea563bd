package dev.tcptoany.transport.quic;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicTokenHandler;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Address validation with QUIC Retry: the listener answers a new connection's first packet with a
 * token that only it can make, and creates connection state only for a client that echoes the
 * token from the same address. Spoofed-source floods then cost one stateless reply each.
 *
 * <p>Token: {@code expiry (8 bytes, epoch millis) | HMAC-SHA256(key, expiry | client ip | port |
 * dcid) truncated to 16 bytes | original dcid}. The key is random per listener start; tokens live
 * {@value #LIFETIME_MILLIS} ms, enough for one round trip and a slow handshake. Unlike Netty's
 * example {@code InsecureQuicTokenHandler}, nobody can forge one without the key.
 */
final class RetryTokenHandler implements QuicTokenHandler {
    static final long LIFETIME_MILLIS = 10_000;
    private static final int EXPIRY_LEN = 8;
    private static final int MAC_LEN = 16;
    private static final int PREFIX_LEN = EXPIRY_LEN + MAC_LEN;

    private final SecretKeySpec key;
    /** Mac is not thread-safe and the codec runs on several loops. */
    private final ThreadLocal<Mac> macs;

    RetryTokenHandler() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        key = new SecretKeySpec(secret, "HmacSHA256");
        macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        });
    }

    /** A handler that asks for no token: every client is admitted at once. */
    static QuicTokenHandler disabled() {
        return new QuicTokenHandler() {
            @Override
            public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
                return false;
            }

            @Override
            public int validateToken(ByteBuf token, InetSocketAddress address) {
                return 0;
            }

            @Override
            public int maxTokenLength() {
                return 0;
            }
        };
    }

    @Override
    public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
        long expiry = System.currentTimeMillis() + LIFETIME_MILLIS;
        out.writeLong(expiry);
        out.writeBytes(mac(expiry, address, dcid, dcid.readerIndex(), dcid.readableBytes()), 0, MAC_LEN);
        out.writeBytes(dcid, dcid.readerIndex(), dcid.readableBytes());
        return true;
    }

    @Override
    public int validateToken(ByteBuf token, InetSocketAddress address) {
        int start = token.readerIndex();
        int dcidLen = token.readableBytes() - PREFIX_LEN;
        if (dcidLen <= 0 || dcidLen > Quic.MAX_CONN_ID_LEN) {
            return -1;
        }
        long expiry = token.getLong(start);
        if (expiry < System.currentTimeMillis() || expiry > System.currentTimeMillis() + LIFETIME_MILLIS) {
            return -1;
        }
        byte[] expected = mac(expiry, address, token, start + PREFIX_LEN, dcidLen);
        byte[] actual = new byte[MAC_LEN];
        token.getBytes(start + EXPIRY_LEN, actual);
        byte[] expectedPrefix = new byte[MAC_LEN];
        System.arraycopy(expected, 0, expectedPrefix, 0, MAC_LEN);
        if (!MessageDigest.isEqual(expectedPrefix, actual)) {
            return -1;
        }
        return PREFIX_LEN;
    }

    @Override
    public int maxTokenLength() {
        return PREFIX_LEN + Quic.MAX_CONN_ID_LEN;
    }

    private byte[] mac(long expiry, InetSocketAddress address, ByteBuf buf, int dcidIndex, int dcidLen) {
        Mac mac = macs.get();
        mac.reset();
        byte[] head = new byte[8];
        for (int i = 0; i < 8; i++) {
            head[i] = (byte) (expiry >>> (56 - 8 * i));
        }
        mac.update(head);
        mac.update(address.getAddress().getAddress());
        mac.update((byte) (address.getPort() >>> 8));
        mac.update((byte) address.getPort());
        byte[] dcid = new byte[dcidLen];
        buf.getBytes(dcidIndex, dcid);
        mac.update(dcid);
        return mac.doFinal();
    }
}
