package keel.cgroup.base;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The few libc calls both drivers need where Java has no equivalent (any signal) or hides errno; a
 * driver that needs more extends this interface.
 */
public interface Libc extends Library {
    Libc C = Native.load("c", Libc.class);

    int EPERM = 1;
    int ENOENT = 2;
    int ESRCH = 3;
    int EBUSY = 16;
    int SIGKILL = 9;

    int kill(int pid, int signal) throws LastErrorException;

    int rmdir(String path) throws LastErrorException;
}
