package keel.it.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.driver.DriverKind;
import keel.api.kernel.DriverKindReport;
import keel.api.kernel.DriverService;
import keel.api.kernel.DriverState;
import keel.api.kernel.Event;
import keel.api.kernel.EventService;

/**
 * A driver bundle stopped, updated, uninstalled and replaced while the kernel is busy: the kernel
 * only rebinds, no call hangs, every call succeeds or fails with the "no driver bound" error
 * within the bound, and calls after the swap reach the new driver.
 */
class DriverSwapTest {
    /** keel.driver.wait.ms in it.bndrun, and the test drivers' delay per call. */
    static final long WAIT_MS = 1500;
    static final long DELAY_MS = 100;

    @InjectBundleContext
    BundleContext context;

    @InjectService
    DriverService drivers;

    @InjectService
    EventService events;

    @InjectService
    ServiceComponentRuntime scr;

    private final List<Bundle> installed = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        installed.forEach(TestDrivers::uninstallQuietly);
        drivers.unpin(DriverKind.LAYER);
    }

    @Test
    void theBoundDriverIsStoppedUpdatedUninstalledAndReplacedUnderLoad() throws Exception {
        long kernelConfiguration = kernelConfigurationId();
        AtomicInteger kernelUnregistrations = new AtomicInteger();
        ServiceListener watch = e -> {
            if (e.getType() == ServiceEvent.UNREGISTERING) {
                kernelUnregistrations.incrementAndGet();
            }
        };
        context.addServiceListener(watch, "(objectClass=" + DriverService.class.getName() + ")");
        List<Event> driverEvents = new CopyOnWriteArrayList<>();
        AutoCloseable subscription = events.subscribe(e -> {
            if (e.type().equals("driver") && e.actor().startsWith("layer/")) {
                driverEvents.add(e);
            }
        });
        try {
            Bundle alpha = install("alpha");
            String alphaVersion = alpha.getVersion().toString();
            TestDrivers.await("alpha bound", Duration.ofSeconds(5),
                    () -> TestDrivers.bound(drivers, DriverKind.LAYER).map(b -> b.id().equals("alpha")).orElse(false));

            CallLoad load = new CallLoad(drivers, DriverKind.LAYER, 4);
            Thread.sleep(400);
            alpha.stop();                                          // none bound: calls wait, then fail clearly
            Thread.sleep(WAIT_MS + 600);
            alpha.start();                                         // back
            Thread.sleep(400);
            alpha.update(TestDrivers.withVersion(context, "alpha", "9.9.9")); // a new version of the bound driver
            Thread.sleep(400);
            alpha.uninstall();                                     // gone
            Thread.sleep(300);
            Bundle beta = install("beta");                         // the replacement
            long betaBoundAt = System.nanoTime();
            Thread.sleep(600);
            assertTrue(load.stop(WAIT_MS + 2000), "a caller hung");
            List<CallLoad.Call> calls = load.calls();

            // every call either reached a driver or failed with the clear, retryable error
            for (CallLoad.Call call : calls) {
                if (call.error() != null) {
                    assertTrue(call.noDriverBound(), "unexpected failure: " + call.error());
                    assertTrue(call.error().getMessage().contains("no layer driver is bound"), call.error().getMessage());
                }
                assertTrue(call.millis() <= WAIT_MS + DELAY_MS + 1000, "a call took " + call.millis() + " ms");
            }
            assertTrue(calls.stream().anyMatch(CallLoad.Call::noDriverBound),
                    "while no driver was bound, calls must have failed with the no-driver error");
            List<String> answers = calls.stream().filter(c -> c.error() == null).map(CallLoad.Call::answeredBy)
                    .distinct().toList();
            assertEquals(List.of("alpha@" + alphaVersion, "alpha@9.9.9", "beta@" + beta.getVersion()), answers,
                    "calls reached the old driver, its new version, then the replacement, in that order");
            assertTrue(calls.stream().filter(c -> c.startNanos() > betaBoundAt + 50_000_000L)
                    .allMatch(c -> ("beta@" + beta.getVersion()).equals(c.answeredBy())),
                    "after the replacement every call reaches it");

            // the kernel only rebound: same component configuration, service never unregistered
            assertEquals(kernelConfiguration, kernelConfigurationId(), "the kernel component was re-created");
            assertEquals(0, kernelUnregistrations.get(), "the kernel's DriverService was unregistered");

            System.out.printf("swap under load: %d calls, %d failed with 'no layer driver is bound', longest call "
                    + "%d ms, windows with no layer driver bound (stop, update, uninstall+install) %s ms%n",
                    calls.size(),
                    calls.stream().filter(CallLoad.Call::noDriverBound).count(),
                    calls.stream().mapToLong(CallLoad.Call::millis).max().orElse(0), gaps(driverEvents));
        } finally {
            subscription.close();
            context.removeServiceListener(watch);
        }
    }

    @Test
    void aHigherRankedDriverTakesOverAndSwapPinsTheChoice() throws Exception {
        install("alpha");
        TestDrivers.await("alpha bound", Duration.ofSeconds(5), () -> boundId().equals("alpha"));
        install("beta"); // ranking 10 beats 0: the greedy reference rebinds
        TestDrivers.await("beta bound", Duration.ofSeconds(5), () -> boundId().equals("beta"));
        DriverKindReport report = TestDrivers.report(drivers, DriverKind.LAYER);
        assertEquals(DriverState.STANDBY, report.alternatives().get(0).state());
        assertTrue(report.alternatives().get(0).reason().contains("ranking 0 is below beta's 10"),
                report.alternatives().get(0).reason());

        report = drivers.swap(DriverKind.LAYER, "alpha");
        assertEquals("alpha", report.bound().orElseThrow().id());
        assertEquals("alpha", report.pinned().orElseThrow());
        assertEquals("alpha", drivers.probe(DriverKind.LAYER).get("driver"));
        assertTrue(report.alternatives().get(0).reason().contains("'keel swap' chose alpha"));

        Bundle alpha = installed.get(0);
        alpha.stop(); // the chosen one goes away: ranking decides meanwhile
        TestDrivers.await("beta bound", Duration.ofSeconds(5), () -> boundId().equals("beta"));
        alpha.start(); // and the choice holds when it returns
        TestDrivers.await("alpha bound again", Duration.ofSeconds(5), () -> boundId().equals("alpha"));

        drivers.unpin(DriverKind.LAYER);
        assertEquals("beta", boundId());
        KeelException unknown = assertThrows(KeelException.class, () -> drivers.swap(DriverKind.LAYER, "gamma"));
        assertEquals(ErrorKind.NOT_FOUND, unknown.kind());
        assertTrue(unknown.getMessage().contains("registered: beta, alpha"), unknown.getMessage());
    }

    @Test
    void aCallWithNoDriverWaitsTheBoundAndNamesTheKind() {
        long start = System.nanoTime();
        KeelException e = assertThrows(KeelException.class, () -> drivers.probe(DriverKind.STORAGE));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().startsWith("no storage driver is bound (waited 1500 ms)"), e.getMessage());
        assertTrue(millis >= WAIT_MS - 50 && millis < WAIT_MS + 1000, "waited " + millis + " ms");
    }

    @Test
    void aDriverThatArrivesWhileACallWaitsAnswersIt() throws Exception {
        List<Object> result = new CopyOnWriteArrayList<>();
        Thread caller = new Thread(() -> {
            try {
                result.add(drivers.probe(DriverKind.LAYER));
            } catch (RuntimeException e) {
                result.add(e);
            }
        });
        caller.start();
        Thread.sleep(300);
        assertTrue(caller.isAlive(), "the call must be waiting for a driver");
        install("alpha");
        caller.join(WAIT_MS + 1000);
        assertFalse(caller.isAlive());
        assertEquals("alpha", ((Map<?, ?>) result.get(0)).get("driver"));
    }

    private Bundle install(String id) throws Exception {
        Bundle bundle = TestDrivers.installAndStart(context, id);
        installed.add(bundle);
        return bundle;
    }

    private String boundId() {
        return TestDrivers.bound(drivers, DriverKind.LAYER).map(b -> b.id()).orElse("");
    }

    private long kernelConfigurationId() {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.name.equals("keel.kernel.drivers.DriverBindings")) {
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    assertEquals(ComponentConfigurationDTO.ACTIVE, c.state, "the kernel component is not active");
                    return c.id;
                }
            }
        }
        throw new AssertionError("no kernel component");
    }

    /** Each time between an unbind event and the next bind event, in milliseconds. */
    private static List<Long> gaps(List<Event> events) {
        List<Long> gaps = new ArrayList<>();
        Instant unboundAt = null;
        for (Event e : events) {
            if (e.action().equals("unbind")) {
                unboundAt = e.time();
            } else if (e.action().equals("bind") && unboundAt != null) {
                gaps.add(Duration.between(unboundAt, e.time()).toMillis());
                unboundAt = null;
            }
        }
        return gaps;
    }
}
