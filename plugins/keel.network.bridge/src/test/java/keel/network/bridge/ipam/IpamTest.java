package keel.network.bridge.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamTest {
    @TempDir
    Path dir;

    @Test
    void twoInstancesOverOneDirectoryNeverHandOutAnAddressTwice() throws Exception {
        Ipam first = new Ipam(new StateDir(dir));
        Ipam second = new Ipam(new StateDir(dir)); // e.g. the old and the new bundle during a swap
        Subnet subnet = Subnet.parse("10.10.0.0/22");
        new StateDir(dir).locked(() -> {
            first.save(new Pool("abc", "net", "keel-abc", subnet, subnet.first()));
            return null;
        });
        ConcurrentLinkedQueue<Lease> leases = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Ipam ipam = t % 2 == 0 ? first : second;
            int thread = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 50; i++) {
                    leases.add(ipam.allocate("abc", "v" + thread + "x" + i, "c" + thread + "x" + i));
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        Set<Ipv4> distinct = new HashSet<>();
        leases.forEach(l -> distinct.add(l.address()));
        assertEquals(200, distinct.size());

        Ipam restarted = new Ipam(new StateDir(dir));
        assertEquals(200, restarted.require("abc").leases().size(), "a new instance sees every lease");
        assertFalse(distinct.contains(restarted.allocate("abc", "late", "c-late").address()));
        assertTrue(restarted.release("abc", "late"));
        assertFalse(restarted.release("abc", "late"));
        assertFalse(restarted.release("0123", "late"), "no such network: nothing to release");
    }

    @Test
    void writesLeaveNoTemporaryFilesAndDebrisIsRemoved() throws IOException {
        StateDir state = new StateDir(dir);
        Ipam ipam = new Ipam(state);
        Subnet subnet = Subnet.parse("10.10.0.0/24");
        state.locked(() -> {
            ipam.save(new Pool("abc", "net", "keel-abc", subnet, subnet.first()));
            return null;
        });
        ipam.allocate("abc", "v1", "c1");
        Files.writeString(dir.resolve("networks/.tmp-abc-1-1"), "half a file from a crash");
        ipam.allocate("abc", "v2", "c2");
        try (var files = Files.list(dir.resolve("networks"))) {
            assertEquals(List.of("abc"), files.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(2, ipam.all().get(0).leases().size());
        ipam.remove("abc");
        assertTrue(ipam.all().isEmpty());
    }
}
