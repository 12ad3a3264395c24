/*
 * main.c - keel-shim: start one container process and supervise it, apart from the JVM.
 *
 *   Java -> stdin:  the message (message.c), later a line GO or ABORT
 *   stdout -> Java: SHIM <pid>, PID <host pid>, then STARTED or ERROR <errno> <stage> <message>
 *   (both a unix socket the daemon names as the only argument, or pipes when there is none)
 *
 * The process Java spawned re-executes itself from a sealed memfd (self.c) and double-forks
 * before it reads the message (a spare started ahead has done both when its message comes): the
 * supervisor ("the shim") is in its own session and not the JVM's child, so the daemon may die
 * while the container, its log and its exit record go on. After STARTED or ERROR the shim lets go
 * of Java's channel and supervises alone (io.c).
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define GO_TIMEOUT_MS (120 * 1000)     /* Java attaches cgroup and network meanwhile */

static int statedir = -1;
static pid_t child = -1;

/* After a failure or ABORT: no container process, no attach.sock, no shim.pid. */
static void remove_state(void)
{
    if (child > 0) {
        kill(child, SIGKILL);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
            ;
        child = -1;
    }
    if (statedir >= 0) {
        unlinkat(statedir, "attach.sock", 0);
        unlinkat(statedir, "shim.pid", 0);
    }
}

static int read_cap_last(void)
{
    char buf[16] = { 0 };
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC), n;

    if (fd < 0 || read(fd, buf, sizeof buf - 1) <= 0)
        fail(errno, "caps", "/proc/sys/kernel/cap_last_cap: %m");
    close(fd);
    n = atoi(buf);
    if (n < 0 || n > 63)
        fail(ERANGE, "caps", "cap_last_cap %d", n);
    return n;
}

/*
 * Leaves the JVM's process tree: fork, setsid, fork. The process Java started stays until the
 * shim lets go of Java's channel (after STARTED or ERROR, or when it dies): it is the driver's
 * handle on a shim that never answers, and with pipes the JDK closes its side of a child's pipes
 * as soon as that child exits. Returns the release pipe's write end.
 */
static int detach(void)
{
    int st, release[2];
    char ch;
    pid_t p;

    if (pipe2(release, O_CLOEXEC) < 0)
        fail(errno, "clone", "pipe: %m");
    p = fork();
    if (p < 0)
        fail(errno, "clone", "fork: %m");
    if (p > 0) {
        close(release[1]);
        close(STDIN_FILENO);           /* only the shim talks to Java: its end closes when it lets go */
        close(STDOUT_FILENO);
        while (waitpid(p, &st, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            _exit(1);
        while (read(release[0], &ch, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(release[0]);
    if (setsid() < 0)
        fail(errno, "clone", "setsid: %m");
    p = fork();
    if (p < 0)
        fail(errno, "clone", "fork: %m");
    if (p > 0)
        _exit(0);
    return release[1];
}

/*
 * A network namespace made ahead, before the message comes: making one is most of the time a
 * container process spends on its namespaces, and a spare shim has it ready. The shim goes into a
 * new one, keeps a descriptor of it and comes back to its own, whose descriptor it keeps too (in
 * *own) to come back again after it forked the container process in the new one. -1 where it
 * cannot: the container process then makes its own, as it would without this.
 */
static int prepare_netns(int *own)
{
    int fresh = -1;

    *own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (*own < 0)
        return -1;
    if (unshare(CLONE_NEWNET) == 0) {
        fresh = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (setns(*own, CLONE_NEWNET) < 0)
            fail(errno, "namespace", "returning to the shim's network namespace: %m");
    }
    return fresh;
}

/* Joins the JOIN_NS namespaces except mnt (the container process joins that); returns its fd. */
static int join_namespaces(const struct config *c)
{
    int fds[8], mnt = -1;

    for (size_t i = 0; i < c->n_joins; i++) {
        fds[i] = open(c->joins[i].path, O_RDONLY | O_CLOEXEC);
        if (fds[i] < 0)
            fail(errno, "namespace", "%s %s: %m", c->joins[i].type, c->joins[i].path);
    }
    for (size_t i = 0; i < c->n_joins; i++) {
        if (c->joins[i].flag == CLONE_NEWNS) {
            mnt = fds[i];
            continue;
        }
        if (setns(fds[i], c->joins[i].flag) < 0)     /* pid: applies to the child forked next */
            fail(errno, "namespace", "joining %s %s: %m", c->joins[i].type, c->joins[i].path);
        close(fds[i]);
    }
    return mnt;
}

/* Java's answer to PID: true for GO; ABORT, end of input, anything else or silence: false. */
static bool read_go(void)
{
    char line[16];
    size_t n = 0;
    struct timespec t0, t;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (n < sizeof line - 1) {
        struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
        char ch;
        long left;

        clock_gettime(CLOCK_MONOTONIC, &t);
        left = GO_TIMEOUT_MS - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0 || poll(&p, 1, (int)left) == 0)
            return false;
        if (read(STDIN_FILENO, &ch, 1) != 1)
            return false;
        if (ch == '\n')
            break;
        line[n++] = ch;
    }
    line[n] = 0;
    return strcmp(line, "GO") == 0;
}

/* One sync message from the container process and the descriptor it carried; 0 at its end. */
static ssize_t recv_sync_flags(int fd, struct sync_msg *m, int *passed, int flags)
{
    struct iovec iov = { m, sizeof *m };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
    ssize_t n;

    *passed = -1;
    /*
     * ECONNRESET: the process ended with a message of ours unread (GO, just sent). The kernel
     * reports that once, before what the process sent and is still queued (its error record): the
     * next read gets that.
     */
    do
        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | flags);
    while (n < 0 && (errno == EINTR || errno == ECONNRESET));
    for (struct cmsghdr *h = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; h; h = CMSG_NXTHDR(&mh, h))
        if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
            memcpy(passed, CMSG_DATA(h), sizeof(int));
    return n;
}

static ssize_t recv_sync(int fd, struct sync_msg *m, int *passed)
{
    return recv_sync_flags(fd, m, passed, 0);
}

/* The container process failed (its record, or it just died): clean up and tell Java. */
static _Noreturn void child_failed(ssize_t n, const struct sync_msg *m)
{
    remove_state();
    if (n == (ssize_t)sizeof *m && m->type == SYNC_ERROR) {
        say("ERROR %d %.16s %.400s", m->err, m->stage, m->text);
        exit(1);
    }
    say("ERROR %d clone the container process ended before it was ready", ECHILD);
    exit(1);
}

/* Reports the container process's error if one waits on the sync socket (read without waiting). */
static void report_child_error(int sync)
{
    struct sync_msg m;
    int passed;
    ssize_t n;

    while ((n = recv_sync_flags(sync, &m, &passed, MSG_DONTWAIT)) > 0) {
        if (passed >= 0)
            close(passed);
        if (n == (ssize_t)sizeof m && m.type == SYNC_ERROR)
            child_failed(n, &m);
    }
}

static void make_stdio(const struct config *c, int devnull, struct child_io *cio, struct io_setup *io)
{
    int p[2];

    cio->in = cio->out = cio->err = devnull;
    io->in = io->out = io->err = -1;
    if (c->tty)
        return;                        /* the pty comes from the container process */
    if (c->open_stdin) {
        if (pipe2(p, O_CLOEXEC) < 0)
            fail(errno, "io", "pipe: %m");
        cio->in = p[0], io->in = p[1];
    }
    if (pipe2(p, O_CLOEXEC) < 0)
        fail(errno, "io", "pipe: %m");
    io->out = p[0], cio->out = p[1];
    if (pipe2(p, O_CLOEXEC) < 0)
        fail(errno, "io", "pipe: %m");
    io->err = p[0], cio->err = p[1];
}

static int run(const struct config *c, int cap_last, int release, int netns, int ownnet)
{
    struct child_io cio = { .cap_last = cap_last };
    struct io_setup io = { .cfg = c, .logfd = -1 };
    struct sync_msg m;
    char pid[32];
    sigset_t chld;
    int sv[2], devnull, passed;
    ssize_t n;

    if (chdir("/") < 0 || (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
        fail(errno, "io", "/dev/null: %m");
    dup2(devnull, STDERR_FILENO);
    statedir = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (statedir < 0)
        fail(errno, "state", "%s: %m", c->state_dir);
    fail_cleanup(remove_state);
    say("SHIM %d", getpid());

    io.statedir = statedir;
    make_stdio(c, devnull, &cio, &io);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        fail(errno, "clone", "PR_SET_CHILD_SUBREAPER: %m");
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        fail(errno, "clone", "socketpair: %m");
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    if ((io.sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
        fail(errno, "clone", "signalfd: %m");
    cio.sync = sv[1];
    cio.mntns = join_namespaces(c);
    if ((c->namespaces & CLONE_NEWPID) && unshare(CLONE_NEWPID) < 0)
        fail(errno, "clone", "unshare pid: %m");
    /*
     * Born in its network namespace (made ahead) and its PID namespace: what Java does with the pid
     * (cgroup, network) needs no more of it, so the pid goes out at once, while the process makes
     * its other namespaces and the early part of its root.
     */
    cio.netns_made = netns >= 0 && c->mode == MODE_RUN && (c->namespaces & CLONE_NEWNET);
    if (cio.netns_made && setns(netns, CLONE_NEWNET) < 0)
        fail(errno, "clone", "entering the new network namespace: %m");

    child = fork();
    if (child < 0)
        fail(errno, "clone", "fork: %m");
    if (child == 0)
        container_main(c, &cio);
    io.child = child;
    if (cio.netns_made && setns(ownnet, CLONE_NEWNET) < 0)
        fail(errno, "namespace", "returning to the shim's network namespace: %m");
    if (netns >= 0)
        close(netns);
    if (ownnet >= 0)
        close(ownnet);
    /* while the container process makes its namespaces: the shim's own files */
    snprintf(pid, sizeof pid, "%d\n", getpid());
    if (write_file_atomic(statedir, "shim.pid", pid, strlen(pid)) < 0)
        fail(errno, "state", "%s/shim.pid: %m", c->state_dir);
    if (c->log && (io.logfd = open(c->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) < 0)
        fail(errno, "log", "%s: %m", c->log);
    io.listenfd = attach_listen(statedir, c->state_dir);
    close(sv[1]);
    if (cio.mntns >= 0)
        close(cio.mntns);
    if (cio.in != devnull) close(cio.in);
    if (cio.out != devnull) close(cio.out);
    if (cio.err != devnull) close(cio.err);

    say("PID %d", child);
    if (!read_go()) {
        /* ABORT: if the container process failed meanwhile (its early mounts), that is the news */
        report_child_error(sv[0]);
        remove_state();
        exit(0);
    }
    n = recv_sync(sv[0], &m, &passed);  /* its namespaces made: it is waiting for GO, or failed */
    if (n != (ssize_t)sizeof m || m.type != SYNC_READY)
        child_failed(n, &m);
    attach_accept(io.listenfd);        /* those who attached before GO see all output */
    m.type = SYNC_GO;
    if (send(sv[0], &m, sizeof m, MSG_NOSIGNAL) < 0) {
        n = recv_sync_flags(sv[0], &m, &passed, MSG_DONTWAIT);   /* its error record, if it left one */
        child_failed(n, &m);
    }
    while ((n = recv_sync(sv[0], &m, &passed)) > 0) {
        if (n == (ssize_t)sizeof m && m.type == SYNC_TTY && passed >= 0 && c->tty && io.out < 0) {
            io.out = io.in = passed;
            continue;
        }
        if (passed >= 0)
            close(passed);
        child_failed(n, &m);
    }
    if (n < 0 || (c->tty && io.out < 0))
        child_failed(-1, &m);
    close(sv[0]);
    say("STARTED");
    dup2(devnull, STDIN_FILENO);       /* Java's channel is let go */
    dup2(devnull, STDOUT_FILENO);
    close(release);
    fail_cleanup(NULL);
    return supervise(&io);
}

/*
 * The socket Java listens on for this shim (its command line's only argument): connected, it is
 * the shim's stdin and stdout. Nothing can be reported before it is there; the exit status says it.
 */
static void connect_to(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof a.sun_path)
        exit(2);
    memcpy(a.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);   /* not CLOEXEC: it survives the re-exec (self.c) */
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        exit(2);
    if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0)
        exit(2);
    if (fd > STDOUT_FILENO)
        close(fd);
}

int main(int argc, char **argv)
{
    struct config cfg;
    int cap_last, release, netns, ownnet;

    if (argc > 1)
        connect_to(argv[1]);
    ensure_sealed_self();
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);   /* CVE-2016-9962: no ptrace of the shim */
    prctl(PR_SET_NAME, "keel-shim", 0, 0, 0);
    signal(SIGPIPE, SIG_IGN);
    release = detach();                  /* before the message: a spare shim has done both when one comes */
    netns = prepare_netns(&ownnet);
    read_message(STDIN_FILENO, &cfg);
    cap_last = read_cap_last();
    validate(&cfg, cap_last);
    return run(&cfg, cap_last, release, netns, ownnet);
}
