package keel.api.isolation;

import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

import keel.api.driver.Driver;

/** Turns a spec and a root filesystem into an isolated process; exec, signal, adopt. */
@ConsumerType
public interface IsolationDriver extends Driver {

    /**
     * Starts the container's process: namespaces, root, mounts, security settings, then
     * {@code hooks.created(pid)}, then the command.
     */
    ProcessRecord start(LaunchRequest request, LaunchHooks hooks);

    /**
     * Runs a process inside a running container: its namespaces, and (through {@code hooks}) its
     * cgroup, with the container's security settings.
     */
    ProcessRecord exec(ExecRequest request, LaunchHooks hooks);

    void signal(ProcessRecord process, int signal);

    /** The exit status, once the process has ended; empty while it runs. Never blocks. */
    Optional<ExitStatus> exitStatus(ProcessRecord process);

    /**
     * Takes over a process another instance of a driver started: checks it is the same process
     * (start time) or finds its recorded exit status.
     */
    ProcessRecord adopt(ProcessRecord process);
}
