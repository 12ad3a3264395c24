package keel.api.isolation;

import keel.api.runtime.ProcessSpec;
import keel.api.runtime.RuntimeSpec;

/**
 * What an isolation driver needs to run a process in a running container: the container's process
 * (whose namespaces it joins) and spec (whose security settings the new process gets), the process
 * to run, and where its supervisor keeps state and sends its stdio.
 */
public record ExecRequest(String containerId, ProcessRecord container, RuntimeSpec spec, ProcessSpec process,
        String stateDir, Stdio stdio) {
}
