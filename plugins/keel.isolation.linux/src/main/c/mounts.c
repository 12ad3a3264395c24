/*
 * mounts.c - the container's root: rootfs, MOUNT records, device nodes, /dev links, masked and
 * read-only paths, pivot_root.
 *
 * Everything happens in the container process's new mount namespace, before pivot_root, with
 * targets reached only through paths.c (a descriptor of the rootfs, openat2 RESOLVE_IN_ROOT)
 * and mounts made onto those descriptors:
 *  - filesystems (proc, tmpfs, sysfs, devpts, overlay ...) with mount(2) on /proc/self/fd/N,
 *    which is still the host's trusted /proc at this point;
 *  - binds with open_tree + mount_setattr + move_mount, so a read-only bind is read-only before
 *    it is attached (no bind-then-remount window, no remount of the wrong mount);
 *  - masks from a verified descriptor of the host's /dev/null, never the container's.
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)
#define MOVE_FDS (MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)

static void fd_path(char out[32], int fd)
{
    snprintf(out, 32, "/proc/self/fd/%d", fd);
}

/* MS_* flags as mount_setattr(2) attributes */
static struct mount_attr attrs_of(uint64_t flags)
{
    struct mount_attr a = { 0 };

    if (flags & MS_RDONLY)      a.attr_set |= MOUNT_ATTR_RDONLY;
    if (flags & MS_NOSUID)      a.attr_set |= MOUNT_ATTR_NOSUID;
    if (flags & MS_NODEV)       a.attr_set |= MOUNT_ATTR_NODEV;
    if (flags & MS_NOEXEC)      a.attr_set |= MOUNT_ATTR_NOEXEC;
    if (flags & MS_NODIRATIME)  a.attr_set |= MOUNT_ATTR_NODIRATIME;
    if (flags & MS_NOSYMFOLLOW) a.attr_set |= MOUNT_ATTR_NOSYMFOLLOW;
    if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) {
        a.attr_clr |= MOUNT_ATTR__ATIME;
        a.attr_set |= (flags & MS_NOATIME) ? MOUNT_ATTR_NOATIME
                    : (flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME : MOUNT_ATTR_RELATIME;
    }
    a.propagation = flags & PROPAGATION;
    return a;
}

/* A copy of the tree at source (a host path) with its flags applied, then attached at target. */
static void bind_mount(const struct mnt *m, int target)
{
    unsigned int rec = (m->flags & MS_REC) ? AT_RECURSIVE : 0;
    struct mount_attr a = attrs_of(m->flags);
    int tree = open_tree(AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);

    if (tree < 0)
        fail(errno, "mount", "bind %s: %m", m->source);
    if ((a.attr_set || a.attr_clr || a.propagation) &&
        mount_setattr(tree, "", AT_EMPTY_PATH | rec, &a, sizeof a) < 0)
        fail(errno, "mount", "bind %s on %s: flags: %m", m->source, m->dest);
    if (move_mount(tree, "", target, "", MOVE_FDS) < 0)
        fail(errno, "mount", "bind %s on %s: %m", m->source, m->dest);
    close(tree);
}

static void fs_mount(int rootfd, const struct mnt *m, const char *dest, int target)
{
    char p[32];
    const char *source = *m->source ? m->source : "none";

    fd_path(p, target);
    if (mount(source, p, m->type, m->flags & ~(uint64_t)PROPAGATION, *m->data ? m->data : NULL) < 0)
        fail(errno, "mount", "%s on %s: %m", m->type, m->dest);
    if (m->flags & PROPAGATION) {          /* applies to the new mount, reached afresh */
        struct mount_attr a = { .propagation = m->flags & PROPAGATION };
        int top = open_in_root(rootfd, dest, 0);
        if (top < 0 || mount_setattr(top, "", AT_EMPTY_PATH | ((m->flags & MS_REC) ? AT_RECURSIVE : 0), &a, sizeof a) < 0)
            fail(errno, "mount", "%s on %s: propagation: %m", m->type, m->dest);
        close(top);
    }
}

/*
 * A MOUNT record. Its target is resolved inside the root first, symlinks followed as the
 * container sees them (Docker's behaviour for a bind or volume over an image's symlink), except
 * for proc and sysfs, which go exactly where they are asked or not at all.
 */
static void one_mount(int rootfd, const struct mnt *m)
{
    int create = 'd', target;
    char dest[PATH_MAX];

    if (resolve_in_root(rootfd, m->dest, dest, sizeof dest) < 0)
        fail(errno, "mount", "%s: %m", m->dest);
    if ((!strcmp(m->type, "proc") || !strcmp(m->type, "sysfs")) && strcmp(dest, m->dest) != 0)
        fail(ELOOP, "mount", "%s: a symlink (to %s), refused for %s", m->dest, dest, m->type);

    if (m->flags & MS_BIND) {
        struct stat st;
        if (stat(m->source, &st) < 0)
            fail(errno, "mount", "bind source %s: %m", m->source);
        if (!S_ISDIR(st.st_mode))
            create = 'f';
    }
    target = open_in_root(rootfd, dest, create);
    if (target < 0)
        fail(errno, "mount", "%s: %s", m->dest, errno == ELOOP ? "a symlink, refused as a mount target" : strerror(errno));
    if (m->flags & MS_BIND)
        bind_mount(m, target);
    else
        fs_mount(rootfd, m, dest, target);
    close(target);
}

static void make_device(int rootfd, const struct device *d)
{
    char dir[PATH_MAX];
    const char *name = split_last(d->path, dir, sizeof dir);
    mode_t type = d->type == 'b' ? S_IFBLK : S_IFCHR;
    dev_t dev = makedev(d->major, d->minor);
    struct stat st;
    int parent = open_dir_in_root(rootfd, dir, true);

    if (parent < 0)
        fail(errno, "device", "%s: %m", dir);
    if (mknodat(parent, name, type | (d->mode & 0777), dev) < 0) {
        /* an existing node is fine only if it is this very device */
        if (errno != EEXIST || fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            (st.st_mode & S_IFMT) != type || st.st_rdev != dev)
            fail(errno, "device", "%s: %m", d->path);
    }
    if (fchownat(parent, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
        fail(errno, "device", "chown %s: %m", d->path);
    close(parent);
}

/* The links every container's /dev has (runc's list), when it has a /dev and not these names. */
static void dev_links(int rootfd)
{
    static const char *const LINKS[][2] = {
        { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
        { "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" }, { "core", "/proc/kcore" },
    };
    int dev = open_dir_in_root(rootfd, "/dev", false);

    if (dev < 0)
        return;
    for (size_t i = 0; i < sizeof LINKS / sizeof *LINKS; i++)
        if (symlinkat(LINKS[i][1], dev, LINKS[i][0]) < 0 && errno != EEXIST)
            fail(errno, "mount", "/dev/%s: %m", LINKS[i][0]);
    close(dev);
}

/* Whether path a is b or lies under it. */
static bool under(const char *a, const char *b)
{
    size_t n = strlen(b);

    if (n == 1 && b[0] == '/')
        return true;
    return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

/* Whether a path is nested with (over or under) one of the mounts that wait for GO. */
static bool near_late(const struct config *c, const bool *late, const char *path)
{
    for (size_t i = 0; i < c->n_mounts; i++)
        if (late[i] && (under(path, c->mounts[i].dest) || under(c->mounts[i].dest, path)))
            return true;
    return false;
}

void plan_late(const struct config *c, bool *late)
{
    for (size_t i = 0; i < c->n_mounts; i++) {
        const struct mnt *m = &c->mounts[i];
        late[i] = !strcmp(m->type, "cgroup") || !strcmp(m->type, "cgroup2") || near_late(c, late, m->dest);
    }
}

/* Mount namespace private, rootfs mounted (or bound onto itself), the early MOUNT records, devices. */
int prepare_root(const struct config *c, const bool *late)
{
    int rootfd;

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        fail(errno, "mount", "making / private: %m");
    if (c->n_rootfs_mounts == 0 && mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        fail(errno, "mount", "bind %s onto itself: %m", c->rootfs);
    for (size_t i = 0; i < c->n_rootfs_mounts; i++) {
        const struct mnt *m = &c->rootfs_mounts[i];
        if (mount(m->source, c->rootfs, m->type, m->flags, *m->data ? m->data : NULL) < 0)
            fail(errno, "mount", "rootfs %s %s on %s: %m", m->type, m->source, c->rootfs);
    }
    rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        fail(errno, "mount", "%s: %m", c->rootfs);
    for (size_t i = 0; i < c->n_mounts; i++)
        if (!late[i])
            one_mount(rootfd, &c->mounts[i]);
    for (size_t i = 0; i < c->n_devices; i++)
        make_device(rootfd, &c->devices[i]);
    dev_links(rootfd);
    return rootfd;
}

void late_mounts(const struct config *c, int rootfd, const bool *late)
{
    for (size_t i = 0; i < c->n_mounts; i++)
        if (late[i])
            one_mount(rootfd, &c->mounts[i]);
}

/*
 * MASK (host /dev/null over files, an empty read-only tmpfs over directories), READONLY: those of
 * the phase (nested with a late mount or not); in the late phase, then the root read-only.
 */
void mask_and_protect(const struct config *c, int rootfd, const bool *late, bool late_phase)
{
    struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
    struct stat st;
    int null = open("/dev/null", O_PATH | O_CLOEXEC);

    if (null < 0 || fstat(null, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
        fail(null < 0 ? errno : EPERM, "mask", "the host's /dev/null is not the null device");
    for (size_t i = 0; i < c->n_masks; i++) {
        int fd, tree;
        char p[32];
        if (near_late(c, late, c->masks[i]) != late_phase)
            continue;
        fd = open_in_root(rootfd, c->masks[i], 0);
        if (fd < 0 && errno == ENOENT)
            continue;
        if (fd < 0 || fstat(fd, &st) < 0)
            fail(errno, "mask", "%s: %m", c->masks[i]);
        fd_path(p, fd);
        if (S_ISDIR(st.st_mode)) {
            if (mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                fail(errno, "mask", "%s: %m", c->masks[i]);
        } else {
            tree = open_tree(null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
            if (tree < 0 || move_mount(tree, "", fd, "", MOVE_FDS) < 0)
                fail(errno, "mask", "%s: %m", c->masks[i]);
            close(tree);
        }
        close(fd);
    }
    for (size_t i = 0; i < c->n_readonly; i++) {
        int fd, tree;
        if (near_late(c, late, c->readonly[i]) != late_phase)
            continue;
        fd = open_in_root(rootfd, c->readonly[i], 0);
        if (fd < 0 && errno == ENOENT)
            continue;
        if (fd < 0)
            fail(errno, "readonly", "%s: %m", c->readonly[i]);
        tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
        if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof ro) < 0 ||
            move_mount(tree, "", fd, "", MOVE_FDS) < 0)
            fail(errno, "readonly", "%s: %m", c->readonly[i]);
        close(tree);
        close(fd);
    }
    if (late_phase && c->rootfs_readonly && mount_setattr(rootfd, "", AT_EMPTY_PATH, &ro, sizeof ro) < 0)
        fail(errno, "readonly", "the root: %m");
    close(null);
}

/* pivot_root(".", ".") and detach the old root: the host's tree is gone from this namespace. */
void enter_root(int rootfd)
{
    if (fchdir(rootfd) < 0)
        fail(errno, "pivot_root", "chdir to the rootfs: %m");
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        fail(errno, "pivot_root", "%m");
    if (umount2(".", MNT_DETACH) < 0)
        fail(errno, "pivot_root", "detaching the old root: %m");
    if (chdir("/") < 0)
        fail(errno, "pivot_root", "chdir /: %m");
    close(rootfd);
}
