/**
 * Errors as RFC 9457 problem details: one advice maps every {@link
 * io.baton.inference.InferenceException} (status and stable {@code type} from the exception) and
 * every framework error (malformed JSON, validation, media type, unknown route) to {@code
 * application/problem+json} with {@code type} {@code urn:baton:problem:<type>}.
 */
package io.baton.inference.problems;
