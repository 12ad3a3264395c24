/*
 * paths.c - the one way the shim reaches anything under a container's root.
 *
 * The rootfs is untrusted: its symlinks may point anywhere and, in the CVE-2025-31133 family,
 * may be swapped in while a runtime sets up. So every path is resolved from a descriptor of the
 * root with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): symlinks in the middle of a path
 * are followed as the container would see them, never out of the root and never through a
 * /proc magic link; the last component is never followed (a symlink there is refused, ELOOP).
 * Missing directories and files are created one component at a time with mkdirat/openat
 * relative to the verified parent, which never follow a symlink either. What comes back is an
 * O_PATH descriptor, and mounts go onto the descriptor, so nothing can change between the check
 * and the use.
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
#define BENEATH_NOFOLLOW (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

int openat2_fd(int dirfd, const char *path, int flags, uint64_t resolve)
{
    struct open_how how = { .flags = (uint64_t)flags, .resolve = resolve };
    long fd;

    do
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    while (fd < 0 && errno == EAGAIN);     /* a concurrent rename made the kernel retry-able */
    return (int)fd;
}

/* Copies the parent of a clean absolute path into parent; returns its last component. */
const char *split_last(const char *path, char *parent, size_t size)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == path ? 1 : (size_t)(slash - path);

    if (n >= size)
        n = size - 1;
    memcpy(parent, path, n);
    parent[n] = 0;
    return slash + 1;
}

static bool is_symlink(int dirfd, const char *name)
{
    struct stat st;

    return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

/* An O_PATH descriptor of the directory path inside root, created (0755) if missing and asked. */
int open_dir_in_root(int rootfd, const char *path, bool create)
{
    char prefix[PATH_MAX];
    int fd, parent;

    fd = openat2_fd(rootfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
    if (fd >= 0 || errno != ENOENT || !create)
        return fd;
    if (strlen(path) >= sizeof prefix) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* Walk the prefixes /a, /a/b, ... creating what is missing under the last one found. */
    parent = openat2_fd(rootfd, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
    if (parent < 0)
        return -1;
    strcpy(prefix, path);
    for (char *c = prefix + 1; *c; ) {
        char *e = strchrnul(c, '/');
        char save = *e;
        int saved;

        *e = 0;
        fd = openat2_fd(rootfd, prefix, O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
        if (fd < 0 && errno == ENOENT) {
            if (mkdirat(parent, c, 0755) < 0 && errno != EEXIST)
                goto out;
            /* what is there now must be the directory just made, not a (dangling) symlink */
            fd = openat2_fd(parent, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, BENEATH_NOFOLLOW);
            if (fd < 0 && errno == ENOTDIR && is_symlink(parent, c))
                errno = ELOOP;
        }
out:
        saved = errno;
        close(parent);
        if (fd < 0) {
            errno = saved;
            return -1;
        }
        parent = fd;
        *e = save;
        c = save ? e + 1 : e;
    }
    return parent;
}

/*
 * An O_PATH descriptor of path inside root, not a symlink. With create 'd' or 'f' a missing
 * path is made: parents as directories, the last component as a directory or an empty file.
 */
int open_in_root(int rootfd, const char *path, int create)
{
    struct stat st;
    int fd = openat2_fd(rootfd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, IN_ROOT);

    if (fd < 0 && errno == ENOENT && create) {
        char dir[PATH_MAX];
        const char *name = split_last(path, dir, sizeof dir);
        int parent = open_dir_in_root(rootfd, dir, true);
        int r, saved;

        if (parent < 0)
            return -1;
        if (create == 'd') {
            r = mkdirat(parent, name, 0755);
        } else {
            r = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
            if (r >= 0)
                close(r);
        }
        if (r < 0 && errno != EEXIST) {
            saved = errno;
            close(parent);
            errno = saved;
            return -1;
        }
        fd = openat2_fd(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, BENEATH_NOFOLLOW);
        saved = errno;
        close(parent);
        errno = saved;
    }
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode)) {
        close(fd);
        errno = ELOOP;
        return -1;
    }
    return fd;
}
