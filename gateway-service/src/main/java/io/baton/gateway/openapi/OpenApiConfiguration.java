package io.baton.gateway.openapi;

import io.baton.gateway.access.ApiKeyFilter;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The description's header (title, version), the API key scheme applied to every operation, and
 * problem details as every operation's error responses ({@link ProblemResponses}).
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    /** The name of the security scheme in the description. */
    public static final String API_KEY_SCHEME = "apiKey";

    @Bean
    OpenAPI batonOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Baton gateway API").version("v1")
                        .description("Long documents through hybrid attention models: summaries and documents whose "
                                + "context carries across segments and calls. Errors are RFC 9457 problem details "
                                + "(application/problem+json, type urn:baton:problem:<type>)."))
                .components(new Components().addSecuritySchemes(API_KEY_SCHEME, new SecurityScheme()
                        .type(SecurityScheme.Type.APIKEY).in(SecurityScheme.In.HEADER).name(ApiKeyFilter.HEADER)
                        .description("The key of a tenant (baton.access.api-keys). Not needed when the gateway "
                                + "runs open: standalone on localhost, or baton.access.open=true.")))
                .addSecurityItem(new SecurityRequirement().addList(API_KEY_SCHEME));
    }

    @Bean
    ProblemResponses problemResponses() {
        return new ProblemResponses();
    }
}
