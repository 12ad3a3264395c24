package keel.kernel.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ContainerLocksTest {
    private final ContainerLocks locks = new ContainerLocks();

    @Test
    void aQueryDoesNotWaitForAContainerHeldByAnotherThread() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> stuck = CompletableFuture.runAsync(() -> {
            try (ContainerLocks.Held h = locks.hold("wedged")) {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(held.await(10, TimeUnit.SECONDS));
        assertTrue(locks.holdIfFree("wedged").isEmpty(), "another thread holds it");
        Optional<ContainerLocks.Held> other = locks.holdIfFree("other");
        assertTrue(other.isPresent(), "another container is not held up");
        other.get().close();
        release.countDown();
        stuck.get(10, TimeUnit.SECONDS);
        Optional<ContainerLocks.Held> after = locks.holdIfFree("wedged");
        assertTrue(after.isPresent(), "free once released");
        after.get().close();
    }

    @Test
    void theHolderMayTakeItAgain() {
        try (ContainerLocks.Held outer = locks.hold("c")) {
            Optional<ContainerLocks.Held> inner = locks.holdIfFree("c");
            assertTrue(inner.isPresent(), "reentrant, as the monitors it replaces");
            inner.get().close();
        }
        Optional<ContainerLocks.Held> again = locks.holdIfFree("c");
        assertTrue(again.isPresent(), "free once the holder let go");
        again.get().close();
    }

    @Test
    void aLockIsKeptOnlyWhileSomeoneHoldsOrWaitsForIt() throws Exception {
        for (int i = 0; i < 1000; i++) { // a churn of containers, each locked and let go
            try (ContainerLocks.Held h = locks.hold("c" + i)) {
                assertEquals(1, locks.kept());
            }
            locks.holdIfFree("c" + i).orElseThrow().close();
        }
        assertEquals(0, locks.kept(), "no lock of a container nobody holds is kept");

        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Void> second;
        try (ContainerLocks.Held first = locks.hold("busy")) {
            assertTrue(CompletableFuture.supplyAsync(() -> locks.holdIfFree("busy").isEmpty()).get(10, TimeUnit.SECONDS),
                    "another thread's try fails");
            assertEquals(1, locks.kept(), "and leaves no entry of its own");
            second = CompletableFuture.runAsync(() -> {
                waiting.countDown();
                try (ContainerLocks.Held h = locks.hold("busy")) {
                    assertEquals(1, locks.kept());
                }
            });
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
        }
        second.get(10, TimeUnit.SECONDS);
        assertEquals(0, locks.kept(), "gone with its last user");
    }
}
