/*
 * self.c - CVE-2019-5736: the shim runs only from a sealed in-memory copy of itself.
 *
 * A container process that can open /proc/<shim>/exe (or runs a binary whose interpreter is
 * /proc/self/exe while the shim execs it) reaches the file the shim runs from. Running from a
 * memfd sealed against writing, growing and shrinking, there is nothing on disk to reach and the
 * copy itself cannot be changed. The copy is made once per start: a shim already running from a
 * sealed memfd goes on.
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U                /* Linux 6.3: executable memfd under vm.memfd_noexec */
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

void ensure_sealed_self(void)
{
    /* nothing from the environment, and no host path of the binary in the container's ps */
    static char *const argv[] = { "keel-shim", NULL }, *const no_env[] = { NULL };
    struct stat st;
    int self, copy, seals;
    off_t done = 0;

    self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        fail(errno, "reexec", "/proc/self/exe: %m");
    seals = fcntl(self, F_GET_SEALS);
    if (seals >= 0 && (seals & SEALS) == SEALS) {
        close(self);
        return;
    }
    copy = memfd_create("keel-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (copy < 0 && errno == EINVAL)
        copy = memfd_create("keel-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (copy < 0)
        fail(errno, "reexec", "memfd_create: %m");
    if (fstat(self, &st) < 0)
        fail(errno, "reexec", "stat /proc/self/exe: %m");
    while (done < st.st_size) {
        ssize_t n = sendfile(copy, self, NULL, (size_t)(st.st_size - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail(n < 0 ? errno : EIO, "reexec", "copying the shim: %m");
        done += n;
    }
    if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
        fail(errno, "reexec", "sealing the copy: %m");
    close(self);
    fexecve(copy, argv, no_env);
    fail(errno, "reexec", "fexecve: %m");
}
