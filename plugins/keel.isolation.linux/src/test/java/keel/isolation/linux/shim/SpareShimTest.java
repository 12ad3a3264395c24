package keel.isolation.linux.shim;

import static keel.isolation.linux.shim.Harness.awaitExit;
import static keel.isolation.linux.shim.Harness.stdout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A launcher with a spare: one shim started ahead, taken by the next launch, replaced, ended at close. */
@Timeout(60)
class SpareShimTest extends HarnessTest {

    private ShimLauncher launcher;

    @BeforeEach
    void setUp() {
        launcher = ShimLauncher.withSpare(Harness.SHIM, h.dir);
    }

    @AfterEach
    void tearDown() {
        if (launcher != null) {
            launcher.close(); // before the harness checks that nothing is left (JUnit runs it first)
        }
    }

    @Test
    void aLaunchTakesTheWaitingSpareAndAnotherOneIsStarted() throws Exception {
        Thread.sleep(100);
        assertEquals(-1, launcher.sparePid(), "no spare before the first launch");
        Path warm = h.state("w");
        launcher.launch(h.container(warm, "true"), pid -> { });
        assertEquals(0, awaitExit(warm).code());
        long first = awaitSpare(-1);
        assertEquals("keel-shim", comm(first), "the spare waits as keel-shim");
        Path state = h.state("a");
        launcher.launch(h.container(state, "sh", "-c", "echo from the spare"), pid -> { });
        assertEquals(0, awaitExit(state).code());
        assertEquals("from the spare\n", stdout(state));
        assertFalse(alive(first), "the spare that was taken detached (double fork) and its first process ended");
        long second = awaitSpare(first);
        assertNotEquals(first, second);
        Path next = h.state("b");
        launcher.launch(h.container(next, "sh", "-c", "exit 3"), pid -> { });
        assertEquals(3, awaitExit(next).code());
    }

    /**
     * The pid comes while the process still makes its namespaces, but it was born in its network
     * namespace: what the launch hook sees of it (where the network driver attaches) is the
     * container's own.
     */
    @Test
    void eachContainerHasANetworkNamespaceOfItsOwnWhileTheShimStaysInTheHosts() throws Exception {
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        Path warm = h.state("w");
        launcher.launch(h.container(warm, "true"), pid -> { });
        assertEquals(0, awaitExit(warm).code());
        awaitSpare(-1);                              // the next one comes from a spare, made ahead
        Set<String> seen = new HashSet<>();
        for (String name : List.of("n1", "n2")) {
            Path s = h.state(name);
            String[] atHook = new String[1];
            ShimResult r = launcher.launch(h.container(s, "sh", "-c", "readlink /proc/self/ns/net; sleep 1"),
                    pid -> atHook[0] = netnsOf(pid));
            assertEquals(host, Files.readSymbolicLink(Path.of("/proc/" + r.shimPid() + "/ns/net")).toString(),
                    "the shim left the host's network namespace");
            assertEquals(0, awaitExit(s).code());
            String netns = stdout(s).strip();
            assertTrue(netns.startsWith("net:["), netns);
            assertNotEquals(host, netns, "the container shares the host's network namespace");
            assertTrue(seen.add(netns), "two containers share " + netns);
            assertEquals(netns, atHook[0], "the launch hook saw another network namespace than the container's");
        }
    }

    private static String netnsOf(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void concurrentLaunchesEachGetAShim() throws Exception {
        Path warm = h.state("w");
        launcher.launch(h.container(warm, "true"), pid -> { });
        awaitSpare(-1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Path state = h.state("c" + i);
                int code = i;
                runs.add(pool.submit(() -> {
                    launcher.launch(h.container(state, "sh", "-c", "exit " + code), pid -> { });
                    return state;
                }));
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(i, awaitExit(runs.get(i).get()).code());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeEndsTheSpareAndLaterLaunchesStartTheirOwn() throws Exception {
        Path warm = h.state("w");
        launcher.launch(h.container(warm, "true"), pid -> { });
        long spare = awaitSpare(-1);
        launcher.close();
        for (int i = 0; i < 100 && alive(spare); i++) {
            Thread.sleep(20);
        }
        assertFalse(alive(spare), "the spare ends when the launcher closes");
        assertEquals(-1, launcher.sparePid());
        Path state = h.state("d");
        launcher.launch(h.container(state, "true"), pid -> { });
        assertEquals(0, awaitExit(state).code());
        Thread.sleep(200);
        assertEquals(-1, launcher.sparePid(), "no new spare after close");
    }

    /** Waits (up to 10 s) for a spare other than {@code not}; its pid. */
    private long awaitSpare(long not) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            long pid = launcher.sparePid();
            if (pid > 0 && pid != not) {
                return pid;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no spare shim within 10 s");
    }

    private static boolean alive(long pid) {
        return Harness.running(pid);
    }

    private static String comm(long pid) throws Exception {
        return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
    }
}
