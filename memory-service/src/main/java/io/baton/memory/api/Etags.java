package io.baton.memory.api;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Entity tags of stored checkpoints: a strong tag from the SHA-256 of the stored bytes (not of
 * the decoded ones, which with downcast on are rebuilt on every read but decode from the same
 * stored bytes). Checkpoint n of a document never changes while it exists, so the tag mostly
 * serves {@code If-None-Match} revalidation and integrity checks.
 */
final class Etags {

    private Etags() {
    }

    /** The quoted tag of {@code stored}. */
    static String of(byte[] stored) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(stored);
            return "\"sha256-" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Whether an {@code If-None-Match} value matches {@code etag} (or is {@code *}). */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals("*") || tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
