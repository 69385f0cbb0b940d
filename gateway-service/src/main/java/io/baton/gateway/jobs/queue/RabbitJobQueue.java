package io.baton.gateway.jobs.queue;

import io.baton.gateway.jobs.store.RequestRef;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The job queue on RabbitMQ (docs/jobs.md#rabbitmq-topology). Declared by the application at
 * start-up, idempotently:
 * <ul>
 *   <li>direct exchange {@code baton.jobs}, routing key {@code request}, to the quorum queue
 *       {@code baton.jobs.requests}, with an explicit {@code x-delivery-limit} (RabbitMQ 3.10's
 *       quorum queues have no default) and dead-lettering to
 *   <li>direct exchange {@code baton.jobs.dead}, routing key {@code request}, to the quorum queue
 *       {@code baton.jobs.requests.dead}, which this gateway consumes to give such requests their
 *       failed result.
 * </ul>
 * Messages are persistent JSON naming the request, with the submission's request id and trace
 * context as headers; a publish completes on the broker's confirm (and fails when the message was
 * returned unroutable, nacked, or not confirmed in time). Consumers: {@code consumers} channels with
 * {@code prefetch} unacknowledged deliveries each, acknowledged by hand once the worker's answer
 * comes; a delivery is never held longer than a worker's slice (minutes), far below RabbitMQ's
 * 30-minute consumer timeout. Spring AMQP's containers reconnect by themselves when the broker
 * comes back; deliveries unacknowledged when a channel closed are redelivered by the broker.
 */
public final class RabbitJobQueue implements JobQueue {

    /** The work exchange, queue and routing key. */
    public static final String EXCHANGE = "baton.jobs";
    public static final String QUEUE = "baton.jobs.requests";
    public static final String ROUTING_KEY = "request";
    /** Where a message goes after its last delivery. */
    public static final String DEAD_EXCHANGE = "baton.jobs.dead";
    public static final String DEAD_QUEUE = "baton.jobs.requests.dead";
    /** Headers: the submission's request id and W3C trace context, the quorum queue's delivery count. */
    static final String REQUEST_ID = "X-Request-Id";
    static final String TRACEPARENT = "traceparent";
    static final String DELIVERY_COUNT = "x-delivery-count";

    private static final Logger log = LoggerFactory.getLogger(RabbitJobQueue.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final CachingConnectionFactory connections;
    private final RabbitTemplate template;
    private final RabbitAdmin admin;
    private final Settings settings;
    private final Clock clock;
    private final AtomicLong waiting = new AtomicLong();
    private final AtomicLong lastDeliveredPublishedAt = new AtomicLong();
    private DirectMessageListenerContainer work;
    private DirectMessageListenerContainer dead;

    /**
     * @param url            {@code amqp://user:password@host:port/vhost} ({@code amqps://} for TLS)
     * @param consumers      channels consuming the work queue (0: this instance only publishes)
     * @param prefetch       unacknowledged deliveries per channel
     * @param deliveryLimit  deliveries of a message before it is dead-lettered
     * @param confirmTimeout how long a publish waits for the broker's confirm
     */
    public record Settings(URI url, int consumers, int prefetch, int deliveryLimit, Duration confirmTimeout) {
    }

    public RabbitJobQueue(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.connections = new CachingConnectionFactory(settings.url());
        connections.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        connections.setPublisherReturns(true);
        connections.setConnectionNameStrategy(factory -> "baton-gateway-jobs");
        this.template = new RabbitTemplate(connections);
        template.setMandatory(true);
        this.admin = new RabbitAdmin(connections);
    }

    /**
     * Declares the topology now if the broker is reachable, and again on every new connection (after
     * the broker restarted, or came up after this gateway): declarations are idempotent.
     */
    public void declareOnConnect() {
        connections.addConnectionListener(connection -> declareQuietly());
        declareQuietly();
    }

    private void declareQuietly() {
        try {
            declare();
        } catch (RuntimeException e) {
            log.warn("could not declare the job queues on RabbitMQ yet ({}); trying again on the next connection",
                    e.toString());
        }
    }

    /** Declares the exchanges and queues (idempotent; fails if the broker cannot be reached). */
    public void declare() {
        DirectExchange exchange = new DirectExchange(EXCHANGE, true, false);
        DirectExchange deadExchange = new DirectExchange(DEAD_EXCHANGE, true, false);
        Queue queue = QueueBuilder.durable(QUEUE).quorum().deliveryLimit(settings.deliveryLimit())
                .deadLetterExchange(DEAD_EXCHANGE).deadLetterRoutingKey(ROUTING_KEY).build();
        Queue deadQueue = QueueBuilder.durable(DEAD_QUEUE).quorum().build();
        admin.declareExchange(exchange);
        admin.declareExchange(deadExchange);
        admin.declareQueue(queue);
        admin.declareQueue(deadQueue);
        Binding binding = BindingBuilder.bind(queue).to(exchange).with(ROUTING_KEY);
        admin.declareBinding(binding);
        admin.declareBinding(BindingBuilder.bind(deadQueue).to(deadExchange).with(ROUTING_KEY));
    }

    @Override
    public Mono<Void> publish(WorkMessage message) {
        return Mono.fromCallable(() -> {
                    CorrelationData correlation = new CorrelationData(UUID.randomUUID().toString());
                    template.send(EXCHANGE, ROUTING_KEY, toMessage(message), correlation);
                    return correlation;
                })
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(correlation -> Mono.fromFuture(correlation.getFuture())
                        .timeout(settings.confirmTimeout())
                        .flatMap(confirm -> {
                            if (!confirm.ack()) {
                                return Mono.error(new JobQueueException("RabbitMQ did not take a job message: "
                                        + confirm.reason()));
                            }
                            if (correlation.getReturned() != null) {
                                return Mono.error(new JobQueueException("RabbitMQ could not route a job message: "
                                        + correlation.getReturned().getReplyText()));
                            }
                            return Mono.<Void>empty();
                        }))
                .onErrorMap(e -> !(e instanceof JobQueueException),
                        e -> new JobQueueException("RabbitMQ is unavailable: " + e.getMessage(), e));
    }

    private Message toMessage(WorkMessage message) {
        ObjectNode body = JSON.createObjectNode()
                .put("tenant", message.ref().tenant())
                .put("job", message.ref().job())
                .put("index", message.ref().index());
        MessageProperties properties = new MessageProperties();
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setTimestamp(Date.from(clock.instant()));
        if (message.requestId() != null) {
            properties.setHeader(REQUEST_ID, message.requestId());
        }
        if (message.traceparent() != null) {
            properties.setHeader(TRACEPARENT, message.traceparent());
        }
        return new Message(JSON.writeValueAsBytes(body), properties);
    }

    static WorkMessage fromMessage(Message message) {
        var body = JSON.readTree(new String(message.getBody(), StandardCharsets.UTF_8));
        MessageProperties properties = message.getMessageProperties();
        return new WorkMessage(new RequestRef(body.get("tenant").asString(), body.get("job").asString(),
                body.get("index").asInt()), properties.getHeader(REQUEST_ID), properties.getHeader(TRACEPARENT));
    }

    @Override
    public synchronized void consume(Worker worker, DeadLetters deadLetters) {
        if (settings.consumers() > 0) {
            work = container(QUEUE, settings.consumers(), settings.prefetch(), (message, channel) -> {
                long tag = message.getMessageProperties().getDeliveryTag();
                Delivery delivery;
                try {
                    delivery = delivery(message);
                } catch (RuntimeException e) {
                    log.error("an unreadable job message was dropped: {}", e.toString());
                    channel.basicReject(tag, false);
                    return;
                }
                lastDeliveredPublishedAt.set(delivery.publishedAt().toEpochMilli());
                worker.handle(delivery)
                        .onErrorResume(e -> {
                            log.warn("job worker failed on {}: {}", delivery.message().ref(), e.toString());
                            return Mono.just(Settlement.REQUEUE);
                        })
                        .defaultIfEmpty(Settlement.REQUEUE)
                        .subscribe(settlement -> settle(channel, tag, settlement, delivery));
            });
        }
        dead = container(DEAD_QUEUE, 1, 1, (message, channel) -> {
            long tag = message.getMessageProperties().getDeliveryTag();
            WorkMessage dropped = fromMessage(message);
            deadLetters.dead(dropped, deathReason(message))
                    .subscribe(null,
                            e -> {
                                log.warn("a dead job message of {} could not be recorded: {}", dropped.ref(), e.toString());
                                settle(channel, tag, Settlement.REQUEUE, null);
                            },
                            () -> settle(channel, tag, Settlement.ACK, null));
        });
    }

    private Delivery delivery(Message message) {
        MessageProperties properties = message.getMessageProperties();
        Object count = properties.getHeaders().get(DELIVERY_COUNT);
        int delivery = 1 + (count instanceof Number n ? n.intValue() : 0);
        Date published = properties.getTimestamp();
        return new Delivery(fromMessage(message), delivery, published == null ? clock.instant() : published.toInstant());
    }

    /** Why RabbitMQ dead-lettered a message ({@code x-first-death-reason}: {@code delivery_limit} here). */
    private static String deathReason(Message message) {
        Object reason = message.getMessageProperties().getHeaders().get("x-first-death-reason");
        return reason == null ? "dead-lettered" : reason.toString();
    }

    private static void settle(com.rabbitmq.client.Channel channel, long tag, Settlement settlement, Delivery delivery) {
        try {
            if (settlement == Settlement.ACK) {
                channel.basicAck(tag, false);
            } else {
                channel.basicNack(tag, false, true);
            }
        } catch (Exception e) {
            // The channel closed (the broker restarted, the connection dropped): the broker returns
            // every delivery of a closed channel to the queue by itself.
            log.info("could not {} a job delivery{} (the broker will redeliver it): {}",
                    settlement == Settlement.ACK ? "acknowledge" : "return",
                    delivery == null ? "" : " of " + delivery.message().ref(), e.toString());
        }
    }

    private DirectMessageListenerContainer container(String queue, int consumers, int prefetch,
                                                     ChannelAwareMessageListener listener) {
        DirectMessageListenerContainer container = new DirectMessageListenerContainer(connections);
        container.setQueueNames(queue);
        container.setConsumersPerQueue(consumers);
        container.setPrefetchCount(prefetch);
        container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        container.setMessageListener(listener);
        container.setMissingQueuesFatal(false);
        container.setMonitorInterval(5_000);
        container.afterPropertiesSet();
        container.start();
        return container;
    }

    /**
     * The queue's ready messages as RabbitMQ counts them (a passive declare; refreshed by {@link
     * #refreshDepth()}), and the age of the oldest: in a FIFO queue the message delivered last was
     * the oldest then, so its age, while messages wait.
     */
    @Override
    public Depth depth() {
        long count = waiting.get();
        long published = lastDeliveredPublishedAt.get();
        return new Depth(count, count > 0 && published > 0 ? Math.max(0, clock.millis() - published) : 0);
    }

    /** Asks RabbitMQ how many messages wait; blocking, for the sweeper's thread. */
    public void refreshDepth() {
        try {
            QueueInformation information = admin.getQueueInfo(QUEUE);
            if (information != null) {
                waiting.set(information.getMessageCount());
            }
        } catch (RuntimeException e) {
            log.debug("could not read the depth of {}: {}", QUEUE, e.toString());
        }
    }

    @Override
    public String describe() {
        URI url = settings.url();
        return "RabbitMQ " + url.getHost() + ":" + url.getPort() + ", queue " + QUEUE + " (quorum, delivery limit "
                + settings.deliveryLimit() + "), " + settings.consumers() + " consumers x prefetch "
                + settings.prefetch();
    }

    @Override
    public synchronized void close() {
        for (DirectMessageListenerContainer container : new DirectMessageListenerContainer[] {work, dead}) {
            if (container != null) {
                container.stop();
                container.destroy();
            }
        }
        connections.destroy();
    }
}
