package io.baton.reliability.fuzz;

import io.baton.protocol.Ids;
import io.baton.protocol.inference.SegmentRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of inference's {@code POST /v1/segments} as the service reads it: Spring Boot's
 * auto-configured {@link JsonMapper} (the inference service adds no customisation of its own)
 * in WebFlux's {@link JacksonJsonDecoder} with the default 256 KB limit, then Bean Validation of
 * the {@link SegmentRequest} record, as {@code @Valid @RequestBody} does. Typed: {@link
 * DecodingException} (unreadable JSON or a value that does not fit the record: 400
 * {@code malformed-request}/{@code invalid-request}), an empty body (400), and constraint
 * violations (400 {@code invalid-request}). Anything else thrown is a finding, and so is a request
 * that passes validation without what {@code SegmentService} relies on: a document id of the
 * pattern, a segment number of at least 0, token ids, and a list of sentence spans without null
 * entries.
 */
public final class SegmentRequestFuzz {

    private static JacksonJsonDecoder decoder;
    private static Validator validator;
    private static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;
    private static final ResolvableType TYPE = ResolvableType.forClass(SegmentRequest.class);

    /** Only the auto-configurations whose beans read a request body: Jackson and validation. */
    @ImportAutoConfiguration({JacksonAutoConfiguration.class, ValidationAutoConfiguration.class})
    static class Reading {
    }

    private SegmentRequestFuzz() {
    }

    /** Jazzer calls this once before the first input. */
    public static void fuzzerInitialize() {
        SpringApplication application = new SpringApplication(Reading.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setLogStartupInfo(false);
        ConfigurableApplicationContext context = application.run("--spring.main.banner-mode=off",
                "--logging.level.root=WARN");
        decoder = new JacksonJsonDecoder(context.getBean(JsonMapper.class));
        validator = context.getBean(Validator.class);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        if (decoder == null) {
            fuzzerInitialize();
        }
        SegmentRequest request;
        try {
            request = (SegmentRequest) decoder.decodeToMono(Flux.just(BUFFERS.wrap(data)), TYPE,
                    MediaType.APPLICATION_JSON, Map.of()).block();
        } catch (DecodingException typed) {
            return;
        }
        if (request == null) {
            return;
        }
        Set<ConstraintViolation<SegmentRequest>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            return;
        }
        if (request.document() == null || !request.document().matches(Ids.DOCUMENT_PATTERN)) {
            throw new IllegalStateException("a valid request with document " + request.document());
        }
        if (request.segment() == null || request.segment() < 0) {
            throw new IllegalStateException("a valid request with segment " + request.segment());
        }
        if (request.tokens() == null) {
            throw new IllegalStateException("a valid request without tokens");
        }
        if (request.sentences() == null || request.sentences().stream().anyMatch(span -> span == null)) {
            throw new IllegalStateException("a valid request whose sentence spans hold null: " + request.sentences());
        }
    }
}
