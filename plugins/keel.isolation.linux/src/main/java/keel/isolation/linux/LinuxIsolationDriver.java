package keel.isolation.linux;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.driver.KeelDriver;
import keel.api.isolation.ExecRequest;
import keel.api.isolation.ExitNotifier;
import keel.api.isolation.ExitStatus;
import keel.api.isolation.IsolationDriver;
import keel.api.isolation.LaunchHooks;
import keel.api.isolation.LaunchRequest;
import keel.api.isolation.ProcessRecord;
import keel.isolation.linux.shim.ExitFile;
import keel.isolation.linux.shim.SealedShim;
import keel.isolation.linux.shim.ShimException;
import keel.isolation.linux.shim.ShimLauncher;
import keel.isolation.linux.shim.ShimMessage;

/**
 * The Linux isolation driver: every container and exec is a process that keel-shim (C, shipped
 * in this bundle) creates and supervises, independent of the daemon's JVM. This class keeps no
 * state: everything about a process is in its ProcessRecord and its state directory, so another
 * instance (a new bundle version, after a daemon restart) manages what this one started. It tells
 * the kernel at once when a process ends (pidfds of the process and of its shim, one epoll thread).
 */
@Component(immediate = true, service = IsolationDriver.class)
@KeelDriver(id = "linux")
public class LinuxIsolationDriver implements IsolationDriver, ExitNotifier {
    /** What a process's exit looks like when its supervisor died with it (no exit status recorded). */
    static final int SUPERVISOR_DIED = 137;

    private final Path shim;
    private final SealedShim sealed;
    private final ShimLauncher launcher;
    /** Made at the first watch (JNA's binding of libc and the epoll thread are not activation's cost). */
    private ExitWatcher exits;
    private boolean deactivated;

    @Activate
    public LinuxIsolationDriver(BundleContext context) throws IOException {
        String root = context.getProperty("keel.root");
        Path dir = Path.of(root == null || root.isBlank() ? "/var/lib/keel" : root).resolve("isolation.linux");
        this.shim = install(context.getBundle().getEntry("native/keel-shim"), dir,
                context.getBundle().getVersion().toString());
        this.sealed = sealedCopy(shim);
        Path binary = sealed != null ? sealed.path() : shim;
        // where a starting shim connects: beside the containers' state directories, whose paths are
        // short enough for a unix socket by design
        String run = context.getProperty("keel.run");
        Path sockets = Path.of(run == null || run.isBlank() ? "/run/keel" : run).resolve("shims");
        Files.createDirectories(sockets);
        Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwx------"));
        // keel.isolation.spare-shim=false: every start execs its shim (bench/own-time.sh compares)
        this.launcher = "false".equals(context.getProperty("keel.isolation.spare-shim"))
                ? new ShimLauncher(binary, sockets) : ShimLauncher.withSpare(binary, sockets);
    }

    /** The one sealed copy every start runs, or null where none can be made (the shim then copies itself). */
    private static SealedShim sealedCopy(Path shim) {
        try {
            return SealedShim.of(shim);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private synchronized ExitWatcher exits() {
        if (deactivated) {
            throw new IllegalStateException("the linux isolation driver was deactivated");
        }
        if (exits == null) {
            exits = new ExitWatcher();
        }
        return exits;
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            deactivated = true;
            if (exits != null) {
                exits.close();
            }
        }
        launcher.close();
        if (sealed != null) {
            sealed.close();
        }
    }

    private static Path install(URL entry, Path dir, String version) throws IOException {
        if (entry == null) {
            throw new IllegalStateException("this bundle has no native/keel-shim: it was built without gcc");
        }
        if (!Files.isDirectory(Path.of("/proc/self/ns"))) {
            throw new IllegalStateException("this host has no namespaces (/proc/self/ns missing)");
        }
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path target = dir.resolve("keel-shim-" + version);
        if (Files.isRegularFile(target) && Files.size(target) == entry.openConnection().getContentLengthLong()) {
            return target; // this bundle version's shim is already there (a daemon restart)
        }
        Path temp = dir.resolve(".keel-shim-" + version + ".tmp");
        try (InputStream in = entry.openStream()) {
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("r-x------"));
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("shim", shim + (sealed == null ? ", copied into a sealed memfd by each start"
                : ", run from a sealed memfd made once"));
        facts.put("namespaces", "pid, mount, uts, ipc, network, cgroup");
        facts.put("seccomp", "classic BPF, x86_64");
        return facts;
    }

    @Override
    public ProcessRecord start(LaunchRequest request, LaunchHooks hooks) {
        return launch(request.containerId(), SpecTranslator.forRun(request), hooks, request.stateDir());
    }

    @Override
    public ProcessRecord exec(ExecRequest request, LaunchHooks hooks) {
        return launch(request.containerId(), SpecTranslator.forExec(request), hooks, request.stateDir());
    }

    /**
     * Runs the shim's handshake; the process's record is made once it was told GO (its start time
     * read while it makes its last steps), handed to the kernel's {@link LaunchHooks#released} and
     * returned once the command runs (a launch that returns has always released its process).
     */
    private ProcessRecord launch(String containerId, ShimMessage message, LaunchHooks hooks, String stateDir) {
        ProcessRecord[] released = new ProcessRecord[1];
        try {
            launcher.launch(message, hooks::created, pid -> {
                released[0] = processRecord(containerId, pid, stateDir);
                hooks.released(released[0]);
            });
        } catch (ShimException e) {
            throw failure(containerId, e);
        }
        return released[0];
    }

    private static ProcessRecord processRecord(String containerId, int pid, String stateDir) {
        OptionalLong started = ProcStat.startTime(pid);
        Map<String, String> namespaces = new LinkedHashMap<>();
        for (String ns : new String[] {"ipc", "uts", "net", "pid", "mnt", "cgroup"}) {
            namespaces.put(ns, "/proc/" + pid + "/ns/" + ns);
        }
        return new ProcessRecord(containerId, pid, started.orElse(0), stateDir, namespaces);
    }

    private static KeelException failure(String containerId, ShimException e) {
        if (e.commandNotFound()) {
            return new KeelException(ErrorKind.COMMAND_NOT_FOUND, "cannot run the command: " + e.detail()
                    + ": executable file not found in the container");
        }
        if (e.commandNotInvokable()) {
            return new KeelException(ErrorKind.CANNOT_INVOKE, "cannot run the command: " + e.detail()
                    + ": permission denied or not an executable");
        }
        return new KeelException(ErrorKind.INTERNAL, "container " + containerId.substring(0,
                Math.min(12, containerId.length())) + " failed at " + e.stage() + ": " + e.getMessage(), e);
    }

    @Override
    public void signal(ProcessRecord process, int signal) {
        if (!Signals.send(process.pid(), process.startTime(), signal)
                && ProcStat.isAlive(process.pid(), process.startTime())) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot send signal " + signal + " to pid " + process.pid());
        }
    }

    @Override
    public Optional<ExitStatus> exitStatus(ProcessRecord process) {
        Path stateDir = Path.of(process.stateDir());
        Optional<ExitStatus> recorded = recordedExit(stateDir);
        if (recorded.isPresent()) {
            return recorded;               // the usual answer once it ended: one read
        }
        if (ProcStat.isAlive(process.pid(), process.startTime()) || shimAlive(stateDir)) {
            return Optional.empty();
        }
        // both gone: the file again, since the shim writes it before it exits (it may have done both
        // since the first read); still nothing means it was killed together with its shim (the
        // shim's death kills the container: PDEATHSIG)
        recorded = recordedExit(stateDir);
        return recorded.isPresent() ? recorded : Optional.of(new ExitStatus(SUPERVISOR_DIED, 9, Instant.now()));
    }

    private static Optional<ExitStatus> recordedExit(Path stateDir) {
        try {
            return ExitFile.read(stateDir);
        } catch (IOException e) {
            throw new KeelException(ErrorKind.INTERNAL, "cannot read the exit status in " + stateDir + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean shimAlive(Path stateDir) {
        long pid = shimPid(stateDir);
        return pid > 0 && ProcStat.isRunning(pid, "keel-shim");
    }

    /** The pid in the state directory's shim.pid, or -1. */
    private static long shimPid(Path stateDir) {
        try {
            return Long.parseLong(Files.readString(stateDir.resolve("shim.pid")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Watches the process and its shim: the shim ends after it recorded the exit status, and when
     * it is killed its process dies with it (PDEATHSIG) and is then seen gone.
     */
    @Override
    public AutoCloseable onExit(ProcessRecord process, Runnable ended) {
        if (!ProcStat.isAlive(process.pid(), process.startTime())) {
            ended.run();
            return () -> { };
        }
        ExitWatcher exits = exits();
        AutoCloseable ofProcess = exits.watch(process.pid(), ended);
        long shim = shimPid(Path.of(process.stateDir()));
        AutoCloseable ofShim = shim > 0 ? exits.watch(shim, ended) : () -> { };
        return () -> {
            ofProcess.close();
            ofShim.close();
        };
    }

    @Override
    public ProcessRecord adopt(ProcessRecord process) {
        // nothing to take over in memory: the record and the state directory are everything
        return process;
    }
}
