package keel.isolation.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pidfd + epoll watch of a process's end, on real processes. */
class ExitWatcherTest {
    private final ExitWatcher watcher = new ExitWatcher();

    @AfterEach
    void tearDown() {
        watcher.close();
    }

    @Test
    void tellsWhenAProcessEnds() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        CountDownLatch ended = new CountDownLatch(1);
        watcher.watch(sleeper.pid(), ended::countDown);
        assertEquals(1, ended.getCount(), "not while it runs");
        sleeper.destroyForcibly();
        assertTrue(ended.await(30, TimeUnit.SECONDS), "the end of pid " + sleeper.pid() + " was not told");
    }

    @Test
    void tellsAtOnceWhenThereIsNoSuchProcess() throws Exception {
        Process done = new ProcessBuilder("true").start();
        done.waitFor();                      // reaped: the pid names no process now
        AtomicInteger calls = new AtomicInteger();
        watcher.watch(done.pid(), calls::incrementAndGet);
        assertEquals(1, calls.get());
    }

    @Test
    void aClosedWatchTellsNothingAndOthersGoOn() throws Exception {
        Process first = new ProcessBuilder("sleep", "60").start();
        Process second = new ProcessBuilder("sleep", "60").start();
        AtomicInteger firstCalls = new AtomicInteger();
        CountDownLatch secondEnded = new CountDownLatch(1);
        watcher.watch(first.pid(), firstCalls::incrementAndGet).close();
        watcher.watch(second.pid(), secondEnded::countDown);
        first.destroyForcibly().waitFor();
        second.destroyForcibly();
        assertTrue(secondEnded.await(30, TimeUnit.SECONDS));
        assertEquals(0, firstCalls.get(), "the first watch was closed before its process ended");
    }

    /**
     * An event read just before its watch was closed must not end a new watch that got the same
     * descriptor number (found by bench/churn.sh: a start failed with EBADF). Made deterministic:
     * the loop is held inside one end's callback while the other end's event waits in its batch.
     */
    @Test
    void aStaleEventOfAClosedWatchNeverEndsANewWatchOfTheSameNumber() throws Exception {
        // no pipes (inheritIO) and every process started first: between the close of one watch and
        // the next watch no descriptor is opened or closed, so the new pidfd gets the number just freed
        Process first = sleeper();
        Process a = sleeper();
        Process b = sleeper();
        Process sleeper = sleeper();
        CountDownLatch holdFirst = new CountDownLatch(1);
        CountDownLatch firstRunning = new CountDownLatch(1);
        watcher.watch(first.pid(), () -> {
            firstRunning.countDown();
            await(holdFirst);
        });
        first.destroyForcibly().waitFor();
        assertTrue(firstRunning.await(10, TimeUnit.SECONDS), "the first end was not told");

        // both ends are ready before the loop waits again: one epoll_wait returns them together
        java.util.concurrent.atomic.AtomicReference<String> handled = new java.util.concurrent.atomic.AtomicReference<>();
        CountDownLatch oneRunning = new CountDownLatch(1);
        CountDownLatch hold = new CountDownLatch(1);
        java.util.Map<String, AutoCloseable> handles = new java.util.HashMap<>();
        for (String name : java.util.List.of("a", "b")) {
            handles.put(name, watcher.watch((name.equals("a") ? a : b).pid(), () -> {
                if (handled.compareAndSet(null, name)) {
                    oneRunning.countDown();
                    await(hold);
                }
            }));
        }
        a.destroyForcibly().waitFor();
        b.destroyForcibly().waitFor();
        holdFirst.countDown();
        assertTrue(oneRunning.await(10, TimeUnit.SECONDS));
        handles.get(handled.get().equals("a") ? "b" : "a").close(); // its event is read, not handled
        // the numbers freed so far (the first's, the handled one's, the closed one's) are the lowest
        // free ones: four watches of one live process take them, whatever their order
        java.util.List<AtomicInteger> calls = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                AtomicInteger count = new AtomicInteger();
                watcher.watch(sleeper.pid(), count::incrementAndGet);
                calls.add(count);
            }
            hold.countDown();
            Thread.sleep(300);
            calls.forEach(c -> assertEquals(0, c.get(), "a stale event ended the watch of a running process"));
        } finally {
            sleeper.destroyForcibly();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (calls.stream().anyMatch(c -> c.get() == 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        calls.forEach(c -> assertEquals(1, c.get(), "each end is told once"));
    }

    private static Process sleeper() throws java.io.IOException {
        return new ProcessBuilder("sleep", "60").inheritIO().start();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
