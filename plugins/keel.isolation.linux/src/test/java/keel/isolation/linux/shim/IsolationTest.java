package keel.isolation.linux.shim;

import static keel.isolation.linux.shim.Harness.stderr;
import static keel.isolation.linux.shim.Harness.stdout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import keel.api.isolation.ExitStatus;

/** What a container sees of the host: namespaces, masked and read-only paths, capabilities, seccomp, descriptors, user. */
@Timeout(60)
class IsolationTest extends HarnessTest {


    private ExitStatus run(String script) throws Exception {
        return h.run(state, h.container(state, "sh", "-c", script));
    }

    @Test
    void pidOneIsTheCommand() throws Exception {
        assertEquals(0, run("echo $$; tr '\\0' ' ' < /proc/1/cmdline; echo").code());
        assertEquals("1\nsh -c echo $$; tr '\\0' ' ' < /proc/1/cmdline; echo \n", stdout(state));
    }

    @Test
    void theHostnameIsTheContainers() throws Exception {
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        run("hostname; cat /proc/sys/kernel/hostname");
        assertEquals("keeltest\nkeeltest\n", stdout(state));
        assertEquals(host, Files.readString(Path.of("/proc/sys/kernel/hostname")).strip());
    }

    @Test
    void aNewNetworkNamespaceHasOnlyLoopback() throws Exception {
        run("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; ls /sys/class/net");
        assertEquals("lo\nlo\n", stdout(state));
    }

    @Test
    void maskedPathsReadEmpty() throws Exception {
        assertFalse(Files.readString(Path.of("/proc/timer_list")).isEmpty(), "the host's /proc/timer_list has content");
        run("wc -c < /proc/timer_list; wc -c < /proc/keys; ls -A /sys/firmware | wc -l; "
                + "if [ -e /proc/kcore ]; then wc -c < /proc/kcore; else echo 0; fi; touch /sys/firmware/x");
        assertEquals("0\n0\n0\n0\n", stdout(state));   // (this kernel has no /proc/kcore: masked if present)
        assertTrue(stderr(state).contains("Read-only file system"), stderr(state));
    }

    @Test
    void procSysIsReadOnly() throws Exception {
        ExitStatus exit = run("echo evil > /proc/sys/kernel/hostname");
        assertNotEquals(0, exit.code());
        assertTrue(stderr(state).contains("Read-only file system"), stderr(state));
        assertNotEquals("evil", Files.readString(Path.of("/proc/sys/kernel/hostname")).strip());
    }

    @Test
    void mountIsRefusedWithoutCapSysAdmin() throws Exception {
        ExitStatus exit = run("mount -t tmpfs none /mnt");
        assertNotEquals(0, exit.code());
        assertTrue(stderr(state).contains("permission denied"), stderr(state));   // busybox's words for EPERM
    }

    @Test
    void theCapabilitySetsAreTheOnesSent() throws Exception {
        run("grep -E '^Cap|^NoNewPrivs' /proc/self/status");
        String caps = String.format("%016x", Harness.DOCKER_CAPS);
        assertEquals("CapInh:\t0000000000000000\nCapPrm:\t" + caps + "\nCapEff:\t" + caps + "\nCapBnd:\t" + caps
                + "\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n", stdout(state));
    }

    @Test
    void theUserApplies() throws Exception {
        h.run(state, h.container(state, "sh", "-c", "id; grep -E '^CapEff' /proc/self/status").uid(65534).gid(65534)
                .additionalGid(5));
        assertEquals("uid=65534(nobody) gid=65534(nogroup) groups=5(tty)\nCapEff:\t0000000000000000\n", stdout(state));
    }

    @Test
    void onlyStdioDescriptorsReachTheContainer() throws Exception {
        run("ls /proc/self/fd");
        assertEquals(List.of("0", "1", "2", "3"), Arrays.asList(stdout(state).split("\n")));   // 3: ls's directory
    }

    /** A classic BPF program: mkdir and mkdirat fail with EPERM, everything else is allowed (x86_64 only). */
    static byte[] denyMkdir() {
        int[][] program = {
            { 0x20, 0, 0, 4 },                       // ld  arch
            { 0x15, 1, 0, 0xc000003e },              // jeq AUDIT_ARCH_X86_64, +1
            { 0x06, 0, 0, 0x80000000 },              // ret KILL_PROCESS
            { 0x20, 0, 0, 0 },                       // ld  nr
            { 0x15, 2, 0, 83 },                      // jeq mkdir, deny
            { 0x15, 1, 0, 258 },                     // jeq mkdirat, deny
            { 0x06, 0, 0, 0x7fff0000 },              // ret ALLOW
            { 0x06, 0, 0, 0x00050000 | 1 },          // deny: ret ERRNO(EPERM)
        };
        ByteBuffer b = ByteBuffer.allocate(8 * program.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] i : program) {
            b.putShort((short) i[0]).put((byte) i[1]).put((byte) i[2]).putInt(i[3]);
        }
        return b.array();
    }

    @Test
    void seccompFilterIsInstalledAndBlocks() throws Exception {
        ExitStatus exit = h.run(state, h.container(state, "sh", "-c",
                "grep -E '^Seccomp:|^NoNewPrivs' /proc/self/status; mkdir /tmp/x").seccomp(denyMkdir()));
        assertNotEquals(0, exit.code());
        assertEquals("NoNewPrivs:\t1\nSeccomp:\t2\n", stdout(state));
        assertTrue(stderr(state).contains("Operation not permitted"), stderr(state));
        assertTrue(Files.notExists(h.rootfs.resolve("tmp/x")));
    }

    @Test
    void seccompWithoutNoNewPrivsIsInstalledBeforeCapabilitiesGo() throws Exception {
        ExitStatus exit = h.run(state, h.container(state, "sh", "-c",
                "grep -E '^Seccomp:|^NoNewPrivs' /proc/self/status; mkdir /tmp/x").seccomp(denyMkdir())
                .noNewPrivileges(false));
        assertNotEquals(0, exit.code());
        assertEquals("NoNewPrivs:\t0\nSeccomp:\t2\n", stdout(state));
        assertTrue(Files.notExists(h.rootfs.resolve("tmp/x")));
    }

    @Test
    void readOnlyRoot() throws Exception {
        ExitStatus exit = h.run(state, h.container(state, "sh", "-c", "touch /x; touch /tmp/y; touch /dev/shm/z && echo shm-ok")
                .rootfsReadonly(true));
        assertEquals(0, exit.code());                      // the last command's, on the writable tmpfs
        assertTrue(stderr(state).contains("Read-only file system"), stderr(state));
        assertEquals("shm-ok\n", stdout(state));
        assertTrue(Files.notExists(h.rootfs.resolve("x")));
    }

    @Test
    void rlimitsApply() throws Exception {
        h.run(state, h.container(state, "sh", "-c", "ulimit -n; ulimit -Hn").rlimit(LinuxAbi.rlimit("RLIMIT_NOFILE"), 64, 128));
        assertEquals("64\n128\n", stdout(state));
        ShimException above = assertThrows(ShimException.class, () -> h.start(h.container(h.state("above"), "true")
                .rlimit(LinuxAbi.rlimit("RLIMIT_NOFILE"), 64, Long.MAX_VALUE)));
        assertEquals("rlimit", above.stage());
        assertEquals(1, above.errno());
    }

    @Test
    void namespacedSysctlsAreWrittenInTheContainersNamespaces() throws Exception {
        String host = Files.readString(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).strip();
        h.run(state, h.container(state, "cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start")
                .sysctl("net.ipv4.ip_unprivileged_port_start", "80"));
        assertEquals("80\n", stdout(state));
        assertEquals(host, Files.readString(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).strip());
    }
}
