package keel.api.container;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Called once a container's (or exec's) process exists and before its command runs, with the unix
 * socket its supervisor serves for attaching: frames of {@code type u8, length u32 big-endian,
 * payload}: from the supervisor {@code O} stdout, {@code E} stderr, {@code X} the 4-byte exit code;
 * to it {@code I} stdin, {@code C} stdin closed, {@code W} rows and cols (u16 each). Connecting
 * here, before the command runs, loses no output.
 */
@ConsumerType
public interface Attach {
    void attach(Path socket) throws Exception;
}
