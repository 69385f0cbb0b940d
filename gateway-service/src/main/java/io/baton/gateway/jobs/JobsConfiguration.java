package io.baton.gateway.jobs;

import io.baton.common.redis.RedisConnection;
import io.baton.gateway.GatewayProperties;
import io.baton.gateway.jobs.queue.InProcessJobQueue;
import io.baton.gateway.jobs.queue.JobQueue;
import io.baton.gateway.jobs.queue.RabbitJobQueue;
import io.baton.gateway.jobs.store.JobStore;
import io.baton.gateway.pipeline.DocumentGate;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.gateway.summarize.SummaryService;
import io.baton.protocol.inference.InferenceClient;
import io.baton.protocol.memory.MemoryClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The jobs' beans, chosen once and logged at start-up: the store (Redis when {@code
 * BATON_REDIS_URL} is set, else this JVM's memory), the queue (RabbitMQ when {@code
 * BATON_RABBITMQ_URL} is set, else in-process), and the workers: a summary service of their own,
 * whose pipeline admits {@code consumers x prefetch} documents, so that batch work never takes the
 * interactive requests' turns at the gateway.
 */
@Configuration(proxyBeanMethods = false)
public class JobsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(JobsConfiguration.class);

    /** The job store's own Redis connection (none without {@code BATON_REDIS_URL}). */
    @Bean(destroyMethod = "close")
    JobsRedis jobsRedis(GatewayProperties properties) {
        return new JobsRedis(JobStores.shared(properties) ? RedisConnection.open(properties.redis().settings()) : null);
    }

    /** Holds the connection, so that a gateway without Redis has a bean too. */
    record JobsRedis(RedisConnection connection) implements AutoCloseable {
        @Override
        public void close() {
            if (connection != null) {
                connection.close();
            }
        }
    }

    @Bean
    JobStore jobStore(GatewayProperties properties, JobsRedis redis) {
        JobStore store = JobStores.of(redis.connection(), Clock.systemUTC());
        log.info("job store: {}", JobStores.describe(properties));
        if (!JobStores.shared(properties) && !properties.standalone()) {
            log.warn("jobs live in this gateway's memory (no BATON_REDIS_URL): other gateways cannot see them, "
                    + "and a restart loses them");
        }
        if (properties.rabbitmq().configured() && !JobStores.shared(properties)) {
            log.warn("BATON_RABBITMQ_URL is set but the job store is in memory: the in-process queue is used, "
                    + "as a shared queue needs a shared store (BATON_REDIS_URL)");
        }
        return store;
    }

    @Bean(destroyMethod = "close")
    JobQueue jobQueue(GatewayProperties properties) {
        GatewayProperties.Jobs settings = properties.jobs();
        JobQueue queue;
        if (JobStores.rabbit(properties)) {
            RabbitJobQueue rabbit = new RabbitJobQueue(new RabbitJobQueue.Settings(properties.rabbitmq().url(),
                    settings.consumers(), settings.prefetch(), settings.deliveryLimit(), settings.confirmTimeout()),
                    Clock.systemUTC());
            queue = rabbit;
        } else {
            queue = new InProcessJobQueue(settings.maxQueued(), Math.max(1, settings.concurrency()),
                    settings.deliveryLimit(), Clock.systemUTC());
        }
        log.info("job queue: {}", queue.describe());
        return queue;
    }

    @Bean
    JobMetrics jobMetrics(ObjectProvider<MeterRegistry> registry, JobQueue queue) {
        return new JobMetrics(registry.getIfAvailable(SimpleMeterRegistry::new), queue);
    }

    @Bean
    JobService jobService(JobStore store, JobQueue queue, GatewayProperties properties) {
        return new JobService(store, queue, properties.jobs(), Clock.systemUTC());
    }

    @Bean
    JobWorker jobWorker(JobStore store, JobQueue queue, InferenceClient inference, ModelTokenizers tokenizers,
                        MemoryClient memory, GatewayProperties properties, JobMetrics metrics,
                        ObjectProvider<ObservationRegistry> observations, ObjectProvider<MeterRegistry> registry) {
        GatewayProperties.Jobs settings = properties.jobs();
        int concurrency = Math.max(1, settings.concurrency());
        DocumentPipeline pipeline = new DocumentPipeline(inference,
                new DocumentGate(concurrency, concurrency, settings.slice()));
        SummaryService summaries = new SummaryService(pipeline, tokenizers, inference, memory, properties,
                registry.getIfAvailable(SimpleMeterRegistry::new));
        return new JobWorker(store, queue, summaries, memory, settings, metrics,
                new JobTracing(observations.getIfAvailable(() -> ObservationRegistry.NOOP)), Clock.systemUTC());
    }

    @Bean
    JobSweeper jobSweeper(JobStore store, JobQueue queue, GatewayProperties properties, JobMetrics metrics) {
        return new JobSweeper(store, queue, properties.jobs(), metrics, Clock.systemUTC());
    }

    /**
     * Declares RabbitMQ's topology, then starts consuming (when this gateway has consumers) and
     * sweeping, once the application is up; stops them first at shutdown, so that deliveries in
     * flight are returned to the queue (and resumed elsewhere from their recorded segments).
     */
    @Bean
    SmartLifecycle jobsLifecycle(JobQueue queue, JobWorker worker, JobSweeper sweeper, GatewayProperties properties) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                if (queue instanceof RabbitJobQueue rabbit) {
                    rabbit.declareOnConnect();
                }
                if (properties.jobs().consumers() > 0 || !(queue instanceof RabbitJobQueue)) {
                    queue.consume(worker, worker);
                }
                sweeper.start();
                running = true;
            }

            @Override
            public void stop() {
                sweeper.close();
                queue.close();
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }
}
