package io.baton.gateway.jobs;

import io.baton.gateway.jobs.store.JobStore;
import io.baton.gateway.summarize.SummaryResponse;
import io.baton.protocol.problems.BatonException;
import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.Problems;
import java.net.URI;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The lines of a job's results (NDJSON): {@code {"customId", "summary", "sentences"}} for a
 * summary, {@code {"customId", "error": {problem}}} for a request that failed or was given up. An
 * error's problem follows the gateway's rule for what leaves the platform: the catalogue's public
 * text where its detail is not public.
 */
final class ResultLines {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ResultLines() {
    }

    static String summary(String customId, SummaryResponse summary) {
        ObjectNode line = JSON.createObjectNode().put("customId", customId).put("summary", summary.summary());
        line.set("sentences", JSON.valueToTree(summary.sentences()));
        return JSON.writeValueAsString(line);
    }

    /** The line of a request that failed with {@code error}, as a problem of the request's job. */
    static String error(String customId, Throwable error, URI instance) {
        return error(customId, problem(error, instance));
    }

    static String error(String customId, String problemJson) {
        ObjectNode line = JSON.createObjectNode().put("customId", customId);
        line.set("error", JSON.readTree(problemJson));
        return JSON.writeValueAsString(line);
    }

    /** The line of a request given up because its job stopped. */
    static String cancelled(String customId, JobStore.Stop stop, URI instance) {
        ProblemType type = stop == JobStore.Stop.CANCEL ? ProblemType.JOB_CANCELLED : ProblemType.JOB_EXPIRED;
        String detail = stop == JobStore.Stop.CANCEL ? "the job was cancelled before this request finished"
                : "the job expired before this request finished";
        return error(customId, json(Problems.of(type, detail, instance)));
    }

    /** {@code error} as the problem JSON a client may see. */
    static String problem(Throwable error, URI instance) {
        ProblemDetail problem;
        if (error instanceof BatonException baton) {
            ProblemType type = baton.type();
            problem = Problems.of(type, type.publicDetail() ? baton.getMessage() : type.publicText(), instance);
            if (type.publicDetail()) {
                baton.properties().forEach(problem::setProperty);
            }
        } else {
            problem = Problems.of(ProblemType.INTERNAL_ERROR, ProblemType.INTERNAL_ERROR.publicText(), instance);
        }
        return json(problem);
    }

    /** A problem detail as RFC 9457 JSON: its members, and its properties beside them. */
    static String json(ProblemDetail problem) {
        ObjectNode node = JSON.createObjectNode()
                .put("type", String.valueOf(problem.getType()))
                .put("title", problem.getTitle())
                .put("status", problem.getStatus())
                .put("detail", problem.getDetail());
        if (problem.getInstance() != null) {
            node.put("instance", problem.getInstance().toString());
        }
        if (problem.getProperties() != null) {
            problem.getProperties().forEach((name, value) -> node.set(name, JSON.valueToTree(value)));
        }
        return JSON.writeValueAsString(node);
    }

    /** Whether {@code error} may pass if the request is tried again. */
    static boolean transientFailure(Throwable error) {
        return !(error instanceof BatonException baton) || baton.type().retryable();
    }
}
