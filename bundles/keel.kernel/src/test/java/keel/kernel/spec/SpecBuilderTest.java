package keel.kernel.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.KeelException;
import keel.api.container.ContainerConfig;
import keel.api.container.SecurityOptions;
import keel.api.runtime.Mount;
import keel.api.runtime.Rlimit;
import keel.api.runtime.RuntimeSpec;

class SpecBuilderTest {
    static final String ID = "0123456789abcdef".repeat(4);

    @TempDir
    Path rootfs;

    @TempDir
    Path files;

    @TempDir
    Path elsewhere;

    @BeforeEach
    void passwd() throws Exception {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
                        + "app:x:1000:1000::/home/app:/bin/sh\n1001:x:1002:1002::/:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nstaff:x:50:app\napp:x:1000:\nnogroup:x:65534:\n");
    }

    static ContainerConfig config(List<String> cmd, String user, SecurityOptions security, List<Rlimit> ulimits) {
        return new ContainerConfig("c", null, "/r", null, cmd, List.of("A=1"), null, user, null, false, false, false,
                false, null, null, "none", security, ulimits, null, null, null);
    }

    @Test
    void appliesDockersDefaults() {
        RuntimeSpec spec = SpecBuilder.build(ID, config(List.of("/bin/true"), null, null, null), null, rootfs, files,
                List.of("memory", "cpu,cpuacct")).spec();
        assertEquals(List.of("/bin/true"), spec.process().args());
        assertEquals(ID.substring(0, 12), spec.hostname());
        assertEquals(Capabilities.DEFAULT, spec.process().capabilities().effective());
        assertTrue(spec.process().noNewPrivileges());
        assertTrue(spec.linux().maskedPaths().contains("/proc/kcore"));
        assertTrue(spec.linux().readonlyPaths().contains("/proc/sys"));
        assertTrue(spec.process().env().contains(SpecBuilder.DEFAULT_PATH));
        assertTrue(spec.process().env().contains("A=1"));
        List<String> destinations = spec.mounts().stream().map(Mount::destination).toList();
        assertTrue(destinations.containsAll(List.of("/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup/memory",
                "/sys/fs/cgroup/cpu,cpuacct", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname")), destinations.toString());
        assertTrue(spec.linux().namespaces().stream().anyMatch(n -> n.type().equals("network")));
        assertTrue(spec.linux().seccomp().syscalls().get(0).names().contains("mount"));
    }

    @Test
    void usersResolveFromTheContainersFilesAndNumbersStayNumbers() {
        assertEquals(65534, UserResolver.resolve("nobody", rootfs).user().uid());
        var app = UserResolver.resolve("app", rootfs);
        assertEquals(1000, app.user().uid());
        assertEquals(List.of(50), app.user().additionalGids());
        assertEquals("/home/app", app.home());
        assertEquals(1001, UserResolver.resolve("1001", rootfs).user().uid(), "a number is a uid, not a name");
        assertEquals(50, UserResolver.resolve("app:staff", rootfs).user().gid());
        assertEquals(7, UserResolver.resolve("5:7", rootfs).user().gid());
        KeelException e = assertThrows(KeelException.class, () -> UserResolver.resolve("ghost", rootfs));
        assertTrue(e.getMessage().contains("unable to find user ghost"));
    }

    @Test
    void aSymlinkedEtcIsNotFollowed() throws Exception {
        Path other = elsewhere;
        Files.writeString(other.resolve("passwd"), "ghost:x:4242:4242::/:/bin/sh\n");
        Path etc = rootfs.resolve("etc");
        Files.delete(etc.resolve("passwd"));
        Files.delete(etc.resolve("group"));
        Files.delete(etc);
        Files.createSymbolicLink(etc, other);
        assertThrows(KeelException.class, () -> UserResolver.resolve("ghost", rootfs));
    }

    @Test
    void capabilitiesAddDropAndPrivileged() {
        assertTrue(Capabilities.effective(List.of("NET_ADMIN"), List.of(), false).contains("CAP_NET_ADMIN"));
        assertFalse(Capabilities.effective(List.of(), List.of("chown"), false).contains("CAP_CHOWN"));
        assertEquals(List.of("CAP_KILL"), Capabilities.effective(List.of("KILL"), List.of("ALL"), false));
        assertEquals(Capabilities.ALL, Capabilities.effective(List.of(), List.of(), true));
        assertThrows(KeelException.class, () -> Capabilities.effective(List.of("CAP_FLY"), List.of(), false));
    }

    @Test
    void aRecordsSpecWrittenFromItsKeptJsonReadsBackTheSameAndAChangedSpecIsWrittenAnew() {
        RuntimeSpec spec = SpecBuilder.build(ID, config(List.of("/bin/true"), null, null, null), null, rootfs, files,
                List.of("memory", "cpu,cpuacct")).spec();
        byte[] first = keel.kernel.state.Json.write(java.util.Map.of("spec", spec, "state", "created"));
        byte[] again = keel.kernel.state.Json.write(java.util.Map.of("spec", spec, "state", "created"));
        assertEquals(new String(first, java.nio.charset.StandardCharsets.UTF_8),
                new String(again, java.nio.charset.StandardCharsets.UTF_8));
        RuntimeSpec read = keel.kernel.state.Json.read(keel.kernel.state.Json.write(spec),
                keel.kernel.state.Json.MAPPER.constructType(RuntimeSpec.class), "test");
        assertEquals(spec, read, "the spec read back from its once-written JSON");
        RuntimeSpec renamed = new RuntimeSpec(spec.ociVersion(), spec.process(), spec.root(), "another-host",
                spec.mounts(), spec.linux(), spec.annotations());
        String changed = new String(keel.kernel.state.Json.write(renamed), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(changed.contains("\"another-host\""), "a changed spec (a new object) is written anew: " + changed);
    }

    @Test
    void privilegedAndUnconfinedDropTheFilterAndTheMasks() {
        RuntimeSpec privileged = SpecBuilder.build(ID, config(List.of("sh"), null,
                new SecurityOptions(List.of(), List.of(), true, true, null), null), null, rootfs, files, List.of()).spec();
        assertNull(privileged.linux().seccomp());
        assertTrue(privileged.linux().maskedPaths().isEmpty());
        RuntimeSpec unconfined = SpecBuilder.build(ID, config(List.of("sh"), null,
                new SecurityOptions(List.of(), List.of(), false, false, "unconfined"), null), null, rootfs, files,
                List.of()).spec();
        assertNull(unconfined.linux().seccomp());
        assertFalse(unconfined.process().noNewPrivileges());
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsMade() {
        assertThrows(KeelException.class, () -> SpecBuilder.build(ID, config(null, null, null, null), null, rootfs,
                files, List.of()), "no command");
        KeelException ulimit = assertThrows(KeelException.class, () -> SpecBuilder.build(ID, config(List.of("sh"), null,
                null, List.of(new Rlimit("RLIMIT_NOFILE", Long.MAX_VALUE - 1, 1024))), null, rootfs, files, List.of()));
        assertTrue(ulimit.getMessage().contains("above the daemon's own hard limit"), ulimit.getMessage());
        KeelException env = assertThrows(KeelException.class, () -> SpecBuilder.build(ID,
                new ContainerConfig("c", null, "/r", null, List.of("sh"), List.of("=x"), null, null, null, false, false,
                        false, false, null, null, "none", null, null, null, null, null), null, rootfs, files, List.of()));
        assertTrue(env.getMessage().contains("-e"), env.getMessage());
    }

    @Test
    void userMountsReplaceDefaultsAndComeParentsFirstAndTheRootCanBeReadOnly() {
        ContainerConfig c = config(List.of("sh"), null, null, null);
        ContainerConfig readOnly = new ContainerConfig(c.name(), c.image(), c.rootfs(), c.entrypoint(), c.cmd(),
                c.env(), c.workingDir(), c.user(), c.hostname(), c.tty(), c.openStdin(), c.init(), c.autoRemove(),
                c.restart(), c.resources(), c.network(), c.security(), c.ulimits(), c.stopSignal(), c.labels(),
                c.ports(), c.networkAliases(), c.publishAll(), List.of(), true);
        List<keel.api.container.MountPoint> user = List.of(
                new keel.api.container.MountPoint("volume", "v", "/var/lib/keel/volumes/v/_data", "/data/deep", false,
                        List.of()),
                new keel.api.container.MountPoint("bind", null, "/srv", "/data", true, List.of()),
                new keel.api.container.MountPoint("tmpfs", null, "", "/dev/shm", true, List.of("size=1024")));
        RuntimeSpec spec = SpecBuilder.build(ID, readOnly, null, rootfs, files, List.of(),
                n -> UserResolver.readEtc(rootfs, n), user).spec();
        assertTrue(spec.root().readonly());
        List<Mount> mounts = spec.mounts();
        assertEquals(1, mounts.stream().filter(m -> m.destination().equals("/dev/shm")).count(), "replaced");
        List<String> order = mounts.stream().map(Mount::destination).toList();
        assertEquals(List.of("/data", "/data/deep", "/dev/shm"), order.subList(order.size() - 3, order.size()));
        assertEquals(new Mount("/data", "bind", "/srv", List.of("rbind", "rprivate")), mounts.get(order.indexOf("/data")));
        assertEquals(new Mount("/data/deep", "bind", "/var/lib/keel/volumes/v/_data", List.of("rbind", "rprivate", "ro")),
                mounts.get(order.indexOf("/data/deep")));
        assertEquals(new Mount("/dev/shm", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "noexec", "size=1024")),
                mounts.get(order.indexOf("/dev/shm")));
    }
}
