package io.baton.contract;

import static io.baton.contract.Refusals.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.state.DType;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.testing.SpringServer;
import io.baton.common.testing.TestServers;
import io.baton.memory.MemoryServiceApplication;
import io.baton.memory.checkpoints.CheckpointService;
import io.baton.protocol.CheckpointMetadata;
import io.baton.protocol.problems.ServiceCallException;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.memory.HttpMemoryClient;
import io.baton.protocol.memory.KeptCheckpoint;
import io.baton.protocol.memory.MemoryClient;
import io.baton.protocol.memory.StoredHead;
import io.baton.protocol.memory.Written;
import io.baton.protocol.problems.ProblemType;
import io.baton.standalone.InProcessMemoryClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of {@link MemoryClient}, run against both adapters with one real memory service
 * behind them (Redis store, a tenant quota): {@link HttpMemoryClient} over HTTP and {@link
 * InProcessMemoryClient} over the same service's {@link CheckpointService}. Every answer is the
 * same through both: what is there, what is not, and each refusal with the same problem type,
 * status and extra members.
 */
class MemoryClientContractIT {

    /** Enough for three of the small checkpoints below, not for one large one. */
    static final int QUOTA = 200_000;
    /** The body limit: over the quota, so that a body between the two meets the quota first. */
    static final int MAX_BYTES = 400_000;

    static SpringServer memory;
    static HttpMemoryClient http;
    static InProcessMemoryClient inProcess;
    /** A memory service that keeps checkpoints downcast to F16 (lossy), and its two adapters. */
    static SpringServer lossy;
    static HttpMemoryClient httpLossy;
    static InProcessMemoryClient inProcessLossy;
    /** A memory service whose Redis is not there, and its two adapters. */
    static SpringServer storeDown;
    static HttpMemoryClient httpStoreDown;
    static InProcessMemoryClient inProcessStoreDown;

    @BeforeAll
    static void start() {
        memory = SpringServer.start(MemoryServiceApplication.class, Map.of("server.address", "127.0.0.1",
                "baton.store.kind", "redis", "baton.redis.url", TestServers.redisUrl(),
                "baton.limits.tenant-quota-bytes", Integer.toString(QUOTA),
                "baton.limits.max-checkpoint-bytes", Integer.toString(MAX_BYTES)));
        http = HttpMemoryClient.create(new ClientSettings(memory.baseUrl(), Duration.ofSeconds(5), 2,
                Duration.ofMillis(20), null, null, null), 64 * 1024 * 1024);
        inProcess = new InProcessMemoryClient(memory.bean(CheckpointService.class));

        lossy = SpringServer.start(MemoryServiceApplication.class, Map.of("server.address", "127.0.0.1",
                "baton.store.kind", "redis", "baton.redis.url", TestServers.redisUrl(),
                "baton.encoding.downcast", "f16"));
        httpLossy = HttpMemoryClient.create(new ClientSettings(lossy.baseUrl(), Duration.ofSeconds(5), 2,
                Duration.ofMillis(20), null, null, null), 64 * 1024 * 1024);
        inProcessLossy = new InProcessMemoryClient(lossy.bean(CheckpointService.class));

        storeDown = SpringServer.start(MemoryServiceApplication.class, Map.of("server.address", "127.0.0.1",
                "baton.store.kind", "redis", "baton.redis.url", "redis://127.0.0.1:" + ClosedPorts.one(),
                "baton.redis.timeout", "1s"));
        httpStoreDown = HttpMemoryClient.create(new ClientSettings(storeDown.baseUrl(), Duration.ofSeconds(5), 1,
                Duration.ofMillis(20), null, null, null), 64 * 1024 * 1024);
        inProcessStoreDown = new InProcessMemoryClient(storeDown.bean(CheckpointService.class));
    }

    @AfterAll
    static void stop() {
        for (SpringServer server : new SpringServer[] {storeDown, lossy, memory}) {
            if (server != null) {
                server.close();
            }
        }
    }

    static Stream<MemoryClient> adapters() {
        return Stream.of(http, inProcess);
    }

    /** A fresh tenant, so that cases and adapters never see each other's documents or quota. */
    static String tenant() {
        return "contract-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void aDocumentThatIsNotThereIsEmptyNotAnError(MemoryClient client) {
        String tenant = tenant();
        assertThat(client.head(tenant, "nothing").blockOptional(Duration.ofSeconds(10))).isEmpty();
        assertThat(client.checkpoint(tenant, "nothing", 0).blockOptional(Duration.ofSeconds(10))).isEmpty();
        assertThat(client.delete(tenant, "nothing").block(Duration.ofSeconds(10))).isFalse();
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void checkpointsAreStoredReadRepeatedAndDeleted(MemoryClient client) {
        String tenant = tenant();
        byte[] first = checkpoint(tenant, "doc", 0, "model-a", 1_000);
        Written written = client.put(tenant, "doc", 0, first, null).block(Duration.ofSeconds(10));
        assertThat(written.head().segment()).isZero();
        assertThat(written.head().model()).isEqualTo("model-a");
        assertThat(written.digest()).matches("[0-9a-f]{64}");
        assertThat(client.put(tenant, "doc", 0, first, null).block(Duration.ofSeconds(10)).head().segment())
                .as("an identical repeat is an idempotent success").isZero();
        assertThat(client.checkpoint(tenant, "doc", 0).block(Duration.ofSeconds(10))).isEqualTo(first);

        Written second = client.put(tenant, "doc", 1, checkpoint(tenant, "doc", 1, "model-a", 1_000), written.digest())
                .block(Duration.ofSeconds(10));
        StoredHead head = client.head(tenant, "doc").block(Duration.ofSeconds(10));
        assertThat(head).isEqualTo(second.head());
        assertThat(head.segment()).isEqualTo(1);
        assertThat(head.tokens()).isEqualTo(128);

        assertThat(client.delete(tenant, "doc").block(Duration.ofSeconds(10))).isTrue();
        assertThat(client.head(tenant, "doc").blockOptional(Duration.ofSeconds(10))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void aConditionalDeleteDeletesOnlyWhileTheHeadIsTheCheckpointItNames(MemoryClient client) {
        String tenant = tenant();
        Written zero = client.put(tenant, "doc", 0, checkpoint(tenant, "doc", 0, "model-a", 1_000), null)
                .block(Duration.ofSeconds(10));
        assertThat(zero.storedDigest()).isEqualTo(zero.digest());
        Written one = client.put(tenant, "doc", 1, checkpoint(tenant, "doc", 1, "model-a", 1_000), null)
                .block(Duration.ofSeconds(10));
        StoredHead head = client.head(tenant, "doc").block(Duration.ofSeconds(10));

        assertThat(client.delete(tenant, "doc", zero.storedDigest()).block(Duration.ofSeconds(10)))
                .as("the head has moved on from checkpoint 0").isFalse();
        assertThat(client.head(tenant, "doc").block(Duration.ofSeconds(10))).isEqualTo(head);
        assertThat(client.delete(tenant, "doc", one.storedDigest()).block(Duration.ofSeconds(10))).isTrue();
        assertThat(client.head(tenant, "doc").blockOptional(Duration.ofSeconds(10))).isEmpty();
        assertThat(client.delete(tenant, "doc", one.storedDigest()).block(Duration.ofSeconds(10)))
                .as("nothing left to delete").isFalse();

        // written again under the same id by another writer: the first writer's digest is not its head
        client.put(tenant, "doc", 0, checkpoint(tenant, "doc", 0, "model-a", 2_000), null).block(Duration.ofSeconds(10));
        StoredHead theirs = client.head(tenant, "doc").block(Duration.ofSeconds(10));
        assertThat(client.delete(tenant, "doc", zero.storedDigest()).block(Duration.ofSeconds(10))).isFalse();
        assertThat(client.head(tenant, "doc").block(Duration.ofSeconds(10))).isEqualTo(theirs);
    }

    static Stream<MemoryClient> adaptersOfALossyService() {
        return Stream.of(httpLossy, inProcessLossy);
    }

    @ParameterizedTest
    @MethodSource("adaptersOfALossyService")
    void aLossyStoreNamesNoParentDigestButStillTheStoredOneToDeleteBy(MemoryClient client) {
        String tenant = tenant();
        Written zero = client.put(tenant, "doc", 0, checkpoint(tenant, "doc", 0, "model-a", 1_000), null)
                .block(Duration.ofSeconds(10));
        assertThat(zero.digest()).as("no parent digest: the checkpoint does not read back exactly").isNull();
        assertThat(zero.storedDigest()).matches("[0-9a-f]{64}");
        assertThat(client.delete(tenant, "doc", "0".repeat(64)).block(Duration.ofSeconds(10))).isFalse();
        assertThat(client.delete(tenant, "doc", zero.storedDigest()).block(Duration.ofSeconds(10))).isTrue();
        assertThat(client.head(tenant, "doc").blockOptional(Duration.ofSeconds(10))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void aKeptCheckpointComesWithTheDigestItsPutReportedAndKeepsItsOrigin(MemoryClient client) {
        String tenant = tenant();
        assertThat(client.kept(tenant, "doc", 0).blockOptional(Duration.ofSeconds(10))).isEmpty();
        byte[] first = withOrigin(checkpoint(tenant, "doc", 0, "model-a", 1_000), "", "ab".repeat(32));
        Written written = client.put(tenant, "doc", 0, first, null).block(Duration.ofSeconds(10));

        KeptCheckpoint kept = client.kept(tenant, "doc", 0).block(Duration.ofSeconds(10));
        assertThat(kept.container()).as("the origin's metadata is stored as sent").isEqualTo(first);
        assertThat(kept.digest()).isEqualTo(written.digest());
        assertThat(client.put(tenant, "doc", 0, first, null).block(Duration.ofSeconds(10)).digest())
                .as("an identical repeat stays an idempotent success with the same digest").isEqualTo(written.digest());
        assertThat(client.put(tenant, "doc", 1, withOrigin(checkpoint(tenant, "doc", 1, "model-a", 1_000), kept.digest(),
                "ef".repeat(32)), kept.digest()).block(Duration.ofSeconds(10)).head().segment())
                .as("the digest read back is the parent a put of the next checkpoint names").isEqualTo(1);
        assertThat(client.kept(tenant, "doc", 5).blockOptional(Duration.ofSeconds(10))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void aSegmentOutOfOrderIsACheckpointConflictNamingTheNextOne(MemoryClient client) {
        String tenant = tenant();
        client.put(tenant, "doc", 0, checkpoint(tenant, "doc", 0, "model-a", 1_000), null).block(Duration.ofSeconds(10));
        ServiceCallException refused = refusal(client.put(tenant, "doc", 2,
                checkpoint(tenant, "doc", 2, "model-a", 1_000), null).then(), ProblemType.CHECKPOINT_CONFLICT);
        assertThat(refused.expectedSegment()).isEqualTo(1);
        assertThat(((Number) refused.properties().get("segment")).longValue()).isEqualTo(2);
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void anotherModelsStateIsAModelMismatch(MemoryClient client) {
        String tenant = tenant();
        client.put(tenant, "doc", 0, checkpoint(tenant, "doc", 0, "model-a", 1_000), null).block(Duration.ofSeconds(10));
        refusal(client.put(tenant, "doc", 1, checkpoint(tenant, "doc", 1, "model-b", 1_000), null).then(),
                ProblemType.MODEL_MISMATCH);
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void aParentThatIsNotTheKeptOneIsAParentMismatch(MemoryClient client) {
        String tenant = tenant();
        client.put(tenant, "doc", 0, checkpoint(tenant, "doc", 0, "model-a", 1_000), null).block(Duration.ofSeconds(10));
        refusal(client.put(tenant, "doc", 1, checkpoint(tenant, "doc", 1, "model-a", 1_000), "0".repeat(64)).then(),
                ProblemType.PARENT_MISMATCH);
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void aTenantOverItsQuotaIsRefusedWithItsUseAndQuota(MemoryClient client) {
        String tenant = tenant();
        ServiceCallException refused = refusal(client.put(tenant, "doc", 0,
                checkpoint(tenant, "doc", 0, "model-a", QUOTA), null).then(), ProblemType.QUOTA_EXCEEDED);
        assertThat(refused.status()).isEqualTo(507);
        assertThat(((Number) refused.properties().get("quota")).longValue()).isEqualTo(QUOTA);
        assertThat(refused.properties()).containsKey("used");
        assertThat(client.head(tenant, "doc").blockOptional(Duration.ofSeconds(10))).as("nothing stored").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void bytesThatAreNoStateContainerAreAStateFormatRefusal(MemoryClient client) {
        String tenant = tenant();
        ServiceCallException refused = refusal(client.put(tenant, "doc", 0, "not a container".getBytes(), null).then(),
                ProblemType.STATE_FORMAT);
        assertThat(refused.properties()).containsKey("reason");
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void aCheckpointOfAnotherTenantIsACheckpointMetadataRefusal(MemoryClient client) {
        String tenant = tenant();
        ServiceCallException refused = refusal(client.put(tenant, "doc", 0,
                checkpoint("someone-else", "doc", 0, "model-a", 1_000), null).then(), ProblemType.CHECKPOINT_METADATA);
        assertThat(refused.properties()).containsEntry("key", CheckpointMetadata.TENANT);
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void aMalformedDocumentIdIsAnInvalidId(MemoryClient client) {
        refusal(client.head(tenant(), "no spaces allowed").then(), ProblemType.INVALID_ID);
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void anEmptyBodyANegativeIndexAndABodyOverTheLimitAreRefusedAsOverHttp(MemoryClient client) {
        String tenant = tenant();
        refusal(client.put(tenant, "doc", 0, new byte[0], null).then(), ProblemType.EMPTY_BODY);
        refusal(client.put(tenant, "doc", -1, checkpoint(tenant, "doc", 0, "model-a", 1_000), null).then(),
                ProblemType.INVALID_SEGMENT);
        refusal(client.checkpoint(tenant, "doc", -1).then(), ProblemType.INVALID_SEGMENT);
        ServiceCallException tooLarge = refusal(client.put(tenant, "doc", 0,
                checkpoint(tenant, "doc", 0, "model-a", MAX_BYTES + 1_000), null).then(), ProblemType.PAYLOAD_TOO_LARGE);
        assertThat(((Number) tooLarge.properties().get("limit")).longValue()).isEqualTo(MAX_BYTES);
    }

    static Stream<MemoryClient> adaptersOfAServiceWhoseStoreIsDown() {
        return Stream.of(httpStoreDown, inProcessStoreDown);
    }

    @ParameterizedTest
    @MethodSource("adaptersOfAServiceWhoseStoreIsDown")
    void aStoreThatCannotBeReachedIsStoreUnavailable(MemoryClient client) {
        String tenant = tenant();
        ServiceCallException refused = refusal(client.put(tenant, "doc", 0, checkpoint(tenant, "doc", 0, "model-a", 1_000),
                null).then(), ProblemType.STORE_UNAVAILABLE);
        assertThat(refused.type().retryable()).isTrue();
        refusal(client.head(tenant, "doc").then(), ProblemType.STORE_UNAVAILABLE);
    }

    /** {@code checkpoint} with the origin metadata inference writes ({@code baton.parent_digest}, {@code baton.input_digest}). */
    static byte[] withOrigin(byte[] checkpoint, String parentDigest, String inputDigest) {
        StateContainer container = StateCodec.read(ByteBuffer.wrap(checkpoint)).toBuilder()
                .metadata(CheckpointMetadata.PARENT_DIGEST, parentDigest)
                .metadata(CheckpointMetadata.INPUT_DIGEST, inputDigest)
                .build();
        ByteBuffer file = StateCodec.write(container);
        byte[] out = new byte[file.remaining()];
        file.get(out);
        return out;
    }

    /** A valid checkpoint n of {@code model} for {@code tenant}/{@code document}, about {@code bytes} long. */
    static byte[] checkpoint(String tenant, String document, long segment, String model, int bytes) {
        int elements = Math.max(1, bytes / 4);
        ByteBuffer values = ByteBuffer.allocate(elements * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < elements; i++) {
            values.putFloat((float) Math.sin(i + segment));
        }
        StateContainer container = StateContainer.builder()
                .metadata(CheckpointMetadata.FORMAT, CheckpointMetadata.FORMAT_VERSION)
                .metadata(CheckpointMetadata.MODEL, model)
                .metadata(CheckpointMetadata.MODEL_DIGEST, "sha256:" + "cd".repeat(32))
                .metadata(CheckpointMetadata.TENANT, tenant)
                .metadata(CheckpointMetadata.DOCUMENT, document)
                .metadata(CheckpointMetadata.SEGMENT, Long.toString(segment))
                .metadata(CheckpointMetadata.TOKENS, Long.toString(64 * (segment + 1)))
                .metadata(CheckpointMetadata.RETENTION, "last:64")
                .tensor("present_ssm.0", DType.F32, new long[] {1, elements}, values.flip())
                .build();
        ByteBuffer file = StateCodec.write(container);
        byte[] out = new byte[file.remaining()];
        file.get(out);
        return out;
    }
}
