package io.baton.memory.api;

import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Entity tags of stored checkpoints: a strong tag made of the stored bytes' length and two
 * independent 32-bit checksums of them (CRC-32C and CRC-32), 64 bits of digest in all. Both run as
 * CPU intrinsics at several GB/s, so tagging a 16 MiB checkpoint costs a few milliseconds at most
 * where SHA-256 (about 1.7 GB/s here) would add a third of a raw Redis round trip at 1 MiB. The tag
 * is of the stored bytes, not the decoded ones (which, with downcast on, are rebuilt on every read
 * from the same stored bytes). Checkpoint n of a document only changes when the document is
 * deleted and written again, so the tag serves {@code If-None-Match} revalidation, where 64 bits
 * make an accidental match between two different checkpoints of one URL negligible; it is not a
 * defence against a forger, who would need write access to the tenant anyway.
 */
final class Etags {

    private Etags() {
    }

    /** The quoted tag of {@code stored}. */
    static String of(byte[] stored) {
        CRC32C castagnoli = new CRC32C();
        castagnoli.update(stored);
        CRC32 ieee = new CRC32();
        ieee.update(stored);
        return "\"" + Integer.toHexString(stored.length) + "-"
                + String.format("%08x%08x", castagnoli.getValue(), ieee.getValue()) + "\"";
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
