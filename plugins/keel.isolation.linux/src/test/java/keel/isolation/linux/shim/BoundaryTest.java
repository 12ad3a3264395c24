package keel.isolation.linux.shim;

import static keel.isolation.linux.shim.Harness.awaitExit;
import static keel.isolation.linux.shim.Harness.stderr;
import static keel.isolation.linux.shim.Harness.stdout;
import static keel.isolation.linux.shim.LinuxAbi.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import keel.api.isolation.ExitStatus;

/** The process boundary under attack from inside the container (THREATS.md, "The process boundary"). */
@Timeout(60)
class BoundaryTest {

    private static final long WITH_PTRACE = Harness.DOCKER_CAPS | LinuxAbi.capabilities(List.of("SYS_PTRACE"));

    private Harness h;
    private Path state;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Files.readString(Path.of("/proc/self/status")).contains("\nUid:\t0\t"), "needs root");
        h = new Harness();
        state = h.state("c");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    /**
     * CVE-2019-5736: with INIT, the container's PID 1 is shim code. Even with CAP_SYS_PTRACE (so
     * that /proc/1/exe opens although the shim is not dumpable) it is a sealed memfd: no write,
     * truncate or open for writing gets to the shim's binary.
     */
    @Test
    void cve2019_5736_theInitsExeIsASealedCopy() throws Exception {
        String before = Harness.sha256(Harness.SHIM);
        ExitStatus exit = h.run(state, h.container(state, "sh", "-c", "readlink /proc/1/exe; "
                + "echo pwned > /proc/1/exe && echo TRUNCATED; "
                + "printf x | dd of=/proc/1/exe conv=notrunc 2>/dev/null && echo WROTE; "
                + "(exec 3<>/proc/1/exe) 2>/dev/null && echo OPENED-RW; true")
                .init(true).capabilities(WITH_PTRACE, WITH_PTRACE, 0, WITH_PTRACE, 0));
        assertEquals(0, exit.code());
        assertEquals("/memfd:keel-shim (deleted)\n", stdout(state));
        assertEquals(before, Harness.sha256(Harness.SHIM));
    }

    /** CVE-2019-5736 from a container in the host's PID namespace, aiming at the supervising shim itself. */
    @Test
    void cve2019_5736_theShimsExeCannotBeOverwritten() throws Exception {
        String before = Harness.sha256(Harness.SHIM);
        ShimResult r = h.start(h.container(state, "sh", "-c", "while [ ! -s /shimpid ]; do sleep 0.02; done; p=$(cat /shimpid); "
                + "readlink /proc/$p/exe; echo pwned > /proc/$p/exe && echo TRUNCATED; "
                + "printf x | dd of=/proc/$p/exe conv=notrunc 2>/dev/null && echo WROTE; true")
                .namespaces(Harness.ALL_NAMESPACES & ~CLONE_NEWPID)
                .capabilities(WITH_PTRACE, WITH_PTRACE, 0, WITH_PTRACE, 0));
        assertTrue(Files.readSymbolicLink(Path.of("/proc/" + r.shimPid() + "/exe")).toString().startsWith("/memfd:keel-shim"));
        Path tmp = h.rootfs.resolve(".shimpid");
        Files.writeString(tmp, Long.toString(r.shimPid()));
        Files.move(tmp, h.rootfs.resolve("shimpid"), StandardCopyOption.ATOMIC_MOVE);
        assertEquals(0, awaitExit(state).code());
        assertEquals("/memfd:keel-shim (deleted)\n", stdout(state));
        assertEquals(before, Harness.sha256(Harness.SHIM));
    }

    /** CVE-2024-21626: a working directory through a leaked descriptor; none leaks, and the check refuses. */
    @Test
    void cve2024_21626_aCwdThroughADescriptorIsRefused() throws Exception {
        for (int fd = 0; fd <= 12; fd++) {
            Path s = h.state("fd" + fd);
            String cwd = "/proc/self/fd/" + fd;
            ShimException e = assertThrows(ShimException.class, () -> h.start(h.container(s, "sh", "-c", "ls ..").cwd(cwd)));
            assertEquals("chdir", e.stage(), e.getMessage());
        }
    }

    /** The same through the container's own /proc/1/cwd and /proc/self/root: both stay inside. */
    @Test
    void magicLinksInTheCwdStayInsideTheRoot() throws Exception {
        Files.writeString(h.rootfs.resolve("root/marker"), "inside\n");
        h.run(state, h.container(state, "sh", "-c", "pwd; cat marker").cwd("/proc/self/root/root"));
        assertEquals("/root\ninside\n", stdout(state));
    }

    /**
     * Symlinks in the rootfs pointing at host directories: they resolve inside the root, and a
     * dangling one is never created through, so nothing appears on the host.
     */
    @Test
    void mountTargetsResolveInsideTheRoot() throws Exception {
        Path outside = Files.createDirectories(h.dir.resolve("outside"));
        Path inside = Files.createDirectories(h.rootfs.resolve(outside.toString().substring(1)));
        Files.createSymbolicLink(h.rootfs.resolve("escape"), outside);                 // absolute host path
        Files.createSymbolicLink(h.rootfs.resolve("climb"), Path.of("../../../../../../.." + outside));
        ExitStatus exit = h.run(state, h.container(state, "sh", "-c", "ls -d /escape/sub /climb/sub2")
                .mount(MS_NOSUID, "/escape/sub", "tmpfs", "tmpfs", "size=1m")
                .mount(MS_NOSUID, "/climb/sub2", "tmpfs", "tmpfs", "size=1m"));
        assertEquals(0, exit.code(), stderr(state));
        assertEquals(List.of(), Files.list(outside).toList(), "nothing created outside the root");
        assertTrue(Files.isDirectory(inside.resolve("sub")) && Files.isDirectory(inside.resolve("sub2")));

        Path dangling = h.dir.resolve("not-there");
        Files.createSymbolicLink(h.rootfs.resolve("dangling"), dangling);
        ShimException e = assertThrows(ShimException.class, () -> h.start(h.container(h.state("d"), "true")
                .mount(MS_NOSUID, "/dangling/sub", "tmpfs", "tmpfs", "size=1m")));
        assertEquals("mount", e.stage());
        assertEquals(40, e.errno(), e.getMessage());      // ELOOP: a symlink where a directory was to be made
        assertFalse(Files.exists(dangling));
    }

    @Test
    void aSymlinkIsNeverAMountTarget() throws Exception {
        Files.createSymbolicLink(h.rootfs.resolve("etc/link"), Path.of("/etc/passwd"));
        ShimException e = assertThrows(ShimException.class,
                () -> h.start(h.container(state, "true").mount(MS_BIND, "/etc/link", "", "/etc/hostname", "")));
        assertEquals("mount", e.stage());
        assertEquals(40, e.errno(), e.getMessage());      // ELOOP
        ShimException m = assertThrows(ShimException.class,
                () -> h.start(h.container(h.state("m"), "true").mask("/etc/link")));
        assertEquals("mask", m.stage());
        assertEquals(40, m.errno());
    }

    /** MS_BIND|MS_RDONLY: read-only from the start; the host directory keeps its content. */
    @Test
    void aReadOnlyBindIsReadOnly() throws Exception {
        Path data = Files.createDirectories(h.dir.resolve("data"));
        Files.writeString(data.resolve("f"), "host");
        ExitStatus exit = h.run(state, h.container(state, "sh", "-c", "cat /data/f; echo x > /data/f; echo x > /data/g")
                .mount(MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV, "/data", "bind", data.toString(), ""));
        assertNotEquals(0, exit.code());
        assertEquals("host", stdout(state));
        assertTrue(stderr(state).contains("Read-only file system"), stderr(state));
        assertEquals("host", Files.readString(data.resolve("f")));
        assertFalse(Files.exists(data.resolve("g")));
    }
}
