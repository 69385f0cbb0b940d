package io.baton.memory.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script of the store, read once from {@code redis/<name>.lua} on the classpath, with the
 * SHA-1 digest that EVALSHA names it by.
 */
public record RedisScript(String name, byte[] body, String sha1) {

    /** Reads {@code redis/<name>.lua} from the classpath. */
    public static RedisScript load(String name) {
        String resource = "redis/" + name + ".lua";
        try (InputStream in = RedisScript.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Lua script " + resource + " is missing from the classpath");
            }
            byte[] body = in.readAllBytes();
            return new RedisScript(name, body, sha1(body));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Lua script " + resource, e);
        }
    }

    private static String sha1(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-1", e);
        }
    }

    @Override
    public String toString() {
        return "RedisScript[" + name + ", " + sha1 + "]";
    }

    /** The text of the script. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
