package keel.cgroup.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.ErrorKind;
import keel.api.KeelException;

/** What the component's activation sees: a host without a usable cgroup2 is named, not ignored. */
class CgroupV2HostTest {

    @Test
    void aRootThatIsNotCgroup2FailsNamingIt(@TempDir Path plain) {
        KeelException e = assertThrows(KeelException.class, () -> new CgroupV2Driver(plain, "keel"));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertEquals("cgroup v2 driver: " + plain + " is not a cgroup2 hierarchy (no cgroup.controllers)", e.getMessage());
    }

    @Test
    void onAHybridHostTheDefaultRootPointsAtTheUnifiedMountAndItsControllers() {
        assumeTrue(!Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))
                && Files.exists(Path.of("/sys/fs/cgroup/unified/cgroup.controllers")), "not a hybrid host");
        KeelException e = assertThrows(KeelException.class, () -> new CgroupV2Driver(Path.of("/sys/fs/cgroup"), "keel"));
        assertTrue(e.getMessage().contains("this is a hybrid host: its cgroup2 at /sys/fs/cgroup/unified has controllers"),
                e.getMessage());
    }

    @Test
    void requiredControllersThatAreMissingAreNamed(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "hugetlb\n");
        CgroupV2Driver driver = new CgroupV2Driver(root, "keel", (dir, rules) -> { });
        KeelException e = assertThrows(KeelException.class, () -> driver.requireControllers(List.of("memory", "cpu",
                "pids")));
        assertEquals("cgroup v2 driver: the cgroup2 hierarchy at " + root + " has no memory, cpu, pids controller (it "
                + "has: hugetlb); containers could not be limited", e.getMessage());
        Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
        driver.requireControllers(List.of("memory", "cpu", "pids"));
    }

    @Test
    void ioStatSumsEveryDevice() {
        long[] io = CgroupV2Driver.parseIoStat("8:0 rbytes=10 wbytes=20 rios=1 wios=1 dbytes=0 dios=0\n"
                + "8:16 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n");
        assertEquals(11, io[0]);
        assertEquals(22, io[1]);
    }
}
