package keel.api.container;

import java.util.List;

/**
 * {@code keel exec [-it] [-u USER] [-w DIR] [-e K=V] CT CMD...}.
 *
 * @param cmd the command
 * @param env {@code K=V} entries added to the container's
 * @param workingDir the working directory, or null for the container's
 * @param user the user, or null for the container's
 * @param tty allocate a pseudo-terminal
 * @param openStdin keep stdin open
 */
public record ExecConfig(List<String> cmd, List<String> env, String workingDir, String user, boolean tty,
        boolean openStdin) {
    public ExecConfig {
        cmd = List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
    }
}
