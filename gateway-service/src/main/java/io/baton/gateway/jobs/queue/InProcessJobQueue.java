package io.baton.gateway.jobs.queue;

import java.time.Clock;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The job queue of standalone mode: a bounded queue in this JVM, one dispatching thread, and at
 * most {@code concurrency} deliveries being worked on. A returned message goes to the back of the
 * queue; after {@code deliveryLimit} deliveries, to the dead letters. Nothing outlives the process,
 * like the standalone job store.
 */
public final class InProcessJobQueue implements JobQueue {

    private static final Logger log = LoggerFactory.getLogger(InProcessJobQueue.class);

    private final BlockingQueue<Delivery> queue;
    private final Semaphore slots;
    private final int deliveryLimit;
    private final Clock clock;
    private volatile Thread dispatcher;
    private volatile boolean closed;

    public InProcessJobQueue(int capacity, int concurrency, int deliveryLimit, Clock clock) {
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.slots = new Semaphore(concurrency);
        this.deliveryLimit = deliveryLimit;
        this.clock = clock;
    }

    @Override
    public Mono<Void> publish(WorkMessage message) {
        return Mono.fromRunnable(() -> offer(new Delivery(message, 1, clock.instant())));
    }

    private void offer(Delivery delivery) {
        if (!queue.offer(delivery)) {
            throw new JobQueueException("the in-process job queue holds " + queue.size() + " messages, its bound");
        }
    }

    @Override
    public synchronized void consume(Worker worker, DeadLetters deadLetters) {
        if (dispatcher != null) {
            throw new IllegalStateException("already consuming");
        }
        Thread thread = new Thread(() -> dispatch(worker, deadLetters), "baton-jobs-dispatch");
        thread.setDaemon(true);
        thread.start();
        dispatcher = thread;
    }

    private void dispatch(Worker worker, DeadLetters deadLetters) {
        while (!closed) {
            try {
                slots.acquire();
                Delivery delivery = queue.poll(1, TimeUnit.SECONDS);
                if (delivery == null) {
                    slots.release();
                    continue;
                }
                worker.handle(delivery)
                        .onErrorResume(e -> {
                            log.warn("job worker failed on {}: {}", delivery.message().ref(), e.toString());
                            return Mono.just(Settlement.REQUEUE);
                        })
                        .defaultIfEmpty(Settlement.REQUEUE)
                        .flatMap(settlement -> settle(delivery, settlement, deadLetters))
                        .doFinally(signal -> slots.release())
                        .subscribe(null, e -> log.error("settling {} failed", delivery.message().ref(), e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Mono<Void> settle(Delivery delivery, Settlement settlement, DeadLetters deadLetters) {
        if (settlement == Settlement.ACK) {
            return Mono.empty();
        }
        if (delivery.delivery() >= deliveryLimit) {
            return deadLetters.dead(delivery.message(), "delivery-limit");
        }
        return Mono.fromRunnable(() -> offer(new Delivery(delivery.message(), delivery.delivery() + 1,
                delivery.publishedAt())));
    }

    @Override
    public Depth depth() {
        Delivery oldest = queue.peek();
        long age = oldest == null ? 0 : Math.max(0, clock.millis() - oldest.publishedAt().toEpochMilli());
        return new Depth(queue.size(), age);
    }

    @Override
    public String describe() {
        return "in-process (standalone), " + slots.availablePermits() + " at once, delivery limit " + deliveryLimit;
    }

    @Override
    public void close() {
        closed = true;
        Thread thread = dispatcher;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
