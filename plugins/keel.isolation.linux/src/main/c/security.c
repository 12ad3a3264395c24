/*
 * security.c - what the container process gives up before exec: sysctls written while it may,
 * rlimits, capabilities, user and groups, no_new_privs, seccomp, inherited signal state.
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Sysctls through the host's /proc/sys, before pivot_root and before /proc/sys is made
 * read-only. A sysctl file acts on the namespaces of the process that opens it, so these land in
 * the container's; message.c allowed only namespaced keys, in namespaces not the host's.
 */
void write_sysctls(const struct config *c)
{
    int sys;

    if (c->n_sysctls == 0)
        return;
    sys = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (sys < 0)
        fail(errno, "sysctl", "/proc/sys: %m");
    for (size_t i = 0; i < c->n_sysctls; i++) {
        char path[256];
        int fd;
        snprintf(path, sizeof path, "%s", c->sysctls[i].key);
        for (char *p = path; *p; p++)           /* net.ipv4.conf.eth0/1.x -> net/ipv4/conf/eth0.1/x */
            *p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
        fd = openat2_fd(sys, path, O_WRONLY | O_TRUNC | O_CLOEXEC,
                        RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
        if (fd < 0 || write_full(fd, c->sysctls[i].value, strlen(c->sysctls[i].value)) < 0)
            fail(errno, "sysctl", "%s=%s: %m", c->sysctls[i].key, c->sysctls[i].value);
        close(fd);
    }
    close(sys);
}

/* Never above the runtime's own hard limit (the shim inherits the daemon's), with or without CAP_SYS_RESOURCE. */
void set_rlimits(const struct config *c)
{
    for (size_t i = 0; i < c->n_rlimits; i++) {
        struct rlimit r = { c->rlimits[i].soft, c->rlimits[i].hard }, own;
        if (getrlimit((int)c->rlimits[i].resource, &own) == 0 && r.rlim_max > own.rlim_max)
            fail(EPERM, "rlimit", "resource %u: hard limit %llu is above the runtime's own %llu",
                 c->rlimits[i].resource, (unsigned long long)r.rlim_max, (unsigned long long)own.rlim_max);
        if (setrlimit((int)c->rlimits[i].resource, &r) < 0)
            fail(errno, "rlimit", "resource %u to %llu/%llu: %m", c->rlimits[i].resource,
                 (unsigned long long)c->rlimits[i].soft, (unsigned long long)c->rlimits[i].hard);
    }
}

void install_seccomp(const struct config *c)
{
    struct sock_fprog prog = { .len = (unsigned short)c->n_seccomp, .filter = c->seccomp };

    if (c->n_seccomp && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
        fail(errno, "seccomp", "installing the filter: %m");
}

static void capset_all(const uint64_t *caps)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];

    for (int i = 0; i < 2; i++) {
        d[i].effective = (uint32_t)(caps[CAPS_EFFECTIVE] >> (32 * i));
        d[i].permitted = (uint32_t)(caps[CAPS_PERMITTED] >> (32 * i));
        d[i].inheritable = (uint32_t)(caps[CAPS_INHERITABLE] >> (32 * i));
    }
    if (syscall(SYS_capset, &h, d) < 0)
        fail(errno, "caps", "capset: %m");
}

/*
 * Bounding set, then the user (PR_SET_KEEPCAPS keeps the permitted set across setresuid),
 * then the effective/permitted/inheritable sets, then ambient (which needs the other two).
 */
void drop_privileges(const struct config *c, int cap_last)
{
    for (int cap = 0; cap <= cap_last; cap++)
        if (!(c->caps[CAPS_BOUNDING] & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            fail(errno, "caps", "dropping %d from the bounding set: %m", cap);
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        fail(errno, "user", "PR_SET_KEEPCAPS: %m");
    if (setgroups(c->n_addgids, c->addgids) < 0)
        fail(errno, "user", "setgroups: %m");
    if (setresgid(c->gid, c->gid, c->gid) < 0)
        fail(errno, "user", "setresgid %u: %m", c->gid);
    if (setresuid(c->uid, c->uid, c->uid) < 0)
        fail(errno, "user", "setresuid %u: %m", c->uid);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        fail(errno, "user", "PR_SET_KEEPCAPS: %m");
    capset_all(c->caps);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        fail(errno, "caps", "clearing the ambient set: %m");
    for (int cap = 0; cap <= cap_last; cap++)
        if ((c->caps[CAPS_AMBIENT] & (1ULL << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            fail(errno, "caps", "raising %d in the ambient set: %m", cap);
}

void set_no_new_privs(const struct config *c)
{
    if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        fail(errno, "no_new_privs", "%m");
}

/* Default dispositions and an empty mask: the shim ignores SIGPIPE and blocks SIGCHLD. */
void reset_signals(void)
{
    sigset_t none;

    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);           /* glibc's internal signals refuse: fine */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}
