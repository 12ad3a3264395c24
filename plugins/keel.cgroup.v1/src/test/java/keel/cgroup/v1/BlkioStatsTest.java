package keel.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class BlkioStatsTest {
    @Test
    void sumsReadAndWriteBytesOverDevicesAndSkipsTotals() {
        String text = "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n8:0 Total 12288\n"
                + "253:0 Read 100\n253:0 Write 1\nTotal 12389\n";
        assertArrayEquals(new long[] {4196, 8193}, CgroupV1Driver.parseBlkio(text));
        assertArrayEquals(new long[] {0, 0}, CgroupV1Driver.parseBlkio("Total 0\n"));
    }
}
