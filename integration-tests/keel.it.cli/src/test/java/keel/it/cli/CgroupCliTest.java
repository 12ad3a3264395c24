package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Limits through the CLI on this host's cgroup v1: OOM, pids, pause, update, stats, restart. */
class CgroupCliTest {
    static Keel keel;
    static Path rootfs;

    @BeforeAll
    static void setUp() throws Exception {
        keel = new Keel("cgroups");
        rootfs = Path.of(System.getProperty("keel.it.tmp")).resolve("cgroups/rootfs");
        Keel.busyboxRootfs(rootfs);
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (String id : keel.keel("ps", "-aq", "--no-trunc").out().lines().toList()) {
            keel.keel("rm", "-f", id);
        }
        keel.close();
    }

    Keel.Result run(String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("run", "--network", "none", "--rootfs", rootfs.toString()));
        all.addAll(List.of(args));
        return keel.keel(all.toArray(String[]::new));
    }

    @Test
    void aProcessPastTheMemoryLimitIsOomKilledAndReportedSo() throws Exception {
        Keel.Result r = run("--name", "hog", "-m", "64m", "--memory-swap", "64m", "dd", "if=/dev/zero", "of=/dev/null",
                "bs=200M", "count=1");
        assertEquals(137, r.code(), r.toString());
        String inspect = keel.keel("inspect", "hog").out();
        assertTrue(inspect.contains("\"oomKilled\" : true"), inspect);
        assertTrue(inspect.contains("\"exitCode\" : 137"), inspect);
        keel.keel("rm", "hog");
    }

    @Test
    void aForkBombIsHeldByThePidsLimit() throws Exception {
        Keel.Result started = run("-d", "--name", "bomb", "--pids-limit", "20", "sleep", "1000");
        assertEquals(0, started.code(), started.toString());
        Keel.Result bomb = keel.keel("exec", "bomb", "/bin/sh", "-c", "for i in $(seq 1 60); do sleep 100 & done");
        assertTrue(bomb.code() != 0, "forks past the limit must fail: " + bomb);
        assertTrue(bomb.err().contains("fork"), bomb.toString());
        Keel.Result stats = keel.keel("stats", "--no-stream", "--format", "json", "bomb");
        java.util.regex.Matcher pids = java.util.regex.Pattern.compile("\"pids\":(\\d+)").matcher(stats.out());
        assertTrue(pids.find(), stats.out());
        int processes = Integer.parseInt(pids.group(1));
        assertTrue(processes > 1 && processes <= 20, processes + " processes under a limit of 20");
        long start = System.nanoTime();
        assertEquals(0, keel.keel("rm", "-f", "bomb").code(), "the bomb must be removable");
        assertTrue((System.nanoTime() - start) / 1_000_000 < 10_000, "rm -f of a fork bomb took too long");
    }

    @Test
    void badLimitsAreRefusedNamingTheFlagBeforeAnythingIsCreated() throws Exception {
        int before = keel.keel("ps", "-aq").out().lines().toList().size();
        Keel.Result memory = run("--rm", "-m", "1k", "true");
        assertEquals(125, memory.code(), memory.toString());
        assertTrue(memory.err().contains("--memory"), memory.err());
        Keel.Result cpus = run("--rm", "--cpuset-cpus", "0-99", "true");
        assertEquals(125, cpus.code(), cpus.toString());
        assertTrue(cpus.err().contains("--cpuset-cpus"), cpus.err());
        assertEquals(before, keel.keel("ps", "-aq").out().lines().toList().size(), "a refused run left a container");
    }

    @Test
    void pauseFreezesUnpauseResumesUpdateAndStatsWork() throws Exception {
        Keel.Result started = run("-d", "--name", "counter", "/bin/sh", "-c",
                "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done");
        assertEquals(0, started.code(), started.toString());
        Thread.sleep(500);
        assertEquals(0, keel.keel("pause", "counter").code());
        assertTrue(keel.keel("ps").out().contains("(Paused)"));
        // exec would join a frozen cgroup and hang with it: read the counter through the host's view
        Keel.Result paused1 = keel.keel("unpause", "counter");
        assertEquals(0, paused1.code(), paused1.toString());
        String a = keel.keel("exec", "counter", "cat", "/tmp/n").out().trim();
        assertEquals(0, keel.keel("pause", "counter").code());
        Thread.sleep(600);
        assertEquals(0, keel.keel("unpause", "counter").code());
        String b = keel.keel("exec", "counter", "cat", "/tmp/n").out().trim();
        int advanced = Integer.parseInt(b) - Integer.parseInt(a);
        assertTrue(advanced < 8, "the counter advanced " + advanced + " while paused for 600 ms");

        assertEquals(0, keel.keel("update", "-m", "96m", "counter").code());
        String inspect = keel.keel("inspect", "counter").out();
        assertTrue(inspect.contains("\"limit\" : " + (96L << 20)), inspect);
        Keel.Result stats = keel.keel("stats", "--no-stream", "counter");
        assertEquals(0, stats.code(), stats.toString());
        assertTrue(stats.out().contains("counter"), stats.out());
        assertTrue(stats.out().contains("/ 100.7MB"), stats.out());
        keel.keel("rm", "-f", "counter");
    }

    @Test
    void onFailureRestartsUpToItsCount() throws Exception {
        Keel.Result started = run("-d", "--name", "flaky", "--restart", "on-failure:2", "/bin/sh", "-c", "exit 3");
        assertEquals(0, started.code(), started.toString());
        long deadline = System.currentTimeMillis() + 15_000;
        String inspect = "";
        while (System.currentTimeMillis() < deadline) {
            inspect = keel.keel("inspect", "flaky").out();
            if (inspect.contains("\"restartCount\" : 2") && inspect.contains("\"status\" : \"STOPPED\"")) {
                break;
            }
            Thread.sleep(200);
        }
        assertTrue(inspect.contains("\"restartCount\" : 2"), inspect);
        Thread.sleep(1500);
        assertTrue(keel.keel("inspect", "flaky").out().contains("\"restartCount\" : 2"), "restarted past its count");
        keel.keel("rm", "-f", "flaky");
    }
}
