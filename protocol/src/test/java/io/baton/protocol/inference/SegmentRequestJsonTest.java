package io.baton.protocol.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A segment's priority on the wire: the HTTP client sends it as {@code "interactive"} or {@code
 * "batch"}, and the body reads back, through WebFlux's Jackson decoder as inference reads it, as
 * the same priority; a body without one (a gateway that predates it) reads as interactive, and a
 * priority of another name is a body that does not fit the record.
 */
class SegmentRequestJsonTest {

    static final JacksonJsonDecoder DECODER = new JacksonJsonDecoder();

    final List<String> bodies = new CopyOnWriteArrayList<>();
    DisposableServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.disposeNow();
        }
    }

    @Test
    void theClientSendsThePriorityAndItReadsBackTheSame() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/v1/segments", (request, response) -> request.receive().aggregate()
                        .asString(StandardCharsets.UTF_8)
                        .flatMap(body -> {
                            bodies.add(body);
                            return response.header("Content-Type", "application/json")
                                    .sendString(Mono.just(HttpInferenceClientTest.OK)).then();
                        })))
                .bindNow();
        HttpInferenceClient client = HttpInferenceClientTest.client("http://127.0.0.1:" + server.port(), 0);
        SegmentRequest batch = new SegmentRequest("d", 0L, "m", new long[] {1, 2, 3}, List.of(new int[] {0, 3}), null,
                Priority.BATCH);
        client.process("t", batch).block(Duration.ofSeconds(20));
        client.process("t", HttpInferenceClientTest.REQUEST).block(Duration.ofSeconds(20));

        assertThat(bodies).hasSize(2);
        assertThat(bodies.get(0)).contains("\"priority\":\"batch\"");
        assertThat(bodies.get(1)).as("a request made without a priority").contains("\"priority\":\"interactive\"");
        SegmentRequest read = read(bodies.get(0));
        assertThat(read.priority()).isEqualTo(Priority.BATCH);
        assertThat(read.document()).isEqualTo("d");
        assertThat(read.tokens()).containsExactly(1, 2, 3);
        assertThat(read.sentences()).singleElement().satisfies(span -> assertThat(span).containsExactly(0, 3));
        assertThat(read(bodies.get(1)).priority()).isEqualTo(Priority.INTERACTIVE);
    }

    @Test
    void aBodyWithoutAPriorityOrWithANullOneIsInteractive() {
        String without = "{\"document\":\"d\",\"segment\":0,\"tokens\":[1,2,3]}";
        String withNull = "{\"document\":\"d\",\"segment\":0,\"tokens\":[1,2,3],\"priority\":null}";
        assertThat(read(without).priority()).isEqualTo(Priority.INTERACTIVE);
        assertThat(read(withNull).priority()).isEqualTo(Priority.INTERACTIVE);
        assertThat(read(without.replace("}", ",\"priority\":\"batch\"}")).priority()).isEqualTo(Priority.BATCH);
    }

    @Test
    void aPriorityOfAnotherNameDoesNotFitTheRecord() {
        for (String priority : List.of("urgent", "BATCH", "")) {
            assertThatThrownBy(() -> read("{\"document\":\"d\",\"segment\":0,\"tokens\":[1],\"priority\":\"" + priority
                    + "\"}")).as(priority).isInstanceOf(DecodingException.class);
        }
    }

    static SegmentRequest read(String json) {
        return (SegmentRequest) DECODER.decodeToMono(
                Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(json.getBytes(StandardCharsets.UTF_8))),
                ResolvableType.forClass(SegmentRequest.class), MediaType.APPLICATION_JSON, Map.of()).block();
    }
}
