package keel.kernel.state;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test hook: named points between the durable steps of pull, load, commit, run and rm, where a
 * test makes the daemon die as {@code kill -9} would ({@link Runtime#halt}: no shutdown hook, no
 * {@code finally}, nothing flushed that was not already written). The JVM system property
 * {@code keel.test.crash-at} names one point, {@code POINT} or {@code POINT@N} (die the Nth time it
 * is reached, from 1); it is read once. Without it, {@link #reach} costs one comparison.
 * Points are named {@code step.what-is-now-durable}; ARCHITECTURE.md (crash safety) lists them.
 */
public final class CrashPoints {
    private static final String POINT;
    private static final int NTH;
    private static final AtomicInteger REACHED = new AtomicInteger();

    static {
        String at = System.getProperty("keel.test.crash-at", "");
        int nth = at.lastIndexOf('@');
        POINT = nth < 0 ? at : at.substring(0, nth);
        try {
            NTH = nth < 0 ? 1 : Integer.parseInt(at.substring(nth + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dkeel.test.crash-at=" + at + ": N in POINT@N must be a number", e);
        }
    }

    private CrashPoints() {
    }

    /** Dies here (exit status 137, as after SIGKILL) if the property names this point and this is its Nth time. */
    public static void reach(String point) {
        if (!POINT.isEmpty() && POINT.equals(point) && REACHED.incrementAndGet() == NTH) {
            // logged first (synchronously), so a test can tell that the daemon died here and not elsewhere
            org.slf4j.LoggerFactory.getLogger(CrashPoints.class).error("crash point {} reached: halting", at());
            Runtime.getRuntime().halt(137);
        }
    }

    private static String at() {
        return POINT + "@" + NTH;
    }
}
