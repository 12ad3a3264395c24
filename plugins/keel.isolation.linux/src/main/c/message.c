/*
 * message.c - decodes the one message Java writes to the shim's stdin (validate.c checks it).
 *
 * "KEEL", u16 version, then records `u16 tag, u32 length, payload` up to END; big-endian;
 * strings are UTF-8 without NUL, several strings in one record are NUL-separated. Anything
 * unexpected (magic, version, tag, size, a repeated single record, a malformed payload) ends the
 * shim with `ERROR 22 message ...` before anything is created. Exactly the message is read:
 * the GO/ABORT line that follows on stdin stays there.
 */
#include "shim.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORD (1u << 20)          /* one record */
#define MAX_MESSAGE (16u << 20)        /* the whole message */
#define MAX_SECCOMP 4096               /* BPF_MAXINSNS */

static const char *const TAG_NAMES[T_LAST + 1] = {
    [T_MODE] = "MODE", [T_ID] = "ID", [T_ROOTFS] = "ROOTFS", [T_ROOTFS_MOUNT] = "ROOTFS_MOUNT",
    [T_MOUNT] = "MOUNT", [T_MASK] = "MASK", [T_READONLY] = "READONLY", [T_DEVICE] = "DEVICE",
    [T_HOSTNAME] = "HOSTNAME", [T_ARG] = "ARG", [T_ENV] = "ENV", [T_CWD] = "CWD", [T_UID] = "UID",
    [T_GID] = "GID", [T_ADDGID] = "ADDGID", [T_CAPS] = "CAPS", [T_RLIMIT] = "RLIMIT",
    [T_NO_NEW_PRIVS] = "NO_NEW_PRIVS", [T_SECCOMP] = "SECCOMP", [T_NAMESPACES] = "NAMESPACES",
    [T_JOIN_NS] = "JOIN_NS", [T_TTY] = "TTY", [T_OPEN_STDIN] = "OPEN_STDIN", [T_LOG] = "LOG",
    [T_STATE_DIR] = "STATE_DIR", [T_SYSCTL] = "SYSCTL", [T_ROOTFS_READONLY] = "ROOTFS_READONLY",
    [T_INIT] = "INIT", [T_END] = "END",
};

static const struct { const char *type; int flag; } NAMESPACES[] = {
    { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "net", CLONE_NEWNET },
    { "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS }, { "cgroup", CLONE_NEWCGROUP },
};

#define bad(...) fail(EINVAL, "message", __VA_ARGS__)

int namespace_flag(const char *type)
{
    for (size_t i = 0; i < sizeof NAMESPACES / sizeof *NAMESPACES; i++)
        if (strcmp(NAMESPACES[i].type, type) == 0)
            return NAMESPACES[i].flag;
    return 0;
}

static uint16_t be16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const unsigned char *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }
static uint64_t be64(const unsigned char *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

static void need_len(int tag, uint32_t len, uint32_t want)
{
    if (len != want)
        bad("%s: %u bytes, expected %u", TAG_NAMES[tag], len, want);
}

/* The payload as one string: no NUL inside. p has a NUL after its len bytes. */
static char *one_string(int tag, char *p, uint32_t len)
{
    if (strlen(p) != len)
        bad("%s: a NUL inside the string", TAG_NAMES[tag]);
    return p;
}

/* Splits p (len bytes, NUL after them) into exactly n NUL-separated strings. */
static void strings(int tag, char *p, uint32_t len, size_t n, char **out)
{
    char *end = p + len;

    for (size_t i = 0; i < n; i++) {
        if (p > end)
            bad("%s: %zu strings expected", TAG_NAMES[tag], n);
        out[i] = p;
        p += strlen(p) + 1;
    }
    if (p != end + 1)
        bad("%s: %zu strings expected", TAG_NAMES[tag], n);
}

static void mount_record(int tag, char *p, uint32_t len, struct mnt *m, bool with_dest)
{
    char *s[4];

    if (len < 8)
        bad("%s: too short", TAG_NAMES[tag]);
    m->flags = be64((unsigned char *)p);
    if (with_dest) {
        strings(tag, p + 8, len - 8, 4, s);
        m->dest = s[0], m->type = s[1], m->source = s[2], m->data = s[3];
    } else {
        strings(tag, p + 8, len - 8, 3, s);
        m->type = s[0], m->source = s[1], m->data = s[2];
    }
}

static void device_record(char *p, uint32_t len, struct device *d)
{
    const unsigned char *u;
    size_t plen = strnlen(p, len);

    if (plen == len || len - plen - 1 != 21)
        bad("DEVICE: a path, then 21 bytes of type and numbers");
    u = (unsigned char *)p + plen + 1;
    d->path = p;
    d->type = (char)u[0];
    d->major = be32(u + 1), d->minor = be32(u + 5), d->mode = be32(u + 9);
    d->uid = be32(u + 13), d->gid = be32(u + 17);
}

static void record(struct config *c, int tag, char *p, uint32_t len)
{
    const unsigned char *u = (const unsigned char *)p;
    char *s[2];

    switch (tag) {
    case T_MODE: need_len(tag, len, 1); c->mode = u[0]; break;
    case T_ID: c->id = one_string(tag, p, len); break;
    case T_ROOTFS: c->rootfs = one_string(tag, p, len); break;
    case T_ROOTFS_MOUNT:
        c->rootfs_mounts = xappend(c->rootfs_mounts, &c->n_rootfs_mounts, sizeof(struct mnt));
        mount_record(tag, p, len, &c->rootfs_mounts[c->n_rootfs_mounts - 1], false);
        break;
    case T_MOUNT:
        c->mounts = xappend(c->mounts, &c->n_mounts, sizeof(struct mnt));
        mount_record(tag, p, len, &c->mounts[c->n_mounts - 1], true);
        break;
    case T_MASK:
        c->masks = xappend(c->masks, &c->n_masks, sizeof(char *));
        c->masks[c->n_masks - 1] = one_string(tag, p, len);
        break;
    case T_READONLY:
        c->readonly = xappend(c->readonly, &c->n_readonly, sizeof(char *));
        c->readonly[c->n_readonly - 1] = one_string(tag, p, len);
        break;
    case T_DEVICE:
        c->devices = xappend(c->devices, &c->n_devices, sizeof(struct device));
        device_record(p, len, &c->devices[c->n_devices - 1]);
        break;
    case T_HOSTNAME: c->hostname = one_string(tag, p, len); break;
    case T_ARG:
        c->args = xappend(c->args, &c->n_args, sizeof(char *));
        c->args[c->n_args - 1] = one_string(tag, p, len);
        break;
    case T_ENV:
        c->env = xappend(c->env, &c->n_env, sizeof(char *));
        c->env[c->n_env - 1] = one_string(tag, p, len);
        break;
    case T_CWD: c->cwd = one_string(tag, p, len); break;
    case T_UID: need_len(tag, len, 4); c->uid = be32(u); break;
    case T_GID: need_len(tag, len, 4); c->gid = be32(u); break;
    case T_ADDGID:
        need_len(tag, len, 4);
        c->addgids = xappend(c->addgids, &c->n_addgids, sizeof(gid_t));
        c->addgids[c->n_addgids - 1] = be32(u);
        break;
    case T_CAPS:
        need_len(tag, len, 40);
        for (int i = 0; i < 5; i++)
            c->caps[i] = be64(u + 8 * i);
        break;
    case T_RLIMIT:
        need_len(tag, len, 20);
        c->rlimits = xappend(c->rlimits, &c->n_rlimits, sizeof(struct rlim));
        c->rlimits[c->n_rlimits - 1] = (struct rlim){ be32(u), be64(u + 4), be64(u + 12) };
        break;
    case T_NO_NEW_PRIVS: need_len(tag, len, 1); c->no_new_privs = u[0]; break;
    case T_SECCOMP:
        if (len == 0 || len % 8 || len / 8 > MAX_SECCOMP)
            bad("SECCOMP: %u bytes is not a BPF program of 1 to %d instructions", len, MAX_SECCOMP);
        c->n_seccomp = len / 8;
        c->seccomp = xcalloc(c->n_seccomp, sizeof(struct sock_filter));
        for (size_t i = 0; i < c->n_seccomp; i++) {   /* little-endian, as the kernel's x86_64 */
            const unsigned char *f = u + 8 * i;
            c->seccomp[i].code = (uint16_t)(f[0] | f[1] << 8);
            c->seccomp[i].jt = f[2];
            c->seccomp[i].jf = f[3];
            c->seccomp[i].k = (uint32_t)f[4] | (uint32_t)f[5] << 8 | (uint32_t)f[6] << 16 | (uint32_t)f[7] << 24;
        }
        break;
    case T_NAMESPACES: need_len(tag, len, 4); c->namespaces = be32(u); break;
    case T_JOIN_NS:
        strings(tag, p, len, 2, s);
        c->joins = xappend(c->joins, &c->n_joins, sizeof(struct nsjoin));
        c->joins[c->n_joins - 1] = (struct nsjoin){ namespace_flag(s[0]), s[0], s[1] };
        break;
    case T_TTY: need_len(tag, len, 1); c->tty = u[0]; break;
    case T_OPEN_STDIN: need_len(tag, len, 1); c->open_stdin = u[0]; break;
    case T_LOG: c->log = one_string(tag, p, len); break;
    case T_STATE_DIR: c->state_dir = one_string(tag, p, len); break;
    case T_SYSCTL:
        strings(tag, p, len, 2, s);
        c->sysctls = xappend(c->sysctls, &c->n_sysctls, sizeof(struct sysctl));
        c->sysctls[c->n_sysctls - 1] = (struct sysctl){ s[0], s[1] };
        break;
    case T_ROOTFS_READONLY: need_len(tag, len, 1); c->rootfs_readonly = u[0]; break;
    case T_INIT: need_len(tag, len, 1); c->init = u[0]; break;
    }
}

static bool repeatable(int tag)
{
    switch (tag) {
    case T_ROOTFS_MOUNT: case T_MOUNT: case T_MASK: case T_READONLY: case T_DEVICE: case T_ARG:
    case T_ENV: case T_ADDGID: case T_RLIMIT: case T_JOIN_NS: case T_SYSCTL:
        return true;
    }
    return false;
}

void read_message(int fd, struct config *c)
{
    unsigned char h[6];
    size_t total = sizeof h;

    memset(c, 0, sizeof *c);
    c->mode = -1;
    if (read_full(fd, h, sizeof h) < 0)
        bad("no message header (%s)", errno == EPIPE ? "end of input" : strerror(errno));
    if (memcmp(h, SHIM_MAGIC, 4) != 0)
        bad("not a keel-shim message (bad magic)");
    if (be16(h + 4) != SHIM_VERSION)
        bad("message version %u, this shim speaks %d", be16(h + 4), SHIM_VERSION);
    for (;;) {
        uint16_t tag;
        uint32_t len;
        char *p;

        if (read_full(fd, h, sizeof h) < 0)
            bad("message ends before END");
        tag = be16(h), len = be32(h + 2);
        if (tag < 1 || tag > T_LAST)
            bad("unknown record tag %u", tag);
        if (len > MAX_RECORD)
            bad("%s: %u bytes is over the %u byte limit", TAG_NAMES[tag], len, MAX_RECORD);
        total += sizeof h + len;
        if (total > MAX_MESSAGE)
            bad("message over %u bytes", MAX_MESSAGE);
        if (c->seen[tag]++ && !repeatable(tag))
            bad("%s given twice", TAG_NAMES[tag]);
        p = xcalloc(1, len + 1);               /* kept: the config points into it */
        if (read_full(fd, p, len) < 0)
            bad("%s: message ends inside the record", TAG_NAMES[tag]);
        if (tag == T_END) {
            need_len(tag, len, 0);
            break;
        }
        record(c, tag, p, len);
    }
    c->args = xappend(c->args, &c->n_args, sizeof(char *));   /* NULL ends args and env */
    c->n_args--;
    c->env = xappend(c->env, &c->n_env, sizeof(char *));
    c->n_env--;
}
