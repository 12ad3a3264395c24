package keel.kernel.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import keel.api.kernel.Event;

class EventBusTest {

    private static Event event(int n) {
        return new Event(Instant.ofEpochSecond(n), "test", "tick", Integer.toString(n), Map.of());
    }

    @Test
    void keepsOnlyTheMostRecentEvents() {
        EventBus bus = new EventBus();
        for (int i = 0; i < EventBus.RECENT + 10; i++) {
            bus.publish(event(i));
        }
        List<Event> all = bus.since(Instant.EPOCH);
        assertEquals(EventBus.RECENT, all.size());
        assertEquals("10", all.get(0).actor());
        assertEquals(5, bus.since(Instant.ofEpochSecond(EventBus.RECENT + 5)).size());
    }

    @Test
    void aSlowSubscriberLosesItsOwnEventsAndHoldsUpNobody() throws Exception {
        EventBus bus = new EventBus();
        CountDownLatch release = new CountDownLatch(1);
        List<Event> slow = new CopyOnWriteArrayList<>();
        List<Event> fast = new CopyOnWriteArrayList<>();
        try (AutoCloseable a = bus.subscribe(e -> {
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            slow.add(e);
        }); AutoCloseable b = bus.subscribe(fast::add)) {
            long start = System.nanoTime();
            int published = 0;
            for (int batch = 0; batch < 6; batch++) { // 3 queues' worth, in batches the fast one keeps up with
                for (int i = 0; i < EventBus.QUEUE / 2; i++) {
                    bus.publish(event(published++));
                }
                long deadline = System.currentTimeMillis() + 5000;
                while (fast.size() < published && System.currentTimeMillis() < deadline) {
                    Thread.sleep(5);
                }
            }
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 10, "publishing was held up");
            assertEquals(published, fast.size(), "the fast subscriber gets everything although the slow one is stuck");
            release.countDown();
            Thread.sleep(200);
            assertTrue(slow.size() <= EventBus.QUEUE + 1, "the slow one dropped what did not fit: " + slow.size());
        }
    }
}
