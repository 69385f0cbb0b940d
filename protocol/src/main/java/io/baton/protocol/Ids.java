package io.baton.protocol;

import java.util.regex.Pattern;

/** The shapes of the ids that cross service boundaries: tenants, documents, models. */
public final class Ids {

    /** A tenant id: 1-64 of {@code [A-Za-z0-9._-]}. */
    public static final String TENANT_PATTERN = "[A-Za-z0-9._-]{1,64}";
    /** A document id: 1-128 of {@code [A-Za-z0-9._-]}. */
    public static final String DOCUMENT_PATTERN = "[A-Za-z0-9._-]{1,128}";
    /** A model id (a model folder's name): 1-128 of {@code [A-Za-z0-9._-]}. */
    public static final String MODEL_PATTERN = "[A-Za-z0-9._-]{1,128}";

    private static final Pattern TENANT = Pattern.compile(TENANT_PATTERN);
    private static final Pattern DOCUMENT = Pattern.compile(DOCUMENT_PATTERN);
    private static final Pattern MODEL = Pattern.compile(MODEL_PATTERN);

    private Ids() {
    }

    public static boolean isTenant(String id) {
        return id != null && TENANT.matcher(id).matches();
    }

    public static boolean isDocument(String id) {
        return id != null && DOCUMENT.matcher(id).matches();
    }

    public static boolean isModel(String id) {
        return id != null && MODEL.matcher(id).matches();
    }
}
