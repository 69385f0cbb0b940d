package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.state.DType;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.state.Tensor;
import io.baton.memory.Checkpoints;
import io.baton.memory.encoding.ZstdFrames;
import io.baton.memory.store.DocumentKey;
import io.baton.protocol.BatonHeaders;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;

/**
 * The API with zstd and f16 downcast on: clients get F32 back within the documented bound, other
 * dtypes bit exact, repeats stay idempotent, and the store holds the smaller encoding.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "baton.store.kind=memory",
        "baton.encoding.compression=zstd",
        "baton.encoding.downcast=f16"})
@AutoConfigureWebTestClient
class MemoryApiEncodingTest extends ApiTestSupport {

    @Test
    void aDowncastCompressedCheckpointReadsBackWithinTheBound() {
        StateContainer container = Checkpoints.container(Checkpoints.metadata(tenant, "doc", 0), 3, 8192);
        byte[] bytes = Checkpoints.bytes(container);

        put("doc", 0, bytes).expectStatus().isCreated()
                .expectHeader().valueEquals(BatonHeaders.EXACT, "false")
                .expectBody().jsonPath("$.bytes").isEqualTo(bytes.length);
        byte[] stored = store.checkpoint(new DocumentKey(tenant, "doc"), 0).block().stored();
        assertThat(ZstdFrames.isFrame(stored)).isTrue();
        assertThat(storedHead("doc").storedBytes()).isEqualTo(stored.length).isLessThan(bytes.length);

        byte[] read = client.get().uri(checkpointUri("doc", 0)).header(RequestIds.TENANT_HEADER, tenant).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        StateContainer back = StateCodec.read(ByteBuffer.wrap(read));
        assertThat(back.metadata()).isEqualTo(container.metadata());
        for (Tensor original : container.tensors()) {
            Tensor got = back.tensor(original.name()).orElseThrow();
            if (original.dtype() != DType.F32) {
                assertThat(got).isEqualTo(original);
                continue;
            }
            assertThat(got.dtype()).isEqualTo(DType.F32);
            FloatBuffer want = original.data().asFloatBuffer();
            FloatBuffer have = got.data().asFloatBuffer();
            while (want.hasRemaining()) {
                float expected = want.get();
                double error = Math.abs(have.get() - (double) expected);
                assertThat(error).isLessThanOrEqualTo(Math.max(Math.abs(expected) * 0x1.0p-11, 0x1.0p-25));
            }
        }

        // a retry of the same upload still compares equal to what is stored
        put("doc", 0, bytes).expectStatus().isOk();
        assertThat(storedHead("doc").version()).isEqualTo(1);
    }

    @Test
    void aForkOfAnEncodedCheckpointNamesItsDocument() {
        writeUpTo("doc", 0);
        client.post().uri(checkpointUri("doc", 0) + "/fork").header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"to\":\"copy\"}").exchange()
                .expectStatus().isCreated();
        byte[] stored = store.checkpoint(new DocumentKey(tenant, "copy"), 0).block().stored();
        assertThat(ZstdFrames.isFrame(stored)).isTrue();
        byte[] read = client.get().uri(checkpointUri("copy", 0)).header(RequestIds.TENANT_HEADER, tenant).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        StateContainer back = StateCodec.read(ByteBuffer.wrap(read));
        assertThat(back.metadata()).containsEntry("baton.document", "copy").doesNotContainKey("baton.downcast");
        assertThat(back.tensor("present_ssm.0").orElseThrow().dtype()).isEqualTo(DType.F32);
    }
}
