package keel.it.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.driver.DriverKind;
import keel.api.kernel.DriverService;

/**
 * Callers that keep the kernel busy: each thread calls {@code probe(kind)} in a loop and records
 * every outcome (which driver and version answered, or the error) and how long the call took.
 */
final class CallLoad implements AutoCloseable {
    /** One call: when it started and ended (ns), who answered ("driver@version"), or the error. */
    record Call(long startNanos, long endNanos, String answeredBy, Throwable error) {
        long millis() {
            return (endNanos - startNanos) / 1_000_000;
        }

        boolean noDriverBound() {
            return error instanceof KeelException k && k.kind() == ErrorKind.UNAVAILABLE;
        }
    }

    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);

    CallLoad(DriverService drivers, DriverKind kind, int threadCount) {
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    try {
                        Map<String, String> facts = drivers.probe(kind);
                        calls.add(new Call(start, System.nanoTime(), facts.get("driver") + "@" + facts.get("version"),
                                null));
                    } catch (Throwable e) {
                        calls.add(new Call(start, System.nanoTime(), null, e));
                    }
                }
            }, "keel-it-caller-" + i);
            threads.add(t);
            t.start();
        }
    }

    List<Call> calls() {
        synchronized (calls) {
            return new ArrayList<>(calls);
        }
    }

    /** Stops the callers and waits for their last calls; returns false if one hangs past {@code millis}. */
    boolean stop(long millis) throws InterruptedException {
        running.set(false);
        long deadline = System.currentTimeMillis() + millis;
        for (Thread t : threads) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        stop(10_000);
    }
}
