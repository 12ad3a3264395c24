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

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import keel.api.isolation.ExitStatus;

/** The process boundary under attack from inside the container (THREATS.md, "The process boundary"). */
@Timeout(60)
class BoundaryTest extends HarnessTest {

    private static final long WITH_PTRACE = Harness.DOCKER_CAPS | LinuxAbi.capabilities(List.of("SYS_PTRACE"));


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
     * dangling one is followed inside the root too (what it names is made there), so nothing
     * appears on the host.
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
        Path d = h.state("d");
        assertEquals(0, h.run(d, h.container(d, "true").mount(MS_NOSUID, "/dangling/sub", "tmpfs", "tmpfs", "size=1m"))
                .code(), stderr(d));
        assertFalse(Files.exists(dangling), "made on the host");
        assertTrue(Files.isDirectory(h.rootfs.resolve(dangling.toString().substring(1)).resolve("sub")));
    }

    /**
     * A symlink as the mount target itself: a chain through /etc and up past the root, and one
     * that dangles. The mount lands where the link leads inside the root (Docker's behaviour),
     * is made there if missing, and the host path of the same name is untouched.
     */
    @Test
    void aSymlinkTargetIsFollowedInsideTheRoot() throws Exception {
        Path data = Files.createDirectories(h.dir.resolve("data"));
        Files.writeString(data.resolve("f"), "volume\n");
        Path escape = h.dir.resolve("host-escape");
        Files.createSymbolicLink(h.rootfs.resolve("data"), Path.of("/etc/../../.." + escape));
        Files.createSymbolicLink(h.rootfs.resolve("hop"), Path.of("data"));          // a chain: hop -> data -> ...
        ExitStatus exit = h.run(state, h.container(state, "sh", "-c", "cat /hop/f; echo w > /data/g")
                .mount(MS_BIND | MS_REC, "/hop", "bind", data.toString(), ""));
        assertEquals(0, exit.code(), stderr(state));
        assertEquals("volume\n", stdout(state));
        assertFalse(Files.exists(escape, java.nio.file.LinkOption.NOFOLLOW_LINKS), "made on the host");
        assertTrue(Files.isDirectory(h.rootfs.resolve(escape.toString().substring(1))), "made inside the root");
        assertEquals("w\n", Files.readString(data.resolve("g")));

        Files.createSymbolicLink(h.rootfs.resolve("etc/link"), Path.of("/etc/passwd"));
        String passwd = Files.readString(h.rootfs.resolve("etc/passwd"));
        Path s = h.state("s");
        assertEquals(0, h.run(s, h.container(s, "cat", "/etc/passwd")
                .mount(MS_BIND, "/etc/link", "", data.resolve("f").toString(), "")).code(), stderr(s));
        assertEquals("volume\n", stdout(s), "the bind went onto the root's own /etc/passwd");
        assertEquals(passwd, Files.readString(h.rootfs.resolve("etc/passwd")));
    }

    /** Masks and proc/sysfs never follow a symlink: there a link is refused. */
    @Test
    void aSymlinkIsNeverAMaskOrProcTarget() throws Exception {
        Files.createSymbolicLink(h.rootfs.resolve("etc/link"), Path.of("/etc/passwd"));
        ShimException m = assertThrows(ShimException.class,
                () -> h.start(h.container(state, "true").mask("/etc/link")));
        assertEquals("mask", m.stage());
        assertEquals(40, m.errno());
        Files.createSymbolicLink(h.rootfs.resolve("fakeproc"), Path.of("/etc"));
        ShimException p = assertThrows(ShimException.class,
                () -> h.start(h.container(h.state("p"), "true").mount(MS_NOSUID, "/fakeproc", "proc", "proc", "")));
        assertEquals("mount", p.stage());
        assertEquals(40, p.errno(), p.getMessage());
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
