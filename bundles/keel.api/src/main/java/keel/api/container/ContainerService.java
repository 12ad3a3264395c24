package keel.api.container;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

import keel.api.isolation.ExitStatus;

/**
 * The kernel's containers. A container is named by its id, a unique prefix of it, or its name.
 * Every method returns data or fails with a KeelException naming the container and the problem.
 */
@ProviderType
public interface ContainerService {

    /** Creates a container: validates, resolves the command and the user, prepares the root. */
    ContainerInfo create(ContainerConfig config);

    /** Starts it; {@code attach} (may be null) connects before the command runs. */
    ContainerInfo start(String container, Attach attach);

    /** Sends the stop signal, waits {@code timeout}, then SIGKILL; returns once it has stopped. */
    ContainerInfo stop(String container, Duration timeout);

    /** Sends {@code signal} (a name such as SIGTERM or TERM, or a number) to the container's process. */
    void kill(String container, String signal);

    /** Blocks until the container is not running, or {@code timeout} passes; returns its exit status. */
    ExitStatus await(String container, Duration timeout);

    /** Removes a stopped container (a running one only with {@code force}, which kills it first). */
    void remove(String container, boolean force);

    /** As {@link #remove(String, boolean)}; with {@code volumes} its anonymous volumes go too ({@code rm -v}). */
    void remove(String container, boolean force, boolean volumes);

    List<ContainerInfo> list(boolean all);

    ContainerInfo inspect(String container);

    /** Freezes every process of the container (cgroup freezer). */
    ContainerInfo pause(String container);

    ContainerInfo unpause(String container);

    /** Changes the limits of a running (or stopped) container; null parts stay as they are. */
    ContainerInfo update(String container, keel.api.runtime.Resources resources);

    /** A sample of the container's resource usage (cgroup counters). */
    keel.api.cgroup.CgroupStats stats(String container);

    /** Runs a command in a running container and returns its exit status once it ends. */
    ExitStatus exec(String container, ExecConfig config, Attach attach);

    /**
     * Delivers the container's log: the last {@code tail} lines (negative: all), and with
     * {@code follow} what it writes until it stops or {@code stillWanted} turns false.
     */
    void logs(String container, int tail, boolean follow, java.util.function.BooleanSupplier stillWanted,
            Consumer<LogEntry> sink);

    /** What the container changed in its writable layer, sorted by path, as {@code docker diff} lists it. */
    List<keel.api.layer.Change> diff(String container);

    /**
     * Makes an image from the container: its image's layers plus its writable layer, its
     * configuration as the image's (with {@code request}'s changes), named {@code request.reference()}.
     */
    keel.api.image.ImageInfo commit(String container, CommitRequest request);

    /** Writes the container's whole root filesystem to {@code tar} (running or not). */
    void export(String container, java.io.OutputStream tar);

    /** Writes {@code path} of the container (a file or a tree) to {@code tar}, its top entry named as its base name. */
    void copyOut(String container, String path, java.io.OutputStream tar);

    /**
     * Copies {@code path} of the container to {@code destination} on the host, as {@code docker cp}:
     * into it when it is a directory, else as that name.
     */
    void copyOut(String container, String path, java.nio.file.Path destination);

    /** Applies the tar stream {@code tar} onto directory {@code path} of the container. */
    void copyIn(java.io.InputStream tar, String container, String path);

    /**
     * Copies {@code source} on the host (a file or a tree) to {@code path} of the container, as
     * {@code docker cp}: into it when it is a directory, else as that name.
     */
    void copyIn(java.nio.file.Path source, String container, String path);
}
