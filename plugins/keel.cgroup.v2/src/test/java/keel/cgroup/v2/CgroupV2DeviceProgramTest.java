package keel.cgroup.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import keel.api.cgroup.CgroupRecord;
import keel.api.runtime.Resources;
import keel.cgroup.testsuite.DeviceNodes;
import keel.cgroup.testsuite.Procs;

/**
 * The eBPF device program on a real cgroup2 directory: a process moved into the container's cgroup
 * cannot open a device node outside the default set (EPERM), the same node opens outside it, and an
 * update replaces the program rather than stacking a second one.
 */
class CgroupV2DeviceProgramTest {
    private final CgroupV2Driver driver = V2TestCgroups.driver();
    private final Procs procs = new Procs();
    private final List<CgroupRecord> created = new ArrayList<>();
    private static int ids;

    @BeforeAll
    static void banner() {
        V2TestCgroups.banner("BPF_PROG_LOAD + BPF_PROG_ATTACH (BPF_CGROUP_DEVICE) and open(2) of device nodes");
    }

    @AfterEach
    void cleanUp() {
        procs.close();
        created.forEach(driver::destroy);
    }

    @AfterAll
    static void removeParent() {
        V2TestCgroups.removeParent();
    }

    private CgroupRecord create(Resources resources) {
        CgroupRecord record = driver.create("dev" + ++ids + "-" + ProcessHandle.current().pid(), resources);
        created.add(record);
        return record;
    }

    private String openInside(CgroupRecord record, String script, List<String> nodes) {
        Process process = procs.start(Procs.WAIT + script, nodes.toArray(String[]::new));
        driver.join(record, (int) process.pid());
        Procs.go(process);
        return Procs.finish(process, 10);
    }

    private static int[] attached(CgroupRecord record) {
        int dir = DeviceGuard.open(Path.of(record.paths().get("unified")));
        try {
            return Bpf.query(dir);
        } finally {
            Libc.C.close(dir);
        }
    }

    @Test
    void aNodeOutsideTheDefaultSetFailsWithEpermAndAllowedOnesOpen() throws IOException {
        try (DeviceNodes nodes = new DeviceNodes()) {
            Process control = procs.start(DeviceNodes.OPEN_EACH, nodes.all().toArray(String[]::new));
            String outside = Procs.finish(control, 10);
            assertTrue(outside.contains(nodes.kmsgNode + ": opened"), "outside the cgroup kmsg opens: " + outside);

            CgroupRecord record = create(new Resources(null, null, null, null, List.of()));
            assertEquals(1, attached(record).length, "one device program attached");
            String inside = openInside(record, DeviceNodes.OPEN_EACH + "; mknod '" + nodes.dir().resolve("made")
                    + "' c 1 11 && echo mknod-ok", nodes.all());
            System.out.println("[cgroup v2] device opens inside the container's cgroup (eBPF):\n" + inside.strip());
            assertTrue(inside.contains(nodes.nullNode + ": opened"), inside);
            assertTrue(inside.contains(nodes.zeroNode + ": opened"), inside);
            assertTrue(inside.contains(nodes.kmsgNode + ": Operation not permitted"), inside);
            if (nodes.diskNode != null) {
                assertTrue(inside.contains(nodes.diskNode + ": Operation not permitted"), inside);
            }
            assertTrue(inside.contains("mknod-ok"), "runc's defaults allow mknod of any node: " + inside);
        }
    }

    @Test
    void anUpdateReplacesTheProgram() throws IOException {
        try (DeviceNodes nodes = new DeviceNodes()) {
            CgroupRecord record = create(new Resources(null, null, null, null, List.of()));
            assertTrue(openInside(record, DeviceNodes.OPEN_EACH, List.of(nodes.kmsgNode.toString()))
                    .contains("Operation not permitted"));

            driver.update(record, new Resources(null, null, null, null,
                    List.of(new Resources.DeviceRule(true, "c", 1L, 11L, "r"))));
            assertEquals(1, attached(record).length, "the old program was detached");
            String after = openInside(record, DeviceNodes.OPEN_EACH, List.of(nodes.kmsgNode.toString(),
                    nodes.nullNode.toString()));
            assertTrue(after.contains(nodes.kmsgNode + ": opened"), after);
            assertTrue(after.contains(nodes.nullNode + ": opened"), after);
        }
    }
}
