package keel.kernel.events;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.kernel.Event;
import keel.api.kernel.EventService;

/**
 * The kernel's event stream: a bounded buffer of recent events for {@code keel events --since},
 * and one bounded queue and thread per subscriber, so a slow subscriber drops its own events and
 * never holds up a publisher or another subscriber.
 */
@Component(service = EventService.class)
public class EventBus implements EventService {
    static final int RECENT = 1024;
    static final int QUEUE = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);

    private final Deque<Event> recent = new ArrayDeque<>();
    private final Set<Subscription> subscriptions = new CopyOnWriteArraySet<>();

    @Override
    public void publish(Event event) {
        synchronized (recent) {
            if (recent.size() == RECENT) {
                recent.removeFirst();
            }
            recent.addLast(event);
        }
        for (Subscription s : subscriptions) {
            s.offer(event);
        }
    }

    @Override
    public List<Event> since(Instant since) {
        synchronized (recent) {
            List<Event> events = new ArrayList<>();
            for (Event e : recent) {
                if (!e.time().isBefore(since)) {
                    events.add(e);
                }
            }
            return events;
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<Event> listener) {
        Subscription s = new Subscription(listener);
        subscriptions.add(s);
        s.thread.start();
        return s;
    }

    @Deactivate
    void deactivate() {
        for (Subscription s : subscriptions) {
            s.close();
        }
    }

    private final class Subscription implements AutoCloseable {
        private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE);
        private final Consumer<Event> listener;
        private final Thread thread;
        private volatile boolean open = true;
        private long dropped;

        Subscription(Consumer<Event> listener) {
            this.listener = listener;
            this.thread = new Thread(this::deliver, "keel-events-subscriber");
            this.thread.setDaemon(true);
        }

        void offer(Event event) {
            if (!queue.offer(event)) {
                dropped++;
                if (dropped == 1 || dropped % 1000 == 0) {
                    LOG.warn("an events subscriber is too slow: {} events dropped", dropped);
                }
            }
        }

        private void deliver() {
            while (open) {
                try {
                    Event event = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (event != null) {
                        listener.accept(event);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.debug("events subscriber failed; closing it", e);
                    close();
                }
            }
        }

        @Override
        public void close() {
            open = false;
            subscriptions.remove(this);
            thread.interrupt();
        }
    }
}
