package io.baton.gateway.openapi;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * Every error response in the description is an RFC 9457 problem, as every error of the gateway
 * is: the {@value #SCHEMA} schema, the responses any {@code /v1} operation can give (a malformed
 * or invalid request, a missing or invalid API key, a body too slow or over the limit, an internal
 * error), and
 * {@code application/problem+json} content for every 4xx and 5xx response, including those a
 * controller declares with only a description of its problem types.
 */
public final class ProblemResponses implements OpenApiCustomizer {

    /** The name of the problem schema under {@code components.schemas}. */
    public static final String SCHEMA = "Problem";

    private static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    private static final Map<String, String> COMMON = Map.of(
            "400", "malformed-request (unreadable JSON) or invalid-request (the errors member lists the fields)",
            "401", "missing-api-key or invalid-api-key: X-API-Key is required when the gateway has keys",
            "408", "request-timeout: the body did not arrive within the gateway's body read timeout",
            "413", "payload-too-large: the body is over the gateway's limit",
            "431", "headers-too-large: the header fields are over the gateway's limit",
            "500", "internal-error");

    @Override
    public void customise(OpenAPI api) {
        if (api.getComponents() == null) {
            api.setComponents(new Components());
        }
        api.getComponents().addSchemas(SCHEMA, problemSchema());
        if (api.getPaths() == null) {
            return;
        }
        api.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
            ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
            COMMON.forEach((code, description) -> {
                if (!responses.containsKey(code)) {
                    responses.addApiResponse(code, new ApiResponse().description(description));
                }
            });
            responses.forEach((code, response) -> {
                if (code.startsWith("4") || code.startsWith("5")) {
                    response.setContent(new Content().addMediaType(PROBLEM_JSON, new MediaType()
                            .schema(new Schema<>().$ref("#/components/schemas/" + SCHEMA))));
                }
            });
            operation.setResponses(responses);
        }));
    }

    private static Schema<?> problemSchema() {
        Map<String, Schema> properties = new LinkedHashMap<>();
        properties.put("type", typed("string").format("uri")
                .description("urn:baton:problem:<type>, the stable name of the failure")
                .example("urn:baton:problem:empty-text"));
        properties.put("title", typed("string").description("the type in words"));
        properties.put("status", typed("integer").format("int32").description("the HTTP status"));
        properties.put("detail", typed("string").description("what went wrong with this request"));
        properties.put("instance", typed("string").format("uri-reference").description("the request path"));
        return typed("object").properties(properties)
                .description("An RFC 9457 problem detail (application/problem+json). Some types add members, "
                        + "e.g. errors (invalid-request), expectedSegment (conflicts), limit (payload-too-large).");
    }

    /** A schema of one JSON type, for OpenAPI 3.0 ({@code type}) and 3.1 ({@code types}) alike. */
    private static Schema<Object> typed(String type) {
        Schema<Object> schema = new Schema<>();
        schema.setType(type);
        schema.setTypes(Set.of(type));
        return schema;
    }
}
