package keel.cgroup.base;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteSizeTest {
    @ParameterizedTest
    @CsvSource({"4096,4k", "67108864,64m", "2147483648,2g", "1000,1000", "1536,1536", "-1,-1", "0,0", "6291456,6m",
            "1572864,1536k"})
    void formatsAsDockerUsersTypeIt(long bytes, String text) {
        assertEquals(text, ByteSize.format(bytes));
    }
}
