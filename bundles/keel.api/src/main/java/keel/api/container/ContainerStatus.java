package keel.api.container;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * A container's lifecycle state, and the one table of legal moves (after runc's state_linux.go and
 * Podman's containerstate.go). Every change of state goes through {@link #checkMove}.
 */
public enum ContainerStatus {
    CREATED,
    RUNNING,
    PAUSED,
    STOPPED,
    REMOVED;

    /** The states this one may move to. */
    public Set<ContainerStatus> next() {
        return switch (this) {
            case CREATED -> EnumSet.of(RUNNING, STOPPED, REMOVED);
            case RUNNING -> EnumSet.of(PAUSED, STOPPED);
            case PAUSED -> EnumSet.of(RUNNING, STOPPED);
            case STOPPED -> EnumSet.of(RUNNING, REMOVED);
            case REMOVED -> EnumSet.noneOf(ContainerStatus.class);
        };
    }

    /**
     * Whether a container in this state has a process: running, or paused (frozen, still there).
     *
     * @since 1.2
     */
    public boolean isLive() {
        return this == RUNNING || this == PAUSED;
    }

    public boolean canMoveTo(ContainerStatus to) {
        return next().contains(to);
    }

    /**
     * Returns {@code to} if the move is legal, else throws a conflict that names the container and
     * both states.
     */
    public ContainerStatus checkMove(String containerId, ContainerStatus to) {
        if (!canMoveTo(to)) {
            throw new KeelException(ErrorKind.CONFLICT, String.format(
                    "container %s cannot go from %s to %s%s", containerId, label(), to.label(), hint(to)));
        }
        return to;
    }

    private String hint(ContainerStatus to) {
        if (this == RUNNING && to == REMOVED) {
            return ": stop it first, or use rm -f";
        }
        if (this == PAUSED && to == REMOVED) {
            return ": unpause and stop it first, or use rm -f";
        }
        if (this == REMOVED) {
            return ": it no longer exists";
        }
        return "";
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
