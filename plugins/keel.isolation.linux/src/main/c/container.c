/*
 * container.c - the container process, from fork to execve. No Java runs here; every step that
 * fails sends the shim an error record (errno, stage, message) and exits.
 *
 *   stdio, close the shim's descriptors, new namespaces (but the network one, made ahead by the
 *   shim, which forked this process in it; or the container's mount namespace)
 *   -> READY -> the early part of the root (mounts.c), wait for GO -> cgroup namespace, the late
 *   mounts, hostname, sysctls, the late masks, pivot_root -> session and terminal -> cwd (checked inside the root) -> rlimits -> caps and
 *   user (security.c) -> no_new_privs -> die with the shim -> close all but 0-2 and the sync
 *   socket -> [init] -> signals -> seccomp -> execve, whose CLOEXEC sync socket tells the shim.
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void send_sync(int sync, char type, int fd)
{
    struct sync_msg m = { .type = type };
    struct iovec iov = { &m, sizeof m };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

    if (fd >= 0) {
        memset(&u, 0, sizeof u);
        mh.msg_control = u.buf;
        mh.msg_controllen = sizeof u.buf;
        CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
        CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
        CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &fd, sizeof fd);
    }
    if (sendmsg(sync, &mh, MSG_NOSIGNAL) < 0)
        _exit(1);                       /* the shim is gone: nobody to tell */
}

/* Wait for the shim's GO (after READY); anything else (ABORT kills us, a dead shim) ends here. */
static void wait_go(int sync)
{
    struct sync_msg m;
    ssize_t n;

    do
        n = recv(sync, &m, sizeof m, 0);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof m || m.type != SYNC_GO)
        _exit(1);
}

/*
 * A pseudo-terminal from the container's own devpts (so `tty` says /dev/pts/N): the slave is
 * opened from the master (TIOCGPTPEER, no path), becomes the controlling terminal and 0, 1, 2;
 * the master goes to the shim.
 */
static void setup_tty(const struct config *c, int sync)
{
    struct stat st;
    int unlock = 0, slave;
    int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);

    if (master < 0)
        fail(errno, "tty", "/dev/pts/ptmx: %m (is devpts mounted on /dev/pts?)");
    if (fstat(master, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2)
        fail(ENOTTY, "tty", "/dev/pts/ptmx is not a pty multiplexer");
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
        fail(errno, "tty", "unlocking the pty: %m");
    slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        fail(errno, "tty", "opening the pty slave: %m");
    if (fchown(slave, c->uid, (gid_t)-1) < 0)
        fail(errno, "tty", "chown of the pty slave: %m");
    if (ioctl(slave, TIOCSCTTY, 0) < 0)
        fail(errno, "tty", "TIOCSCTTY: %m");
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
        fail(errno, "tty", "dup2: %m");
    close(slave);
    send_sync(sync, SYNC_TTY, master);
    close(master);
}

/* CVE-2024-21626: a cwd reached through a leaked or magic descriptor is outside the root. */
static void enter_cwd(const struct config *c)
{
    const char *cwd = c->cwd ? c->cwd : "/";
    char buf[PATH_MAX];

    if (chdir(cwd) < 0)
        fail(errno, "chdir", "%s: %m", cwd);
    errno = 0;
    if (!getcwd(buf, sizeof buf) || buf[0] != '/')
        fail(errno ? errno : EPERM, "chdir", "%s is outside the container's root", cwd);
}

/* PR_SET_PDEATHSIG, then make sure the shim did not die before it was set. */
static void die_with_shim(int sync)
{
    struct pollfd p = { sync, POLLIN, 0 };

    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        fail(errno, "pdeathsig", "%m");
    if (poll(&p, 1, 0) != 0)           /* the shim's end closed (or it says something unasked) */
        _exit(1);
}

/*
 * INIT: PID 1 stays shim code. It forks the command (which returns from here to exec), forwards
 * every signal it gets to it, reaps all children and exits with the command's status (128 +
 * signal if it was killed), as tini does.
 */
static void run_init(const struct config *c, int sync)
{
    sigset_t all;
    pid_t init = getpid(), cmd;

    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    cmd = fork();
    if (cmd < 0)
        fail(errno, "init", "fork: %m");
    if (cmd == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != init)
            _exit(1);
        setpgid(0, 0);                 /* its own group, in the foreground of the terminal */
        if (c->tty)
            tcsetpgrp(0, getpid());    /* SIGTTOU is blocked here */
        return;
    }
    close(sync);                       /* the command's copy reports exec */
    for (;;) {
        siginfo_t si;
        int sig = sigwaitinfo(&all, &si), st;
        pid_t w;

        if (sig == SIGCHLD) {
            while ((w = waitpid(-1, &st, WNOHANG)) > 0)
                if (w == cmd)
                    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        } else if (sig > 0) {
            kill(cmd, sig);
        }
    }
}

/* execve, with args[0] looked up in the container's PATH (from ENV) when it has no '/'. */
static _Noreturn void exec_command(const struct config *c)
{
    const char *file = c->args[0], *path = DEFAULT_PATH;
    int err = ENOENT;

    if (strchr(file, '/')) {
        execve(file, c->args, c->env);
        fail(errno, "exec", "%s: %m", file);
    }
    for (size_t i = 0; i < c->n_env; i++)
        if (strncmp(c->env[i], "PATH=", 5) == 0)
            path = c->env[i] + 5;
    for (const char *d = path; ; ) {
        const char *e = strchrnul(d, ':');
        char full[PATH_MAX];
        int n = e == d ? snprintf(full, sizeof full, "./%s", file)
                       : snprintf(full, sizeof full, "%.*s/%s", (int)(e - d), d, file);
        if (n > 0 && (size_t)n < sizeof full) {
            execve(full, c->args, c->env);
            if (errno == EACCES)
                err = EACCES;
            else if (errno != ENOENT && errno != ENOTDIR)
                fail(errno, "exec", "%s: %m", full);
        }
        if (!*e)
            break;
        d = e + 1;
    }
    fail(err, "exec", "%s: %s", file, err == ENOENT ? "not found in PATH" : strerror(err));
}

_Noreturn void container_main(const struct config *c, const struct child_io *cio)
{
    int keep[2] = { cio->sync, cio->mntns }, rootfd = -1;
    uint32_t fresh = c->namespaces & ~(uint32_t)(CLONE_NEWPID | CLONE_NEWCGROUP);
    bool *late;

    fail_to_sync(cio->sync);
    if ((late = calloc(c->n_mounts ? c->n_mounts : 1, sizeof *late)) == NULL)
        fail(ENOMEM, "clone", "out of memory");
    umask(0);
    /* nothing of the shim's (Java's channel, the state directory, the log) reaches the container */
    if (dup2(cio->in, 0) < 0 || dup2(cio->out, 1) < 0 || dup2(cio->err, 2) < 0)
        fail(errno, "clone", "stdio: %m");
    close_fds_except(keep, 2);        /* -1s are skipped */

    if (c->mode == MODE_RUN) {
        if (cio->netns_made)           /* born in it */
            fresh &= ~(uint32_t)CLONE_NEWNET;
        if (unshare((int)fresh) < 0)
            fail(errno, "clone", "unshare: %m");
    } else {
        if (setns(cio->mntns, CLONE_NEWNS) < 0)
            fail(errno, "namespace", "joining the mount namespace: %m");
        close(cio->mntns);
    }
    /*
     * READY at once: Java moves this process into its cgroup (a wait of the kernel's) and attaches
     * the network meanwhile, while the early part of the root is made here. A failure there is
     * reported to the shim as any other; it reads it after GO (or at ABORT).
     */
    send_sync(cio->sync, SYNC_READY, -1);
    if (c->mode == MODE_RUN) {
        plan_late(c, late);
        rootfd = prepare_root(c, late);
        mask_and_protect(c, rootfd, late, false);
    }
    wait_go(cio->sync);
    if ((c->namespaces & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
        fail(errno, "clone", "unshare cgroup: %m");

    if (c->mode == MODE_RUN) {
        late_mounts(c, rootfd, late);
        if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
            fail(errno, "hostname", "%s: %m", c->hostname);
        write_sysctls(c);
        mask_and_protect(c, rootfd, late, true);
        enter_root(rootfd);
    }
    if (setsid() < 0)
        fail(errno, "tty", "setsid: %m");
    if (c->tty)
        setup_tty(c, cio->sync);
    enter_cwd(c);
    set_rlimits(c);
    if (!c->no_new_privs)
        install_seccomp(c);            /* privileged without no_new_privs: before caps go (runc) */
    drop_privileges(c, cio->cap_last);
    set_no_new_privs(c);
    die_with_shim(cio->sync);
    close_fds_except(&cio->sync, 1);
    if (c->init)
        run_init(c, cio->sync);
    reset_signals();
    umask(022);
    if (c->no_new_privs)
        install_seccomp(c);            /* as late as possible */
    exec_command(c);
}
