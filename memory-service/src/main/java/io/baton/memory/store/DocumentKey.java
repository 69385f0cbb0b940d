package io.baton.memory.store;

import io.baton.protocol.Ids;
import java.util.regex.Pattern;

/**
 * A document of a tenant: the unit of state. Both parts are restricted to
 * {@code [A-Za-z0-9._-]}, tenant 1-64 and document 1-128 characters, so they can be embedded in
 * Redis keys and hash tags without escaping.
 */
public record DocumentKey(String tenant, String document) {

    static final Pattern TENANT = Pattern.compile(Ids.TENANT_PATTERN);
    static final Pattern DOCUMENT = Pattern.compile(Ids.DOCUMENT_PATTERN);

    public DocumentKey {
        requireTenant(tenant);
        if (document == null || !DOCUMENT.matcher(document).matches()) {
            throw new InvalidIdException("document", document, DOCUMENT.pattern());
        }
    }

    /** Checks a tenant id on its own (listing is per tenant). */
    public static String requireTenant(String tenant) {
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            throw new InvalidIdException("tenant", tenant, TENANT.pattern());
        }
        return tenant;
    }

    /** The same tenant's document {@code other}. */
    public DocumentKey sibling(String other) {
        return new DocumentKey(tenant, other);
    }
}
