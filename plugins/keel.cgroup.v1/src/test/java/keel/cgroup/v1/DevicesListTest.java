package keel.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import keel.cgroup.base.DeviceRules;

class DevicesListTest {
    @Test
    void readsTheKernelsDevicesList() {
        DeviceRules fresh = DevicesList.fromList("a *:* rwm\n");
        assertEquals(new DeviceRules(), fresh);
        DeviceRules listed = DevicesList.fromList("c 1:3 rwm\nc *:* m\nb *:* m\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\n"
                + "c 1:9 rwm\nc 5:0 rwm\nc 5:1 rwm\nc 5:2 rwm\nc 136:* rwm\n");
        assertEquals(DeviceRules.forContainer(List.of()), listed);
    }

    @Test
    void extraAccessIsWhatATransitionMustDeny() {
        DeviceRules target = DeviceRules.forContainer(List.of(new DeviceRules.Rule(false, 'c', 1, 3, "w")));
        assertEquals("w", DevicesList.extraAccess(target, new DeviceRules.Rule(true, 'c', 1, 3, "rwm")));
        assertEquals("", DevicesList.extraAccess(target, new DeviceRules.Rule(true, 'c', 1, 5, "rwm")));
        assertEquals("rwm", DevicesList.extraAccess(target, new DeviceRules.Rule(true, 'c', 10, 200, "rwm")));
    }
}
