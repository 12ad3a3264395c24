/*
 * validate.c - checks a decoded message before the shim creates anything: required records,
 * paths absolute and clean, namespaces that make sense together, only namespaced sysctls.
 * A failure is `ERROR 22 message ...`.
 */
#include "shim.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#define NS_CREATABLE (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP)

#define bad(...) fail(EINVAL, "message", __VA_ARGS__)

/* Absolute, no empty, "." or ".." component, no trailing slash (except "/" itself). */
static bool clean_path(const char *p)
{
    if (p[0] != '/')
        return false;
    for (const char *c = p + 1; *c; ) {
        const char *e = strchrnul(c, '/');
        size_t n = (size_t)(e - c);
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        c = *e ? e + 1 : e;
        if (*e && !*c)
            return false;
    }
    return true;
}

static void container_path(const char *what, const char *p)
{
    if (!clean_path(p) || strcmp(p, "/") == 0)
        bad("%s %s: not an absolute clean path below /", what, p);
}

/* Only namespaced sysctls (runc's list), and only in a namespace that is not the host's. */
static void check_sysctl(const struct config *c, const struct sysctl *s)
{
    static const char *const IPC[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
        "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced" };
    const char *k = s->key;
    int ns = 0;

    for (const char *p = k; *p; p++)
        if (!(*p == '.' || *p == '_' || *p == '-' || *p == '/' || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            bad("sysctl %s: bad character", k);
    if (strstr(k, "..") || strstr(k, "//") || strstr(k, "./") || strstr(k, "/.") || k[0] == '.' || k[0] == '/')
        bad("sysctl %s: bad name", k);
    for (size_t i = 0; i < sizeof IPC / sizeof *IPC; i++)
        if (strcmp(k, IPC[i]) == 0)
            ns = CLONE_NEWIPC;
    if (strncmp(k, "fs.mqueue.", 10) == 0)
        ns = CLONE_NEWIPC;
    if (strncmp(k, "net.", 4) == 0)
        ns = CLONE_NEWNET;
    if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0)
        ns = CLONE_NEWUTS;
    if (!ns)
        bad("sysctl %s is not namespaced: it would change the host", k);
    bool joined = false;
    for (size_t i = 0; i < c->n_joins; i++)
        joined |= c->joins[i].flag == ns;
    if (!(c->namespaces & (uint32_t)ns) && !joined)
        bad("sysctl %s needs its own namespace, not the host's", k);
}

void validate(const struct config *c, int cap_last)
{
    uint32_t joined = 0;
    uint64_t all_caps = cap_last >= 63 ? ~0ULL : (1ULL << (cap_last + 1)) - 1;

    if (c->mode != MODE_RUN && c->mode != MODE_EXEC)
        bad("MODE missing or not 0 (run) or 1 (exec)");
    if (!c->id || !*c->id)
        bad("ID missing");
    if (!c->state_dir || c->state_dir[0] != '/')
        bad("STATE_DIR missing or not absolute");
    if (c->log && c->log[0] != '/')
        bad("LOG %s: not absolute", c->log);
    if (c->n_args == 0 || !*c->args[0])
        bad("ARG missing: nothing to run");
    if (c->cwd && c->cwd[0] != '/')
        bad("CWD %s: not absolute", c->cwd);
    for (size_t i = 0; i < c->n_env; i++)
        if (!strchr(c->env[i], '=') || c->env[i][0] == '=')
            bad("ENV %s: not KEY=VALUE", c->env[i]);
    for (int i = 0; i < 5; i++)
        if (c->caps[i] & ~all_caps)
            bad("CAPS: bits above the kernel's last capability %d", cap_last);
    for (size_t i = 0; i < c->n_rlimits; i++)
        if (c->rlimits[i].resource >= RLIMIT_NLIMITS || c->rlimits[i].soft > c->rlimits[i].hard)
            bad("RLIMIT %u: unknown resource or soft above hard", c->rlimits[i].resource);
    for (size_t i = 0; i < c->n_joins; i++) {
        const struct nsjoin *j = &c->joins[i];
        if (!j->flag)
            bad("JOIN_NS %s: unknown namespace type", j->type);
        if (j->path[0] != '/')
            bad("JOIN_NS %s: path %s not absolute", j->type, j->path);
        if (joined & (uint32_t)j->flag)
            bad("JOIN_NS %s given twice", j->type);
        joined |= (uint32_t)j->flag;
    }
    if (c->namespaces & ~(uint32_t)NS_CREATABLE)
        bad("NAMESPACES 0x%x: only pid, mnt, uts, ipc, net and cgroup can be created", c->namespaces);
    if (c->namespaces & joined)
        bad("NAMESPACES and JOIN_NS name the same namespace");

    if (c->mode == MODE_EXEC) {
        if (c->rootfs || c->n_rootfs_mounts || c->n_mounts || c->n_masks || c->n_readonly ||
            c->n_devices || c->hostname || c->n_sysctls || c->namespaces || c->rootfs_readonly)
            bad("exec mode joins a container: no ROOTFS, mounts, devices, hostname, sysctls or NAMESPACES");
        if (!(joined & CLONE_NEWNS))
            bad("exec mode needs JOIN_NS mnt");
        return;
    }
    if (!c->rootfs || !clean_path(c->rootfs) || strcmp(c->rootfs, "/") == 0)
        bad("ROOTFS missing or not an absolute clean path other than /");
    if (!(c->namespaces & CLONE_NEWNS) && !(joined & CLONE_NEWNS))
        bad("run mode needs a mount namespace (NAMESPACES with mnt)");
    if (joined & CLONE_NEWNS)
        bad("run mode cannot join a mount namespace: it makes its own root");
    for (size_t i = 0; i < c->n_mounts; i++) {
        container_path("MOUNT", c->mounts[i].dest);
        if ((c->mounts[i].flags & MS_BIND) && c->mounts[i].source[0] != '/')
            bad("MOUNT %s: bind source %s not absolute", c->mounts[i].dest, c->mounts[i].source);
        if (c->mounts[i].flags & (MS_REMOUNT | MS_MOVE))
            bad("MOUNT %s: MS_REMOUNT and MS_MOVE are not mount records", c->mounts[i].dest);
    }
    for (size_t i = 0; i < c->n_masks; i++)
        container_path("MASK", c->masks[i]);
    for (size_t i = 0; i < c->n_readonly; i++)
        container_path("READONLY", c->readonly[i]);
    for (size_t i = 0; i < c->n_devices; i++) {
        container_path("DEVICE", c->devices[i].path);
        if (c->devices[i].type != 'c' && c->devices[i].type != 'b')
            bad("DEVICE %s: type must be 'c' or 'b'", c->devices[i].path);
    }
    if (c->hostname && !(c->namespaces & CLONE_NEWUTS))
        bad("HOSTNAME needs a new uts namespace");
    for (size_t i = 0; i < c->n_sysctls; i++)
        check_sysctl(c, &c->sysctls[i]);
}
