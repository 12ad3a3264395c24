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
}
