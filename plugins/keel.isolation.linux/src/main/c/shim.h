/*
 * shim.h - keel-shim: what the files of the shim share.
 *
 * keel-shim starts one container process (or one process in a running container), then stays
 * as its parent: it relays its output to a log file and to attachers, and records how it ended.
 * Java sends it one typed message on stdin (message.c, validate.c); the handshake and the
 * supervisor's start are in main.c (self.c: the sealed copy), the container process in
 * container.c (with mounts.c, paths.c and security.c), the supervision loop in io.c (with
 * logfile.c and attach.c).
 */
#ifndef KEEL_SHIM_H
#define KEEL_SHIM_H

#define _GNU_SOURCE
#include <linux/filter.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define SHIM_MAGIC "KEEL"
#define SHIM_VERSION 1

/* Record tags of the message (see ShimMessage.java, which writes them). */
enum tag {
    T_MODE = 1, T_ID, T_ROOTFS, T_ROOTFS_MOUNT, T_MOUNT, T_MASK, T_READONLY, T_DEVICE,
    T_HOSTNAME, T_ARG, T_ENV, T_CWD, T_UID, T_GID, T_ADDGID, T_CAPS, T_RLIMIT, T_NO_NEW_PRIVS,
    T_SECCOMP, T_NAMESPACES, T_JOIN_NS, T_TTY, T_OPEN_STDIN, T_LOG, T_STATE_DIR, T_SYSCTL,
    T_ROOTFS_READONLY, T_INIT, T_END, T_LAST = T_END
};

enum mode { MODE_RUN = 0, MODE_EXEC = 1 };
enum capset { CAPS_BOUNDING, CAPS_EFFECTIVE, CAPS_INHERITABLE, CAPS_PERMITTED, CAPS_AMBIENT };

struct mnt { uint64_t flags; char *dest, *type, *source, *data; };
struct device { char *path; char type; uint32_t major, minor, mode, uid, gid; };
struct nsjoin { int flag; char *type, *path; };
struct sysctl { char *key, *value; };
struct rlim { uint32_t resource; uint64_t soft, hard; };

/* The decoded message. Lists are arrays with a count; args and env end with a NULL too. */
struct config {
    int mode;                          /* -1 until given */
    char *id, *rootfs, *hostname, *cwd, *log, *state_dir;
    struct mnt *rootfs_mounts;   size_t n_rootfs_mounts;
    struct mnt *mounts;          size_t n_mounts;
    char **masks;                size_t n_masks;
    char **readonly;             size_t n_readonly;
    struct device *devices;      size_t n_devices;
    char **args;                 size_t n_args;
    char **env;                  size_t n_env;
    uint32_t uid, gid;
    gid_t *addgids;              size_t n_addgids;
    uint64_t caps[5];            /* enum capset */
    struct rlim *rlimits;        size_t n_rlimits;
    struct sock_filter *seccomp; size_t n_seccomp;
    uint32_t namespaces;         /* CLONE_NEW* to create */
    struct nsjoin *joins;        size_t n_joins;
    struct sysctl *sysctls;      size_t n_sysctls;
    bool no_new_privs, tty, open_stdin, rootfs_readonly, init;
    uint32_t seen[T_LAST + 1];   /* records given, by tag */
};

/* What the supervisor prepared for the container process (fds are the child's ends). */
struct child_io {
    int sync;                    /* SOCK_SEQPACKET to the supervisor, CLOEXEC */
    int in, out, err;            /* become 0, 1, 2 (ignored with a tty: the pty slave does) */
    int mntns;                   /* exec mode: the container's mount namespace, else -1 */
    bool netns_made;             /* born in a new network namespace the shim made ahead */
    int cap_last;                /* /proc/sys/kernel/cap_last_cap */
};

/* Sync messages on the sync socket (one datagram each). */
enum sync_type { SYNC_READY = 'R', SYNC_GO = 'G', SYNC_TTY = 'T', SYNC_ERROR = 'E' };
struct sync_msg {
    char type;
    int32_t err;
    char stage[16];
    char text[400];
};

/* util.c */
_Noreturn void fail(int err, const char *stage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void fail_to_sync(int fd);                 /* in the container process: failures go to the shim */
void fail_cleanup(void (*fn)(void));       /* in the shim: run before an ERROR exit */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* a line to Java */
int read_full(int fd, void *buf, size_t n);
int write_full(int fd, const void *buf, size_t n);
void format_time(char out[40], const struct timespec *ts);
int write_file_atomic(int dirfd, const char *name, const char *data, size_t n);
void close_fds_except(const int *keep, size_t n);
void set_nonblock(int fd);
void *xcalloc(size_t n, size_t size);
void *xappend(void *array, size_t *count, size_t size);   /* grows by one zeroed element */

/* message.c, validate.c */
void read_message(int fd, struct config *cfg);
void validate(const struct config *cfg, int cap_last);
int namespace_flag(const char *type);

/* self.c */
void ensure_sealed_self(void);

/* container.c: the container process; never returns */
_Noreturn void container_main(const struct config *cfg, const struct child_io *cio);

/* paths.c: everything under the rootfs is reached through these */
int openat2_fd(int dirfd, const char *path, int flags, uint64_t resolve);
int open_dir_in_root(int rootfd, const char *path, bool create);
int open_in_root(int rootfd, const char *path, int create);  /* create: 0, 'd' or 'f' */
int resolve_in_root(int rootfd, const char *path, char *out, size_t size);
const char *split_last(const char *path, char *parent, size_t size);

/* mounts.c */
/*
 * Two phases around GO: what needs the container's cgroup namespace (made after Java moved the
 * process into its cgroup) waits for GO: the cgroup filesystems, and every later mount, mask and
 * read-only path nested with one of them (so nested mounts keep the order of the list). The rest
 * is made while Java joins the cgroup and attaches the network.
 */
void plan_late(const struct config *cfg, bool *late); /* late[i] for cfg->mounts[i] */
int prepare_root(const struct config *cfg, const bool *late);   /* early mounts; returns the rootfs fd */
void late_mounts(const struct config *cfg, int rootfd, const bool *late);
void mask_and_protect(const struct config *cfg, int rootfd, const bool *late, bool late_phase);
void enter_root(int rootfd);

/* security.c */
void write_sysctls(const struct config *cfg);
void set_rlimits(const struct config *cfg);
void install_seccomp(const struct config *cfg);
void drop_privileges(const struct config *cfg, int cap_last);
void set_no_new_privs(const struct config *cfg);
void reset_signals(void);

/* io.c: the supervision loop after STARTED; returns the shim's exit code */
struct io_setup {
    const struct config *cfg;
    pid_t child;
    int sigfd, listenfd, logfd, statedir;
    int out, err, in;            /* the shim's ends; with a tty out == in == pty master, err -1 */
};
int supervise(const struct io_setup *setup);

/* logfile.c: Docker's json-file format */
#define LOG_LINE_MAX 16384
struct logstream { const char *name; size_t len; char buf[LOG_LINE_MAX]; };
void log_write(int logfd, struct logstream *ls, const char *data, size_t n);
void log_flush(int logfd, struct logstream *ls);

/* attach.c: <state>/attach.sock */
#define MAX_ATTACHERS 16
#define ATTACH_FRAME_MAX (64u << 10)
struct attacher;
typedef void (*frame_fn)(void *ctx, char type, const unsigned char *payload, uint32_t n);
int attach_listen(int statedir, const char *state_dir);
void attach_accept(int listenfd);
void attach_broadcast(char type, const void *data, size_t n);
size_t attach_pollfds(struct pollfd *pfd, size_t max, bool want_input);
void attach_events(const struct pollfd *pfd, size_t n, frame_fn fn, void *ctx);
void attach_finish(int timeout_ms);

#endif
