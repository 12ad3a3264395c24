package keel.cgroup.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class DeviceRulesTest {
    private static DeviceRules.Rule allow(char type, long major, long minor, String access) {
        return new DeviceRules.Rule(true, type, major, minor, access);
    }

    private static DeviceRules.Rule deny(char type, long major, long minor, String access) {
        return new DeviceRules.Rule(false, type, major, minor, access);
    }

    @Test
    void aContainerGetsDenyAllPlusRuncsDefaultsSortedByTypeMajorMinor() {
        DeviceRules rules = DeviceRules.forContainer(List.of());
        assertFalse(rules.defaultAllow());
        assertEquals(List.of("b *:* m", "c *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
                "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm"),
                rules.exceptions().stream().map(DeviceRules.Rule::kernelForm).toList());
        assertTrue(rules.exceptions().stream().allMatch(DeviceRules.Rule::allow));
    }

    @Test
    void extraRulesMergeAccessAndDenyRemovesExactExceptions() {
        DeviceRules rules = DeviceRules.forContainer(List.of(allow('c', 10, 200, "r"), allow('c', 10, 200, "mw"),
                deny('c', 1, 3, "w"), deny('c', 5, 1, "rw")));
        List<String> forms = rules.exceptions().stream().map(DeviceRules.Rule::kernelForm).toList();
        assertTrue(forms.contains("c 10:200 rwm"), forms.toString());
        assertTrue(forms.contains("c 1:3 rm"), forms.toString());
        assertTrue(forms.contains("c 5:1 m"), forms.toString());
    }

    @Test
    void punchingAHoleInAWildcardIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceRules.forContainer(List.of(deny('c', 136, 3, "r"))));
        assertTrue(e.getMessage().contains("c 136:* rwm"), e.getMessage());
        // a deny that does not overlap the wildcard's access is fine
        DeviceRules.forContainer(List.of(deny('c', 7, 7, "r")));
    }

    @Test
    void allowAllSwitchesToDenyListMode() {
        DeviceRules rules = DeviceRules.forContainer(List.of(allow('a', -1, -1, "rwm"), deny('b', 8, 0, "rwm")));
        assertTrue(rules.defaultAllow());
        assertEquals(List.of(deny('b', 8, 0, "rwm")), rules.exceptions());
    }

    @Test
    void accessMustBeRwm() {
        assertEquals("rwm", DeviceRules.canonical("mwr"));
        assertThrows(IllegalArgumentException.class, () -> DeviceRules.canonical("rx"));
        assertThrows(IllegalArgumentException.class, () -> DeviceRules.canonical(""));
    }
}
