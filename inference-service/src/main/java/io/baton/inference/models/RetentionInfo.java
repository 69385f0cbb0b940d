package io.baton.inference.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Locale;

/**
 * A retention policy on the wire: {@code {"policy": "replace"}}, or {@code {"policy": "window",
 * "window": W, "pinned": G, "axis": 2, "grows": false}} (the first G and the last W slots along
 * the axis; {@code grows}: the past starts empty and grows up to G + W slots).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetentionInfo(String policy, Integer window, Integer pinned, Integer axis, Boolean grows) {

    static RetentionInfo of(Retention retention) {
        String policy = retention.policy().name().toLowerCase(Locale.ROOT);
        return retention.policy() == Retention.Policy.REPLACE
                ? new RetentionInfo(policy, null, null, null, null)
                : new RetentionInfo(policy, retention.window(), retention.pinned(), retention.axis(), retention.grows());
    }
}
