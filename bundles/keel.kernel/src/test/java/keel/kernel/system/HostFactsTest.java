package keel.kernel.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class HostFactsTest {
    static final String V1 = "30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory";
    static final String V2_AT_UNIFIED = "29 25 0:25 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw";
    static final String V2_AT_ROOT = "29 25 0:25 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw";

    @Test
    void tellsTheCgroupLayoutFromMountinfo() {
        assertEquals("hybrid", HostFacts.cgroupVersion(List.of(V1, V2_AT_UNIFIED)));
        assertEquals("v1", HostFacts.cgroupVersion(List.of(V1)));
        assertEquals("v2", HostFacts.cgroupVersion(List.of(V2_AT_ROOT)));
        assertEquals("none", HostFacts.cgroupVersion(List.of()));
    }
}
