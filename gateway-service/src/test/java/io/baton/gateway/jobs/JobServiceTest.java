package io.baton.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.jobs.queue.InProcessJobQueue;
import io.baton.gateway.jobs.store.InMemoryJobStore;
import io.baton.gateway.jobs.store.JobStatus;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Submission as a client sees it: what is refused at once (naming the line), what is accepted,
 * idempotency, and that a job is published. The store and queue are the standalone ones (no
 * consumer runs here: the requests stay queued).
 */
class JobServiceTest {

    private final Clock clock = Clock.systemUTC();
    private final GatewayProperties.Jobs settings = new GatewayProperties.Jobs(1, 1, Duration.ofDays(7),
            Duration.ofSeconds(30), Duration.ofMinutes(5), 5, Duration.ofSeconds(5), Duration.ofSeconds(30),
            Duration.ofSeconds(60), 3, 100, Duration.ofSeconds(10), Duration.ofSeconds(1));
    private final InProcessJobQueue queue = new InProcessJobQueue(100, 1, 5, clock);
    private final JobService jobs = new JobService(new InMemoryJobStore(clock), queue, settings, clock);

    @Test
    void anNdjsonBodyBecomesAJobWithOneMessagePerRequest() {
        JobService.Submission submission = jobs.submitLines("t", """
                {"customId": "a", "text": "One. Two."}

                {"customId": "b", "text": "", "sentences": 2, "model": "m", "mode": "abstractive"}
                """, null, "r1", null).block();

        assertThat(submission.created()).isTrue();
        assertThat(submission.job().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(submission.job().counts().total()).isEqualTo(2);
        assertThat(queue.depth().waiting()).isEqualTo(2);
        // An empty text is well-formed: it gets its error result when it runs, not a 400 now.
        assertThat(jobs.find("t", submission.job().id()).block().counts().total()).isEqualTo(2);
    }

    @Test
    void aMalformedLineIsRefusedNamingItsLine() {
        assertInvalid("{\"customId\": \"a\", \"text\": \"x\"}\n{\"customId\": \"b\", \"text\": \n", 2, "not JSON");
        assertInvalid("{\"customId\": \"a\", \"text\": \"x\"}\n[1, 2]\n", 2, "a request is a JSON object");
        assertInvalid("{\"text\": \"x\"}\n", 1, "\"customId\" is missing");
        assertInvalid("{\"customId\": \"a\"}\n", 1, "\"text\" is missing");
        assertInvalid("{\"customId\": \"a\", \"text\": 5}\n", 1, "\"text\" must be a string");
        assertInvalid("{\"customId\": \"a\", \"text\": \"x\", \"sentences\": 0}\n", 1, "positive integer");
        assertInvalid("{\"customId\": \"a\", \"text\": \"x\"}\n{\"customId\": \"a\", \"text\": \"y\"}\n", 2,
                "used twice");
        assertThat(queue.depth().waiting()).isZero();
    }

    @Test
    void aJobWithNoRequestsOrTooManyIsRefused() {
        assertThatThrownBy(() -> jobs.submitLines("t", "\n\n", null, null, null).block())
                .isInstanceOf(InvalidJobRequestException.class).hasMessageContaining("no requests");
        String four = "{\"customId\": \"a\", \"text\": \"x\"}\n{\"customId\": \"b\", \"text\": \"x\"}\n"
                + "{\"customId\": \"c\", \"text\": \"x\"}\n{\"customId\": \"d\", \"text\": \"x\"}\n";
        assertThatThrownBy(() -> jobs.submitLines("t", four, null, null, null).block())
                .isInstanceOf(InvalidJobRequestException.class).hasMessageContaining("more than 3");
    }

    @Test
    void aJsonBodyCarriesMetadataAndNamesABadRequestByItsPosition() {
        JobService.Submission submission = jobs.submitJson("t", """
                {"requests": [{"customId": "a", "text": "x"}], "metadata": {"batch": "nightly", "n": 1}}
                """, null, null, null).block();
        assertThat(submission.job().metadata().get("batch").asString()).isEqualTo("nightly");

        assertThatThrownBy(() -> jobs.submitJson("t", "{\"requests\": [{\"customId\": \"a\", \"text\": \"x\"}, {}]}",
                null, null, null).block())
                .isInstanceOf(InvalidJobRequestException.class)
                .satisfies(e -> assertThat(((InvalidJobRequestException) e).properties()).containsEntry("line", 2));
        assertThatThrownBy(() -> jobs.submitJson("t", "{\"requests\": []", null, null, null).block())
                .isInstanceOf(InvalidJobRequestException.class);
        assertThatThrownBy(() -> jobs.submitJson("t", "{\"requests\": [], \"metadata\": [1]}", null, null, null).block())
                .isInstanceOf(InvalidJobRequestException.class).hasMessageContaining("metadata");
    }

    @Test
    void theSameIdempotencyKeyAndBodyAnswerTheSameJobAndAnotherBodyIs422() {
        String body = "{\"customId\": \"a\", \"text\": \"One.\"}\n";
        JobService.Submission first = jobs.submitLines("t", body, "key-1", null, null).block();
        JobService.Submission again = jobs.submitLines("t", body, "key-1", null, null).block();

        assertThat(again.created()).isFalse();
        assertThat(again.job().id()).isEqualTo(first.job().id());
        assertThat(queue.depth().waiting()).as("a repeat publishes nothing").isEqualTo(1);
        assertThatThrownBy(() -> jobs.submitLines("t", "{\"customId\": \"a\", \"text\": \"Two.\"}\n", "key-1", null,
                null).block()).isInstanceOf(IdempotencyKeyReusedException.class);
        // Keys are the tenant's own: another tenant's same key makes another job.
        assertThat(jobs.submitLines("u", body, "key-1", null, null).block().job().id()).isNotEqualTo(first.job().id());
    }

    @Test
    void anotherTenantsJobIsNotFound() {
        String id = jobs.submitLines("t", "{\"customId\": \"a\", \"text\": \"One.\"}\n", null, null, null).block()
                .job().id();
        assertThatThrownBy(() -> jobs.find("u", id).block()).isInstanceOf(JobNotFoundException.class);
        assertThatThrownBy(() -> jobs.results("u", id).collectList().block()).isInstanceOf(JobNotFoundException.class);
        assertThatThrownBy(() -> jobs.cancel("u", id).block()).isInstanceOf(JobNotFoundException.class);
        assertThatThrownBy(() -> jobs.delete("u", id).block()).isInstanceOf(JobNotFoundException.class);
        assertThat(jobs.list("u", null, 10).block().jobs()).isEmpty();
        assertThat(jobs.find("t", id).block().id()).isEqualTo(id);
    }

    @Test
    void cancellingAQueuedJobCancelsEveryRequestAtOnce() {
        String id = jobs.submitLines("t", "{\"customId\": \"a\", \"text\": \"One.\"}\n{\"customId\": \"b\", \"text\": \"Two.\"}\n",
                null, null, null).block().job().id();
        JobView cancelled = jobs.cancel("t", id).block();

        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.counts().cancelled()).isEqualTo(2);
        assertThat(jobs.results("t", id).collectList().block())
                .allSatisfy(line -> assertThat(line).contains("urn:baton:problem:job-cancelled").endsWith("\n"))
                .hasSize(2);
    }

    private void assertInvalid(String body, int line, String message) {
        assertThatThrownBy(() -> jobs.submitLines("t", body, null, null, null).block())
                .isInstanceOf(InvalidJobRequestException.class)
                .hasMessageContaining("line " + line + ":")
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((InvalidJobRequestException) e).properties()).containsEntry("line", line));
    }
}
