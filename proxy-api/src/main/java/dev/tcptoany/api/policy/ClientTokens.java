package dev.tcptoany.api.policy;

import com.typesafe.config.Config;
import dev.tcptoany.api.ConfigProblems;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The secrets a listener admits, from its {@code auth} block: either one shared {@code token}, or
 * {@code tokens { NAME { token = "...", allow = [...] } }}, each with its own allow list. Both at
 * once is a configuration error: which one a client's token is checked against would be a guess.
 *
 * <p>Every presented token is hashed (SHA-256) and compared with every configured digest by
 * {@link MessageDigest#isEqual}, without stopping at a match: how long it takes says nothing about
 * the length or content of a guess, nor which entry it matched.
 */
public final class ClientTokens {
    /** The name a match of the single {@code auth.token} gets in log lines. */
    public static final String SHARED_TOKEN_NAME = "auth.token";

    private record Entry(byte[] digest, AuthenticatedClient client) {
    }

    private final List<Entry> entries;

    private ClientTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** No tokens: every client is admitted, none is named. */
    public static ClientTokens none() {
        return new ClientTokens(List.of());
    }

    /**
     * Reads {@code auth.token} (a string, empty = unset) and {@code auth.tokens} (an object of
     * entries) from a listen block; errors name the file, line and full key.
     */
    public static ClientTokens fromConfig(Config listen) {
        String shared = listen.hasPath("auth.token") ? listen.getString("auth.token") : "";
        boolean hasMap = listen.hasPath("auth.tokens") && !listen.getObject("auth.tokens").isEmpty();
        if (!shared.isEmpty() && hasMap) {
            throw ConfigProblems.badValue(listen, "auth.tokens", "auth.token and auth.tokens do not go together:"
                    + " move the shared token into auth.tokens as an entry of its own (e.g. shared { token = \"...\" })");
        }
        if (!shared.isEmpty()) {
            return new ClientTokens(List.of(new Entry(sha256(shared), new AuthenticatedClient(SHARED_TOKEN_NAME, Optional.empty()))));
        }
        if (!hasMap) {
            return none();
        }
        List<Entry> entries = new ArrayList<>();
        for (NamedClientEntries.Entry named : NamedClientEntries.read(listen, "auth.tokens", "token",
                "{ token = \"...\", allow = [...] }")) {
            String name = named.name();
            String path = named.path();
            String token = named.credential();
            byte[] digest = sha256(token);
            for (Entry other : entries) {
                if (MessageDigest.isEqual(other.digest(), digest)) {
                    throw ConfigProblems.badValue(listen, path + ".token", "token entries '" + other.client().name()
                            + "' and '" + name + "' have the same token; a token must say which entry it is");
                }
            }
            entries.add(new Entry(digest, named.client()));
        }
        return new ClientTokens(entries);
    }

    /** Whether a client must present a token. */
    public boolean required() {
        return !entries.isEmpty();
    }

    /**
     * The entry {@code presented} belongs to; empty when it matches none (or is null). Constant in
     * time with respect to the token (see the class comment).
     */
    public Optional<AuthenticatedClient> match(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        byte[] digest = sha256(presented);
        AuthenticatedClient found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest(), digest)) {
                found = e.client();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
