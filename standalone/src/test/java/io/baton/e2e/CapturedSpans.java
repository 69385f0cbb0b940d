package io.baton.e2e;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An extra source for a service started in the test's JVM ({@code spring.main.sources}): a span
 * exporter, which Spring Boot's OpenTelemetry configuration adds to the service's tracer next to
 * any other, keeping every span the service ends. Spans of all services land in one list, each
 * naming its service ({@code service.name}, from {@code spring.application.name}).
 */
@Configuration(proxyBeanMethods = false)
public class CapturedSpans {

    static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");

    private static final ConcurrentLinkedQueue<SpanData> SPANS = new ConcurrentLinkedQueue<>();

    @Bean
    SpanExporter capturingSpanExporter() {
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                SPANS.addAll(spans);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
    }

    /** The spans of trace {@code traceId} ended so far, by any service. */
    static List<SpanData> of(String traceId) {
        return SPANS.stream().filter(span -> span.getTraceId().equals(traceId)).toList();
    }

    /** The services ({@code service.name}) with a span in {@code spans}. */
    static List<String> services(List<SpanData> spans) {
        return spans.stream().map(span -> span.getResource().getAttribute(SERVICE)).distinct().sorted().toList();
    }
}
