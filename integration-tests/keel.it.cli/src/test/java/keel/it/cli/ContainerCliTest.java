package keel.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real containers from a busybox root filesystem, through the keel client, as issue "Isolation"
 * asks to show them: namespaces, masks, capabilities, seccomp, descriptors, users, exit codes,
 * signals, a terminal, exec, stop, logs, and nothing left behind.
 */
class ContainerCliTest {
    static Keel keel;
    static Path rootfs;

    @BeforeAll
    static void setUp() throws Exception {
        keel = new Keel("containers");
        rootfs = Path.of(System.getProperty("keel.it.tmp")).resolve("containers/rootfs");
        Keel.busyboxRootfs(rootfs);
    }

    @AfterAll
    static void tearDown() throws Exception {
        Keel.Result ps = keel.keel("ps", "-aq", "--no-trunc");
        for (String id : ps.out().lines().toList()) {
            keel.keel("rm", "-f", id);
        }
        keel.close();
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains(rootfs.toString()), "a mount under the test rootfs is left:\n" + mounts);
    }

    static Keel.Result run(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--rootfs", rootfs.toString()));
        all.addAll(List.of(args));
        return keel.keel(all.toArray(String[]::new));
    }

    static Keel.Result sh(String script) throws Exception {
        return run("/bin/sh", "-c", script);
    }

    @Test
    void pid1IsTheCommandAndTheHostnameIsTheContainers() throws Exception {
        Keel.Result pid = sh("echo $$");
        assertEquals(0, pid.code(), pid.toString());
        assertEquals("1", pid.out().trim());
        assertEquals("boat", run("-h", "boat", "hostname").out().trim());
        Keel.Result hosts = sh("cat /etc/hostname; grep -c boat /etc/hosts");
        assertEquals(List.of("shipshape", "0"), List.of(run("-h", "shipshape", "cat", "/etc/hostname").out().trim(),
                hosts.out().lines().toList().get(1)));
    }

    @Test
    void onlyLoopbackWithNetworkNone() throws Exception {
        Keel.Result links = sh("ls /sys/class/net");
        assertEquals("lo", links.out().trim(), links.toString());
    }

    @Test
    void procIsMaskedAndReadOnlyWhereItMustBe() throws Exception {
        // masked: whichever of the OCI default masked files this kernel has reads as empty inside
        int checked = 0;
        for (String file : List.of("/proc/kcore", "/proc/keys", "/proc/timer_list")) {
            if (Files.exists(Path.of(file))) {
                Keel.Result masked = sh("wc -c < " + file);
                assertEquals("0", masked.out().trim(), file + " is not masked: " + masked);
                checked++;
            }
        }
        assertTrue(checked > 0, "none of the masked files exists on this host");
        Keel.Result write = sh("echo x > /proc/sys/kernel/hostname");
        assertTrue(write.code() != 0, write.toString());
        assertTrue(write.err().contains("Read-only file system"), write.toString());
    }

    @Test
    void mountIsRefusedAndTheSecuritySettingsAreDockers() throws Exception {
        Keel.Result mount = sh("mkdir -p /mnt && mount -t tmpfs none /mnt");
        assertTrue(mount.code() != 0, mount.toString());
        assertTrue(mount.err().toLowerCase().contains("operation not permitted")
                || mount.err().toLowerCase().contains("permission denied"), mount.toString());
        String status = sh("cat /proc/self/status").out();
        assertTrue(status.contains("CapEff:\t00000000a80425fb"), status);
        assertTrue(status.contains("NoNewPrivs:\t1"), status);
        assertTrue(status.contains("Seccomp:\t2"), status);
    }

    @Test
    void onlyTheStandardDescriptorsAreOpen() throws Exception {
        Keel.Result fds = run("ls", "/proc/self/fd");
        assertEquals(List.of("0", "1", "2", "3"), fds.out().lines().toList(), fds.toString());
    }

    @Test
    void usersExitCodesAndMissingCommands() throws Exception {
        assertEquals("65534", run("-u", "nobody", "id", "-u").out().trim());
        assertEquals(42, sh("exit 42").code());
        Keel.Result missing = run("/no/such/command");
        assertEquals(127, missing.code(), missing.toString());
        assertTrue(missing.err().contains("/no/such/command"), missing.err());
        Keel.Result notExecutable = run("/etc/passwd");
        assertEquals(126, notExecutable.code(), notExecutable.toString());
    }

    @Test
    void ctrlCOnAnAttachedRunStopsTheContainer() throws Exception {
        for (List<String> command : List.of(List.of("/bin/sh", "-c", "trap 'exit 130' INT; while :; do sleep 0.1; done"),
                List.of("--init", "sleep", "100"))) {
            List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--rootfs",
                    rootfs.toString()));
            args.addAll(command);
            Process client = Keel.builder(keel.command(args)).start();
            Thread.sleep(1500);
            new ProcessBuilder("kill", "-INT", Long.toString(client.pid())).start().waitFor();
            assertTrue(client.waitFor(10, TimeUnit.SECONDS), "Ctrl-C did not end " + command);
            assertEquals(130, client.exitValue(), command.toString());
        }
    }

    @Test
    void withTtyTheContainerHasATerminal() throws Exception {
        String command = String.join(" ", keel.command(List.of("run", "--rm", "-it", "--network", "none", "--rootfs",
                rootfs.toString(), "tty")));
        Keel.Result tty = Keel.exec(List.of("script", "-qec", command, "/dev/null"));
        assertEquals(0, tty.code(), tty.toString());
        assertTrue(tty.out().contains("/dev/pts/0"), tty.toString());
    }

    @Test
    void execJoinsTheContainerAndStopEndsAnIgnorerBySigkill() throws Exception {
        Keel.Result started = keel.keel("run", "-d", "--name", "ignorer", "--network", "none", "--rootfs",
                rootfs.toString(), "/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done");
        assertEquals(0, started.code(), started.toString());
        Keel.Result ps = keel.keel("exec", "ignorer", "ps", "-o", "pid,args");
        assertEquals(0, ps.code(), ps.toString());
        assertTrue(ps.out().lines().anyMatch(l -> l.trim().startsWith("1 ") && l.contains("/bin/sh -c trap")), ps.out());
        assertEquals(3, keel.keel("exec", "ignorer", "sh", "-c", "exit 3").code());
        int listed = keel.keel("ps", "-aq").out().lines().toList().size();
        assertTrue(keel.keel("info").out().contains("Containers:        " + listed), "keel info counts the containers");

        long start = System.nanoTime();
        Keel.Result stop = keel.keel("stop", "-t", "1", "ignorer");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, stop.code(), stop.toString());
        assertTrue(millis >= 900 && millis < 6000, "stop took " + millis + " ms");
        Keel.Result inspect = keel.keel("inspect", "ignorer");
        assertTrue(inspect.out().contains("\"exitCode\" : 137"), inspect.out());
        assertTrue(keel.keel("logs", "ignorer").out().contains("ready"));
        assertEquals(0, keel.keel("rm", "ignorer").code());
    }

    /**
     * Issue 8: kill -9 of a container's shim kills the container (PDEATHSIG), and the daemon records
     * it as exited within 1 s without anyone asking (no ps or inspect, which would look themselves):
     * the record on disk says STOPPED, 137.
     */
    @Test
    void aKilledShimEndsItsContainerAndTheDaemonRecordsItWithinASecond() throws Exception {
        Keel.Result started = keel.keel("run", "-d", "--name", "orphaned", "--network", "none", "--rootfs",
                rootfs.toString(), "sleep", "1000");
        assertEquals(0, started.code(), started.toString());
        String id = started.out().trim();
        Path record = keel.root.resolve("containers").resolve(id).resolve("container.json");
        assertTrue(Files.readString(record).contains("\"RUNNING\""), Files.readString(record));
        long shim = Long.parseLong(Files.readString(keel.run.resolve("c").resolve(id.substring(0, 12))
                .resolve("shim.pid")).trim());
        new ProcessBuilder("kill", "-9", Long.toString(shim)).start().waitFor();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!Files.readString(record).contains("\"STOPPED\"") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        String state = Files.readString(record);
        assertTrue(state.contains("\"STOPPED\""), "still not exited 1 s after kill -9 of its shim:\n" + state);
        assertTrue(state.replace(" ", "").contains("\"exitCode\":137"), state);
        assertEquals(0, keel.keel("rm", "orphaned").code());
    }

    @Test
    void logsKeepStdoutAndStderrApart() throws Exception {
        Keel.Result started = keel.keel("run", "-d", "--name", "talker", "--network", "none", "--rootfs",
                rootfs.toString(), "/bin/sh", "-c", "echo to-out; echo to-err >&2");
        assertEquals(0, started.code(), started.toString());
        assertEquals("0", keel.keel("wait", "talker").out().trim());
        Keel.Result logs = keel.keel("logs", "talker");
        assertEquals("to-out\n", logs.out());
        assertEquals("to-err\n", logs.err());
        assertTrue(keel.keel("ps", "-a").out().contains("Exited (0)"));
        assertEquals(0, keel.keel("rm", "talker").code());
    }

    @Test
    void theHostsShimBinaryCannotBeOverwrittenFromInside() throws Exception {
        Path shimDir = keel.root.resolve("isolation.linux");
        Keel.Result started = keel.keel("run", "-d", "--name", "attacker", "--network", "none", "--rootfs",
                rootfs.toString(), "sleep", "100");
        assertEquals(0, started.code(), started.toString());
        Path shim;
        try (var files = Files.list(shimDir)) {
            shim = files.filter(p -> p.getFileName().toString().startsWith("keel-shim-")).findFirst().orElseThrow();
        }
        String before = Keel.sha256(shim);
        Path sealed = sealedCopy();    // what every shim runs from: the daemon's sealed memfd of that binary
        assertEquals(before, Keel.sha256(sealed));
        // every process visible inside, including an exec's supervisor while it joins: try to write its exe
        keel.keel("exec", "attacker", "/bin/sh", "-c",
                "for p in /proc/[0-9]*; do echo pwned > $p/exe 2>/dev/null; done; true");
        assertEquals(before, Keel.sha256(shim), "the shim binary changed");
        assertEquals(before, Keel.sha256(sealed), "the sealed copy the shims run from changed");
        assertEquals(0, run("true").code(), "a container starts after the attempt");
        Keel.Result cwd = keel.keel("run", "--rm", "--network", "none", "-w", "/proc/self/fd/7", "--rootfs",
                rootfs.toString(), "ls", "..");
        assertTrue(cwd.code() != 0 || !cwd.out().contains("etc"), "a working directory escaped: " + cwd);
        keel.keel("rm", "-f", "attacker");
    }

    /** The daemon's descriptor of its sealed in-memory copy of keel-shim. */
    private static Path sealedCopy() throws Exception {
        try (var fds = Files.list(Path.of("/proc/" + keel.daemonPid() + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("/memfd:keel-shim")) {
                        return fd;
                    }
                } catch (java.io.IOException closedMeanwhile) {
                    // not this one
                }
            }
        }
        throw new AssertionError("the daemon holds no sealed copy of keel-shim (/memfd:keel-shim)");
    }

}
