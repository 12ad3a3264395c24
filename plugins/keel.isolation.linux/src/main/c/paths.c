/*
 * paths.c - the one way the shim reaches anything under a container's root.
 *
 * The rootfs is untrusted: its symlinks may point anywhere and, in the CVE-2025-31133 family,
 * may be swapped in while a runtime sets up. So every path is resolved from a descriptor of the
 * root with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): symlinks in the middle of a path
 * are followed as the container would see them, never out of the root and never through a
 * /proc magic link; the last component is never followed (a symlink there is refused, ELOOP).
 * resolve_in_root follows the last one too, inside the root, for mount targets (Docker's way).
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

/* Appends "/name" (name of len bytes) to the symlink-free prefix done. */
static int append(char *done, size_t size, const char *name, size_t len)
{
    size_t n = strlen(done);

    if (n + 1 + len >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    done[n] = '/';
    memcpy(done + n + 1, name, len);
    done[n + 1 + len] = 0;
    return 0;
}

/*
 * Resolves path inside root as the container will see it, following every symlink, the last
 * component too (as Docker does for a mount target), but never out of the root: an absolute
 * link starts again at the root and ".." at the root stays there, RESOLVE_IN_ROOT's rules.
 * From the first component that does not exist on, the rest is taken as written (it will be
 * made). The result names no symlink at the time of the call; open_in_root, which the caller
 * uses on it, refuses one swapped in meanwhile, so a race gains nothing.
 */
int resolve_in_root(int rootfd, const char *path, char *out, size_t size)
{
    char rest[PATH_MAX], link[PATH_MAX], done[PATH_MAX] = "";
    int links = 0;
    bool missing = false;

    if (strlen(path) >= sizeof rest) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(rest, path);
    while (rest[0]) {
        char *c = rest, *e;
        size_t len;

        while (*c == '/')
            c++;
        e = strchrnul(c, '/');
        len = (size_t)(e - c);
        if (len == 0 || (len == 1 && c[0] == '.')) {
            memmove(rest, e, strlen(e) + 1);
            continue;
        }
        if (len == 2 && c[0] == '.' && c[1] == '.') {
            if (!missing) {
                char *slash = strrchr(done, '/');
                if (slash)
                    *slash = 0;
            } else if (append(done, sizeof done, c, len) < 0) {
                return -1;
            }
            memmove(rest, e, strlen(e) + 1);
            continue;
        }
        size_t before = strlen(done);
        if (append(done, sizeof done, c, len) < 0)
            return -1;
        memmove(rest, e, strlen(e) + 1);
        if (missing)
            continue;
        int fd = openat2_fd(rootfd, done, O_PATH | O_NOFOLLOW | O_CLOEXEC, IN_ROOT);
        struct stat st;
        if (fd < 0 && errno == ENOENT) {
            missing = true;
            continue;
        }
        if (fd < 0 || fstat(fd, &st) < 0) {
            int saved = errno;
            if (fd >= 0)
                close(fd);
            errno = saved;
            return -1;
        }
        if (S_ISLNK(st.st_mode)) {
            ssize_t n = readlinkat(fd, "", link, sizeof link - 1);
            int saved = errno;
            close(fd);
            if (n < 0) {
                errno = saved;
                return -1;
            }
            if (++links > 40) {
                errno = ELOOP;
                return -1;
            }
            link[n] = 0;
            if (strlen(link) + 1 + strlen(rest) >= sizeof rest) {
                errno = ENAMETOOLONG;
                return -1;
            }
            /* rest = link + "/" + rest; the link replaces its own name in done */
            memmove(rest + n + 1, rest, strlen(rest) + 1);
            memcpy(rest, link, (size_t)n);
            rest[n] = '/';
            done[link[0] == '/' ? 0 : before] = 0;
            continue;
        }
        close(fd);
    }
    if (strlen(done) + 2 > size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(out, done[0] ? done : "/");
    return 0;
}
