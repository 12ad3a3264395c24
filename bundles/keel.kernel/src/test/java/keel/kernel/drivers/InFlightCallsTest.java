package keel.kernel.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import keel.api.KeelException;

class InFlightCallsTest {

    /** A driver with a base contract (Runnable), a capability (Supplier) and a call that waits for a latch. */
    static final class Blocking implements Runnable, Supplier<String> {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void run() {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String get() {
            throw KeelException.conflict("refused by the driver");
        }
    }

    @Test
    void theGoingOfADriverWaitsForItsCallsInFlightBounded() throws Exception {
        Blocking driver = new Blocking();
        InFlightCalls calls = new InFlightCalls(driver);
        Runnable proxy = calls.proxy();
        assertTrue(calls.awaitNone(Duration.ZERO), "no call: nothing to wait for");

        CompletableFuture<Void> call = CompletableFuture.runAsync(proxy);
        assertTrue(driver.entered.await(10, TimeUnit.SECONDS));
        assertEquals(1, calls.inFlight());
        assertFalse(calls.awaitNone(Duration.ofMillis(100)), "the wait is bounded");

        CompletableFuture<Boolean> drained =
                CompletableFuture.supplyAsync(() -> calls.awaitNone(Duration.ofSeconds(10)));
        Thread.sleep(50);
        assertFalse(drained.isDone(), "waits while the call runs");
        driver.release.countDown();
        assertTrue(drained.get(10, TimeUnit.SECONDS));
        call.get(10, TimeUnit.SECONDS);
        assertEquals(0, calls.inFlight());
    }

    @Test
    void theProxyHasTheDriversCapabilitiesItsErrorsAndItsOwnIdentity() {
        Blocking driver = new Blocking();
        InFlightCalls calls = new InFlightCalls(driver);
        Object proxy = calls.proxy();
        assertTrue(proxy instanceof Runnable && proxy instanceof Supplier, "every interface the kernel can see");
        @SuppressWarnings("unchecked")
        Supplier<String> capability = (Supplier<String>) proxy;
        KeelException e = assertThrows(KeelException.class, capability::get);
        assertEquals("refused by the driver", e.getMessage());
        assertEquals(0, calls.inFlight(), "a call that threw is no longer in flight");
        assertSame(proxy, calls.proxy());
        assertEquals(proxy, proxy);
        assertNotEquals(proxy, new InFlightCalls(driver).proxy());
        assertEquals(driver.toString(), proxy.toString());
    }
}
