package io.baton.inference.segments;

import io.baton.inference.models.SegmentModel;

/** Finds a loaded model by id, or the default model for a null id; fails for an unknown id. */
@FunctionalInterface
public interface ModelLookup {

    SegmentModel model(String id);
}
