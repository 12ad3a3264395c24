package keel.cgroup.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CpuListTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"0|0", "0-2,4|0-2,4", "4,0-2|0-2,4", "0,1,2,3|0-3", "1-1|1",             "3,2,1|1-3", "0-3,2-5|0-5"})
    void parsesAndPrintsCanonically(String text, String canonical) {
        assertEquals(canonical, CpuList.parse(text).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a-b", "1-", "-1", "2-1", "1,,2", ",", "1 2", "0x1", "8192", "0-99999", "1:2", "+1"})
    void refusesWhatIsNotAList(String text) {
        assertThrows(IllegalArgumentException.class, () -> CpuList.parse(text));
    }

    @Test
    void theEmptyStringIsTheEmptySet() {
        assertTrue(CpuList.parse("").isEmpty());
        assertTrue(CpuList.parse("\n").isEmpty());
    }

    @Test
    void containment() {
        CpuList host = CpuList.parse("0-1");
        assertTrue(host.containsAll(CpuList.parse("1")));
        assertTrue(host.containsAll(CpuList.parse("0-1")));
        assertFalse(host.containsAll(CpuList.parse("0-9")));
        assertFalse(host.containsAll(CpuList.parse("2")));
    }
}
