package io.baton.gateway;

import io.baton.protocol.Ids;
import io.baton.protocol.access.ServiceToken;
import io.baton.protocol.client.BreakerSettings;
import io.baton.protocol.client.ClientSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.util.unit.DataSize;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the gateway (prefix {@code baton}; environment variables by relaxed binding,
 * e.g. {@code BATON_INFERENCE_URL}, {@code BATON_PIPELINE_CONCURRENCY}). The {@code models} keys
 * are the same ones the inference service reads, so both agree on where the models are.
 *
 * @param mode       {@code distributed} (the default: inference over HTTP) or {@code standalone}
 *                   (inference in the same JVM; set by {@code BatonStandalone})
 * @param models     where the model folders are (the gateway reads their {@code tokenizer.json})
 * @param segmenting how texts are cut into segments
 * @param pipeline   how documents run through inference
 * @param limits     what one tenant may run at once and per second, and how long a request may
 *                   take (docs/reliability.md, "Gateway: admission, limits and deadlines")
 * @param summaries  defaults of {@code POST /v1/summaries}
 * @param inference  the inference service, in distributed mode
 * @param memory     the memory service, in distributed mode (the documents API reads heads and
 *                   checkpoints and deletes documents there)
 * @param access     who may call {@code /v1/**} (API keys and their tenants)
 * @param serviceToken the platform's service token ({@code BATON_SERVICE_TOKEN}), sent to the
 *                   inference and memory services in distributed mode as {@code Authorization:
 *                   Bearer} (docs/protocol.md, "Service credentials"); null for none
 * @param jobs       batch jobs (docs/jobs.md)
 * @param redis      the Redis that holds the jobs ({@code BATON_REDIS_URL}, the state's Redis;
 *                   none: jobs live in this JVM's memory)
 * @param rabbitmq   the RabbitMQ that carries the jobs' work ({@code BATON_RABBITMQ_URL}), used
 *                   with the Redis job store only; otherwise an in-process queue
 */
@ConfigurationProperties("baton")
public record GatewayProperties(@DefaultValue("distributed") String mode, @DefaultValue Models models,
                                @DefaultValue Segmenting segmenting, @DefaultValue Pipeline pipeline,
                                @DefaultValue Limits limits,
                                @DefaultValue Summaries summaries, @DefaultValue Inference inference,
                                @DefaultValue Memory memory,
                                @DefaultValue Access access, ServiceToken serviceToken,
                                @DefaultValue Jobs jobs, @DefaultValue Redis redis, @DefaultValue Rabbitmq rabbitmq) {

    public GatewayProperties {
        if (!mode.equals("distributed") && !mode.equals("standalone")) {
            throw new IllegalArgumentException("baton.mode must be distributed or standalone, got " + mode);
        }
    }

    /** Whether inference runs in this JVM. */
    public boolean standalone() {
        return mode.equals("standalone");
    }

    /**
     * The model folders ({@code BATON_MODELS_DIR}; by default the nearest {@code models/zoo} at
     * or above the working directory) and the model a request without one gets ({@code
     * BATON_DEFAULT_MODEL}; blank means {@value #DEFAULT_MODEL}).
     */
    public record Models(Path dir, String defaultModel) {

        /** The inference service's CPU default (its {@code InferenceProperties.Models.CPU_DEFAULT}). */
        public static final String DEFAULT_MODEL = "jamba-medium";

        public Models {
            dir = dir == null ? findZoo(Path.of("").toAbsolutePath()) : dir;
            defaultModel = defaultModel == null || defaultModel.isBlank() ? DEFAULT_MODEL : defaultModel.strip();
        }

        static Path findZoo(Path from) {
            for (Path at = from; at != null; at = at.getParent()) {
                Path zoo = at.resolve("models").resolve("zoo");
                if (Files.isDirectory(zoo)) {
                    return zoo;
                }
            }
            return Path.of("models", "zoo");
        }
    }

    /**
     * How texts are cut into segments: the longest segment in tokens ({@code
     * BATON_SEGMENTING_MAXTOKENS}; see docs/gateway.md for why 256) and where segments end ({@code
     * BATON_SEGMENTING_CUT}: {@code exact}, the default, every segment but a text's last holds
     * exactly {@code maxTokens} tokens so that segments of different documents batch together;
     * {@code sentence}, segments end at sentence ends where they can). The cut is a name here, read
     * by {@code segmenting.Cut#named} where segmenters are made (this package does not depend on
     * the packages it configures).
     */
    public record Segmenting(@DefaultValue("" + Segmenting.DEFAULT_MAX_TOKENS) int maxTokens,
                             @DefaultValue("exact") String cut) {

        /**
         * The default maximum segment length, in tokens. Chosen from the zoo throughput
         * measurements; {@code docs/gateway.md} (section "Segmenting") says why.
         */
        public static final int DEFAULT_MAX_TOKENS = 256;

        public Segmenting {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("baton.segmenting.max-tokens must be at least 1, got " + maxTokens);
            }
            cut = cut == null ? "exact" : cut;
        }
    }

    /**
     * The per-document pipeline: at most {@code concurrency} documents run at once
     * ({@code BATON_PIPELINE_CONCURRENCY}); at most {@code maxWaiting} more wait their turn
     * ({@code BATON_PIPELINE_MAXWAITING}), each for at most {@code maxWait} ({@code
     * BATON_PIPELINE_MAXWAIT}). A document that finds the queue full, or waited that long, is
     * refused with 503 {@code service-busy} and {@code Retry-After}: each waiter holds its whole
     * text, so the queue is what bounds the gateway's memory under a flood. Each document has up
     * to {@code segmentsInFlight} segments at inference at once ({@code
     * BATON_PIPELINE_SEGMENTSINFLIGHT}, default 2; pipelined segments, docs/reliability.md): with
     * 2, inference runs segment n+1 while it stores checkpoint n (2.3-2.7x the tokens/s of 1 for
     * one document on the H200, docs/performance.md); 1 sends n+1 only once n is stored.
     */
    public record Pipeline(@DefaultValue("4") int concurrency, @DefaultValue("64") int maxWaiting,
                           @DefaultValue("30s") Duration maxWait, @DefaultValue("2") int segmentsInFlight) {

        public Pipeline {
            if (concurrency < 1) {
                throw new IllegalArgumentException("baton.pipeline.concurrency must be at least 1, got " + concurrency);
            }
            if (segmentsInFlight < 1) {
                throw new IllegalArgumentException("baton.pipeline.segments-in-flight must be at least 1, got "
                        + segmentsInFlight);
            }
            if (maxWaiting < 0 || maxWait.isNegative()) {
                throw new IllegalArgumentException("baton.pipeline: max-waiting and max-wait must not be negative, got "
                        + maxWaiting + " and " + maxWait);
            }
        }
    }

    /**
     * Admission of the requests that run documents (summaries, ingest, append, generate), per
     * tenant: at most {@code tenantConcurrency} at once ({@code BATON_LIMITS_TENANTCONCURRENCY};
     * one more is 429 {@code tenant-busy}); a token bucket of {@code tokensPerSecond} ({@code
     * BATON_LIMITS_TOKENSPERSECOND}, 0 = no rate limit) holding at most {@code tokenBurst} ({@code
     * BATON_LIMITS_TOKENBURST}; 0 = 60 seconds of the rate), over which a request is 429 {@code
     * rate-limited}; and a deadline of {@code requestTimeout} ({@code BATON_LIMITS_REQUESTTIMEOUT})
     * for each such request, after which it ends 504 {@code deadline-exceeded} (2 hours: a 16 MB
     * summary with the default model takes about an hour on a 2-core CPU, docs/reliability.md). {@code
     * headerReadTimeout} ({@code BATON_LIMITS_HEADERREADTIMEOUT}) bounds how long the server waits
     * for a request's line and headers (then the connection is closed), {@code bodyReadTimeout}
     * ({@code BATON_LIMITS_BODYREADTIMEOUT}) how long it reads one request's body (a client that
     * trickles it is answered 408 and its connection closed).
     */
    public record Limits(@DefaultValue("16") int tenantConcurrency, @DefaultValue("0") long tokensPerSecond,
                         @DefaultValue("0") long tokenBurst, @DefaultValue("2h") Duration requestTimeout,
                         @DefaultValue("30s") Duration headerReadTimeout,
                         @DefaultValue("120s") Duration bodyReadTimeout,
                         @DefaultValue("16KB") DataSize maxHeaderSize) {

        public Limits {
            if (tenantConcurrency < 1 || tokensPerSecond < 0 || tokenBurst < 0) {
                throw new IllegalArgumentException("baton.limits: tenant-concurrency >= 1, tokens-per-second >= 0 and "
                        + "token-burst >= 0 are required, got " + tenantConcurrency + ", " + tokensPerSecond + ", "
                        + tokenBurst);
            }
            if (requestTimeout.compareTo(Duration.ZERO) <= 0 || headerReadTimeout.compareTo(Duration.ZERO) <= 0
                    || bodyReadTimeout.compareTo(Duration.ZERO) <= 0) {
                throw new IllegalArgumentException("baton.limits: request-timeout, header-read-timeout and "
                        + "body-read-timeout must be positive, got " + requestTimeout + ", " + headerReadTimeout + " and "
                        + bodyReadTimeout);
            }
            if (maxHeaderSize.toBytes() < 1024) {
                throw new IllegalArgumentException("baton.limits.max-header-size must be at least 1KB, got " + maxHeaderSize);
            }
            if (tokenBurst == 0) {
                tokenBurst = tokensPerSecond * 60;
            }
        }

        /** Whether tokens per second are limited. */
        public boolean rateLimited() {
            return tokensPerSecond > 0;
        }
    }

    /**
     * {@code POST /v1/summaries}: the number of sentences when a request names neither sentences
     * nor words; how extractive selection weighs (docs/gateway.md#summaries): MMR's {@code lambda}
     * (1 = relevance only, 0 = novelty only), the share of the sentences' words (TF-IDF) in
     * relevance next to the model's sentence vectors ({@code lexicalWeight}, 0 = the model's
     * vectors only), the preference for longer sentences ({@code lengthWeight}, 0 = none); and the
     * fewest words a sentence needs to be a candidate (shorter ones, headings and back-channel
     * turns say, are picked only when nothing else is left). The defaults were tuned on SQuALITY
     * dev and QMSum val (docs/quality.md). {@code maxCandidates}: the most sentences selection
     * keeps in memory (a document with more is cut to its best half whenever the pool is full:
     * docs/gateway.md#summaries); the default holds every document of the evaluation sets (at
     * most 1,596 sentences), so they get exactly the selection over all their sentences.
     * {@code selector}: how relevance is scored ({@link #SELECTORS}): {@code auto} the model's learned
     * selector where its folder has one ({@code selector.json}, docs/quality.md#the-learned-selector),
     * with the {@code lambda} it was chosen with, else the centrality mix above; {@code learned} the
     * learned one, and a summary with a model that has none fails; {@code centrality} the mix always.
     */
    public record Summaries(@DefaultValue("5") int sentences, @DefaultValue("0.3") double lambda,
                            @DefaultValue("12") int minWords, @DefaultValue("0.5") double lexicalWeight,
                            @DefaultValue("0.25") double lengthWeight, @DefaultValue Abstractive abstractive,
                            @DefaultValue("2048") int maxCandidates, @DefaultValue("auto") String selector) {

        /** The values of {@code baton.summaries.selector}. */
        public static final List<String> SELECTORS = List.of("auto", "learned", "centrality");

        public Summaries {
            if (sentences < 1 || minWords < 0 || lambda < 0 || lambda > 1 || lexicalWeight < 0 || lexicalWeight > 1
                    || lengthWeight < 0 || maxCandidates < 2) {
                throw new IllegalArgumentException("baton.summaries: sentences >= 1, min-words >= 0, "
                        + "0 <= lambda <= 1, 0 <= lexical-weight <= 1, length-weight >= 0 and max-candidates >= 2"
                        + " are required");
            }
            if (!SELECTORS.contains(selector)) {
                throw new IllegalArgumentException("baton.summaries.selector '" + selector + "' is none of " + SELECTORS);
            }
        }
    }

    /**
     * Abstractive summaries: after the document, {@code prompt} is run from its final state and
     * up to {@code tokensPerWord} tokens per requested word (or {@code tokensPerSentence} per
     * requested sentence) are generated greedily, never more than {@code maxTokens} (at most the
     * inference service's {@code baton.generation.max-tokens}).
     */
    public record Abstractive(@DefaultValue("\n\nSummary:") String prompt, @DefaultValue("8") int tokensPerWord,
                              @DefaultValue("160") int tokensPerSentence, @DefaultValue("512") int maxTokens) {

        public Abstractive {
            prompt = prompt.translateEscapes();
            if (prompt.isEmpty() || tokensPerWord < 1 || tokensPerSentence < 1 || maxTokens < 1) {
                throw new IllegalArgumentException("baton.summaries.abstractive: a prompt, and tokens-per-word, "
                        + "tokens-per-sentence and max-tokens of at least 1 are required");
            }
        }
    }

    /**
     * The inference service in distributed mode: base {@code url} ({@code BATON_INFERENCE_URL}),
     * a {@code timeout} per segment call, and how many times a transient failure (connection
     * refused, 502/503/504, a timeout) is retried, after {@code retryBackoff} doubling up to
     * {@code maxBackoff} (with jitter). The defaults (8 retries, 200ms to 5s) wait about 20s in
     * all, long enough to ride out a restart of an inference instance. The whole call, retries
     * included, runs inside the {@code circuitBreaker} ({@link BreakerSettings}: it answers 503 at
     * once while open; opens at 50% of 20 calls for 10s, 3 trial calls, unless set). For an {@code
     * https://} url, {@code sslBundle} ({@code BATON_INFERENCE_SSLBUNDLE}) names the SSL bundle
     * ({@code spring.ssl.bundle.*}) with the client certificate to present and the CA to trust.
     */
    public record Inference(@DefaultValue("http://127.0.0.1:8081") String url,
                            @DefaultValue("60s") Duration timeout,
                            @DefaultValue("8") int retries,
                            @DefaultValue("200ms") Duration retryBackoff,
                            @DefaultValue("5s") Duration maxBackoff,
                            @DefaultValue BreakerSettings circuitBreaker,
                            String sslBundle) {

        public Inference {
            if (retries < 0) {
                throw new IllegalArgumentException("baton.inference.retries must not be negative, got " + retries);
            }
            if (retryBackoff.isNegative() || maxBackoff.compareTo(retryBackoff) < 0) {
                throw new IllegalArgumentException("baton.inference: 0 <= retry-backoff <= max-backoff is required, got "
                        + retryBackoff + " and " + maxBackoff);
            }
        }

        /** These settings as the inference client takes them. */
        public ClientSettings client() {
            return new ClientSettings(url, timeout, retries, retryBackoff, maxBackoff, circuitBreaker, null);
        }
    }

    /**
     * The memory service in distributed mode: base {@code url} ({@code BATON_MEMORY_URL}), a
     * {@code timeout} per call, {@code retries} of transient failures after {@code retryBackoff}
     * (doubling), and a circuit breaker that opens at half of the last 20 calls failing (10 at
     * least) and stays open for {@code breakerOpenFor}. For an {@code https://} url, {@code
     * sslBundle} ({@code BATON_MEMORY_SSLBUNDLE}) names the SSL bundle with the client certificate
     * to present and the CA to trust.
     */
    public record Memory(@DefaultValue("http://127.0.0.1:8082") String url,
                         @DefaultValue("5s") Duration timeout,
                         @DefaultValue("2") int retries,
                         @DefaultValue("100ms") Duration retryBackoff,
                         @DefaultValue("10s") Duration breakerOpenFor,
                         String sslBundle) {

        public Memory {
            if (retries < 0) {
                throw new IllegalArgumentException("baton.memory.retries must not be negative, got " + retries);
            }
        }

        /** These settings as the memory client takes them: its breaker opens at half of 20 calls (10 at least). */
        public ClientSettings client() {
            return new ClientSettings(url, timeout, retries, retryBackoff, null,
                    new BreakerSettings(50, 20, 10, breakerOpenFor, null), null);
        }
    }

    /**
     * Who may call {@code /v1/**} (see docs/gateway.md, "API keys").
     *
     * <p>{@code apiKeys} maps a tenant to its keys: {@code baton.access.api-keys.<tenant>=<key>[,<key>...]},
     * or as an environment variable {@code BATON_ACCESS_APIKEYS_<TENANT>=<key>[,<key>...]} (the
     * tenant then comes out in lower case). A request sends a key in {@code X-API-Key} and runs
     * as that key's tenant. Tenants are {@code [A-Za-z0-9._-]}, 1-64 characters (the state
     * store's rule); a key is at least {@value #MIN_KEY_LENGTH} printable characters and belongs
     * to one tenant. Several keys per tenant allow rotating them.
     *
     * <p>With no keys, nobody is asked for one and every request runs as {@code tenant}; the
     * gateway allows that only in standalone mode bound to a loopback address, or when {@code
     * open} ({@code BATON_ACCESS_OPEN=true}) says so explicitly. Keys and {@code open} together
     * are refused as contradictory.
     */
    public record Access(Map<String, List<String>> apiKeys, @DefaultValue("false") boolean open,
                         @DefaultValue("local") String tenant) {

        /** The shortest key accepted. */
        public static final int MIN_KEY_LENGTH = 16;

        private static final Pattern TENANT = Pattern.compile(Ids.TENANT_PATTERN);
        private static final Pattern KEY = Pattern.compile("\\p{Graph}{" + MIN_KEY_LENGTH + ",256}");

        public Access {
            requireTenant("baton.access.tenant", tenant);
            Map<String, List<String>> keys = new LinkedHashMap<>();
            Map<String, String> owners = new LinkedHashMap<>();
            if (apiKeys != null) {
                apiKeys.forEach((name, list) -> {
                    requireTenant("baton.access.api-keys", name);
                    List<String> tenantKeys = list == null ? List.of() : List.copyOf(list);
                    if (tenantKeys.isEmpty()) {
                        throw new IllegalArgumentException("baton.access.api-keys." + name + " has no key");
                    }
                    for (String key : tenantKeys) {
                        if (!KEY.matcher(key).matches()) {
                            throw new IllegalArgumentException("baton.access.api-keys." + name + ": a key must be "
                                    + MIN_KEY_LENGTH + " to 256 printable characters without spaces");
                        }
                        String other = owners.putIfAbsent(key, name);
                        if (other != null && !other.equals(name)) {
                            throw new IllegalArgumentException("baton.access.api-keys: one key is given to both "
                                    + other + " and " + name);
                        }
                    }
                    keys.put(name, tenantKeys);
                });
            }
            apiKeys = Collections.unmodifiableMap(keys);
        }

        private static void requireTenant(String key, String tenant) {
            if (tenant == null || !TENANT.matcher(tenant).matches()) {
                throw new IllegalArgumentException(key + ": a tenant is 1-64 characters of [A-Za-z0-9._-], got '"
                        + tenant + "'");
            }
        }

        /** Whether any API key is configured. */
        public boolean hasKeys() {
            return !apiKeys.isEmpty();
        }

        @Override
        public String toString() {
            // Never print the keys themselves.
            return "Access[tenants with keys=" + apiKeys.keySet() + ", open=" + open + ", tenant=" + tenant + "]";
        }
    }

    /**
     * Batch jobs (docs/jobs.md). Each gateway runs {@code consumers} x {@code prefetch} requests at
     * once ({@code BATON_JOBS_CONSUMERS}, 0 for an API-only gateway; {@code BATON_JOBS_PREFETCH});
     * a worker holds a request under a lease of {@code lease}, renewed while it runs, and gives it
     * back to the queue after {@code slice} (a continuation message) so that no delivery is held
     * near RabbitMQ's 30-minute consumer timeout; a request that fails for a reason that may pass is
     * returned after {@code retryBackoff}, at most {@code deliveryLimit} deliveries, then failed.
     * Jobs and results are kept {@code retention} ({@code BATON_JOBS_RETENTION}, 7 days). Every
     * {@code sweepInterval} (and at start-up) orphaned work is found (requests no message carries
     * any more, leases run out more than {@code orphanAfter} ago) and published again, and overdue jobs
     * expire. A job holds at most {@code maxRequests} requests; the in-process queue at most {@code
     * maxQueued} messages; a publish waits {@code confirmTimeout} for RabbitMQ's confirm.
     */
    public record Jobs(@DefaultValue("2") int consumers, @DefaultValue("1") int prefetch,
                       @DefaultValue("7d") Duration retention, @DefaultValue("30s") Duration lease,
                       @DefaultValue("5m") Duration slice, @DefaultValue("5") int deliveryLimit,
                       @DefaultValue("5s") Duration retryBackoff, @DefaultValue("30s") Duration sweepInterval,
                       @DefaultValue("60s") Duration orphanAfter, @DefaultValue("10000") int maxRequests,
                       @DefaultValue("100000") int maxQueued, @DefaultValue("10s") Duration confirmTimeout,
                       @DefaultValue("1s") Duration eventInterval) {

        public Jobs {
            if (consumers < 0 || prefetch < 1 || deliveryLimit < 1 || maxRequests < 1 || maxQueued < 1) {
                throw new IllegalArgumentException("baton.jobs: consumers >= 0, prefetch, delivery-limit, "
                        + "max-requests and max-queued >= 1");
            }
            if (slice.compareTo(Duration.ofMinutes(20)) > 0) {
                throw new IllegalArgumentException("baton.jobs.slice must stay well below RabbitMQ's 30-minute "
                        + "consumer timeout, got " + slice);
            }
            if (lease.compareTo(Duration.ofSeconds(3)) < 0) {
                throw new IllegalArgumentException("baton.jobs.lease must be at least 3s, got " + lease);
            }
        }

        /** Requests this gateway runs at once. */
        public int concurrency() {
            return consumers * prefetch;
        }
    }

    /**
     * The Redis of the job store: the URL and mode the memory service reads ({@code BATON_REDIS_URL},
     * {@code BATON_REDIS_MODE}: standalone, sentinel or cluster), a command timeout, and the PEM
     * files to trust and present over TLS ({@code baton.redis.tls.*}, as the memory service reads them),
     * and the Sentinels' own password where they ask for one ({@code baton.redis.sentinel-password}).
     */
    public record Redis(String url, @DefaultValue("standalone") String mode, @DefaultValue("5s") Duration timeout,
                        @DefaultValue("true") boolean verifyPeer, @DefaultValue io.baton.common.redis.RedisSettings.Tls tls,
                        String sentinelPassword) {

        /** Whether a Redis is configured. */
        public boolean configured() {
            return url != null && !url.isBlank();
        }

        /** The connection settings, checked; a failure names {@code baton.redis.*}. */
        public io.baton.common.redis.RedisSettings settings() {
            return io.baton.common.redis.RedisSettings.of("baton.redis", url, mode, timeout, verifyPeer, tls, sentinelPassword);
        }

        @Override
        public String toString() {
            return "Redis[mode=" + mode + ", configured=" + configured() + "]";
        }
    }

    /** The RabbitMQ of the jobs' work queue ({@code BATON_RABBITMQ_URL}, {@code amqp://user:password@host:port/vhost}). */
    public record Rabbitmq(java.net.URI url) {

        /** Whether a RabbitMQ is configured. */
        public boolean configured() {
            return url != null && !url.toString().isBlank();
        }

        @Override
        public String toString() {
            return "Rabbitmq[url=" + (url == null ? null : url.getScheme() + "://" + url.getHost() + ":" + url.getPort()) + "]";
        }
    }
}
