package keel.isolation.linux.seccomp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;

/** x86_64 system call numbers by name (from Linux's asm/unistd_64.h). */
public final class SyscallTable {
    private static final Map<Object, Object> NUMBERS = load();

    private SyscallTable() {
    }

    private static Map<Object, Object> load() {
        Properties properties = new Properties();
        try (InputStream in = SyscallTable.class.getResourceAsStream("syscalls-x86_64.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the system call table is missing from the bundle", e);
        }
        return Map.copyOf(properties);
    }

    /** The number of {@code name} on x86_64, or empty if this architecture has no such call. */
    public static OptionalInt number(String name) {
        Object n = NUMBERS.get(name);
        return n == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(n.toString()));
    }
}
