package keel.api.runtime;

import java.util.List;

/**
 * The process to run (OCI {@code process}).
 *
 * @param terminal whether it gets a pseudo-terminal
 * @param user who it runs as
 * @param args argv; {@code args[0]} is looked up in PATH when it has no '/'
 * @param env {@code KEY=VALUE} entries
 * @param cwd absolute working directory inside the container
 * @param capabilities its capability sets
 * @param rlimits resource limits
 * @param noNewPrivileges sets no_new_privs
 */
public record ProcessSpec(boolean terminal, User user, List<String> args, List<String> env, String cwd,
        Capabilities capabilities, List<Rlimit> rlimits, boolean noNewPrivileges) {
    public ProcessSpec {
        args = List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
        rlimits = rlimits == null ? List.of() : List.copyOf(rlimits);
    }
}
