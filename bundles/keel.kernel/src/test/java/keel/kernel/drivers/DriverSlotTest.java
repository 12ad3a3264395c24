package keel.kernel.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.driver.DriverKind;

class DriverSlotTest {
    private final List<String> changes = new ArrayList<>();
    private final DriverSlot<String> slot = new DriverSlot<>(DriverKind.STORAGE,
            (before, after) -> changes.add(id(before) + "->" + id(after)));

    private static String id(Provider<String> p) {
        return p == null ? "none" : p.id();
    }

    @Test
    void theHighestRankedProviderIsBoundAndTiesGoToTheFirstRegistered() {
        slot.add(new FakeReference(1, 0, "copy"), "copy-driver");
        slot.add(new FakeReference(2, 10, "overlay"), "overlay-driver");
        slot.add(new FakeReference(3, 10, "later"), "later-driver");
        assertEquals("overlay-driver", slot.await(Duration.ZERO));
        assertEquals(List.of("overlay", "later", "copy"), slot.providers().stream().map(Provider::id).toList());
        assertEquals(List.of("none->copy", "copy->overlay"), changes);
    }

    @Test
    void aPinWinsWhileItsProviderIsRegisteredAndRankingDecidesOtherwise() {
        FakeReference copy = new FakeReference(1, 0, "copy");
        slot.add(copy, "copy-driver");
        slot.add(new FakeReference(2, 10, "overlay"), "overlay-driver");
        slot.pin("copy");
        assertEquals("copy-driver", slot.await(Duration.ZERO));
        slot.remove(copy);
        assertEquals("overlay-driver", slot.await(Duration.ZERO));
        slot.add(new FakeReference(4, 0, "copy"), "copy-driver-2");
        assertEquals("copy-driver-2", slot.await(Duration.ZERO), "the pin holds when it comes back");
        slot.pin(null);
        assertEquals("overlay-driver", slot.await(Duration.ZERO));
    }

    @Test
    void withNoneBoundACallWaitsTheBoundAndNamesTheKind() {
        long start = System.nanoTime();
        KeelException e = assertThrows(KeelException.class, () -> slot.await(Duration.ofMillis(200)));
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().startsWith("no storage driver is bound (waited 200 ms)"), e.getMessage());
        assertTrue(waited >= 190, "waited only " + waited + " ms");
    }

    @Test
    void aWaitingCallGetsTheDriverThatArrives() throws Exception {
        Thread later = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            slot.add(new FakeReference(1, 0, "copy"), "copy-driver");
        });
        later.start();
        assertEquals("copy-driver", slot.await(Duration.ofSeconds(5)));
        later.join();
    }

    @Test
    void aReplacementOfTheSameIdRankedHigherServesAtOnceAndTheOldLeavingChangesNothing() {
        FakeReference old = new FakeReference(1, 10, "overlay");
        slot.add(old, "overlay-old");
        slot.add(new FakeReference(2, 0, "copy"), "copy-driver");
        slot.add(new FakeReference(3, 100, "overlay"), "overlay-new");
        assertEquals("overlay-new", slot.await(Duration.ZERO));
        assertEquals("overlay-new", slot.await("overlay", Duration.ZERO), "a container made by overlay goes to it");
        slot.remove(old);
        assertEquals("overlay-new", slot.await(Duration.ZERO));
        assertEquals("overlay-new", slot.await("overlay", Duration.ZERO));
        assertEquals(List.of("none->overlay", "overlay->overlay"), changes, "one rebind, never none bound");
    }

    @Test
    void removingAnotherProviderDoesNotRebind() {
        FakeReference copy = new FakeReference(1, 0, "copy");
        slot.add(new FakeReference(2, 10, "overlay"), "overlay-driver");
        slot.add(copy, "copy-driver");
        slot.remove(copy);
        assertEquals(List.of("none->overlay"), changes);
    }
}
