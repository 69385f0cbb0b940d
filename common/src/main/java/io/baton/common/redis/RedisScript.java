package io.baton.common.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script, read once from {@code redis/<name>.lua} on the classpath, with the SHA-1 digest
 * that EVALSHA names it by ({@link RedisConnection#run}).
 */
public record RedisScript(String name, byte[] body, String sha1) {

    /** Reads {@code redis/<name>.lua} from the classpath. */
    public static RedisScript load(String name) {
        String resource = "redis/" + name + ".lua";
        try (InputStream in = RedisScript.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Lua script " + resource + " is missing from the classpath");
            }
            return of(name, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Lua script " + resource, e);
        }
    }

    /** The script {@code body}, named {@code name}. */
    public static RedisScript of(String name, byte[] body) {
        return new RedisScript(name, body.clone(), sha1(body));
    }

    /**
     * This script with {@code library} (local functions shared by several scripts) in front of it,
     * so that each script runs alone, as EVAL needs; error messages count lines from the library's
     * first line.
     */
    public RedisScript after(RedisScript library) {
        byte[] joined = new byte[library.body.length + 1 + body.length];
        System.arraycopy(library.body, 0, joined, 0, library.body.length);
        joined[library.body.length] = '\n';
        System.arraycopy(body, 0, joined, library.body.length + 1, body.length);
        return of(name, joined);
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
