/*
 * util.c - error reporting, whole reads and writes, time stamps, atomic files.
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sync_fd = -1;              /* set in the container process */
static void (*cleanup_fn)(void);      /* set in the shim once it has made state files */

void fail_to_sync(int fd)
{
    sync_fd = fd;
}

void fail_cleanup(void (*fn)(void))
{
    cleanup_fn = fn;
}

/*
 * Ends the process after a failed step. In the shim: an `ERROR <errno> <stage> <message>` line
 * to Java. In the container process: an error record to the shim, which reports it.
 */
_Noreturn void fail(int err, const char *stage, const char *fmt, ...)
{
    struct sync_msg m = { .type = SYNC_ERROR, .err = err };
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(m.text, sizeof m.text, fmt, ap);
    va_end(ap);
    snprintf(m.stage, sizeof m.stage, "%s", stage);
    for (char *p = m.text; *p; p++)        /* one line, whatever a path contained */
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (sync_fd >= 0) {
        send(sync_fd, &m, sizeof m, MSG_NOSIGNAL);
        _exit(1);
    }
    if (cleanup_fn)
        cleanup_fn();
    say("ERROR %d %s %s", err, m.stage, m.text);
    exit(1);
}

/* One line to Java on stdout; a gone reader is not an error (SIGPIPE is ignored). */
void say(const char *fmt, ...)
{
    char line[600];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof line - 2)
        n = sizeof line - 2;
    line[n++] = '\n';
    write_full(STDOUT_FILENO, line, (size_t)n);
}

/* Reads exactly n bytes: 0, or -1 with errno (EPIPE for an early end of file). */
int read_full(int fd, void *buf, size_t n)
{
    char *p = buf;

    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0) {
            errno = EPIPE;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int write_full(int fd, const void *buf, size_t n)
{
    const char *p = buf;

    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* RFC 3339 with nanoseconds, UTC: 2024-05-01T12:00:00.123456789Z */
void format_time(char out[40], const struct timespec *ts)
{
    struct tm tm;
    char date[24];

    gmtime_r(&ts->tv_sec, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 40, "%s.%09ldZ", date, ts->tv_nsec);
}

/*
 * Writes dirfd/name as a whole or not at all for every reader and across the death of any process
 * (a temporary file, renamed over it). Not fsynced: these files (shim.pid, exit.json) are run-time
 * state under the daemon's --run directory, about processes that end with the machine; after a
 * machine crash their absence reads as "the supervisor died", which is then true. The fsyncs cost
 * 2 journal commits (about 6 ms on the project's disk) in every start and every exit.
 */
static int write_file_atomic_once(int dirfd, const char *name, const char *data, size_t n)
{
    char tmp[64];
    int fd, saved;

    snprintf(tmp, sizeof tmp, ".%s.tmp", name);
    fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (write_full(fd, data, n) < 0) {
        saved = errno;
        close(fd);
        unlinkat(dirfd, tmp, 0);
        errno = saved;
        return -1;
    }
    close(fd);
    if (renameat(dirfd, tmp, dirfd, name) < 0) {
        saved = errno;
        unlinkat(dirfd, tmp, 0);
        errno = saved;
        return -1;
    }
    return 0;
}

/*
 * ... retried on a full disk: ext4 lets blocks freed by a delete be used again only after its next
 * journal commit (up to 5 s later), which a syncfs forces. A container's exit status must not be
 * lost to a disk that has room again (it would read as "the supervisor died", 137).
 */
int write_file_atomic(int dirfd, const char *name, const char *data, size_t n)
{
    for (int attempt = 0; ; attempt++) {
        int r = write_file_atomic_once(dirfd, name, data, n);
        if (r == 0 || (errno != ENOSPC && errno != EDQUOT) || attempt == 20)
            return r;
        syncfs(dirfd);
        if (attempt > 0)
            usleep(100 * 1000);        /* up to 2 s in all, while the disk stays full */
    }
}

/* Closes every descriptor from 3 up except those in keep. */
void close_fds_except(const int *keep, size_t n)
{
    int sorted[8];
    unsigned int from = 3;

    if (n > 8)
        n = 8;
    memcpy(sorted, keep, n * sizeof *keep);
    for (size_t i = 1; i < n; i++)          /* insertion sort of at most 8 */
        for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            int t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        if (sorted[i] < (int)from)
            continue;
        if ((unsigned int)sorted[i] > from)
            close_range(from, (unsigned int)sorted[i] - 1, 0);
        from = (unsigned int)sorted[i] + 1;
    }
    close_range(from, ~0U, 0);
}

void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (!p)
        fail(ENOMEM, "message", "out of memory");
    return p;
}

void *xappend(void *array, size_t *count, size_t size)
{
    char *p = realloc(array, (*count + 1) * size);

    if (!p)
        fail(ENOMEM, "message", "out of memory");
    memset(p + *count * size, 0, size);
    (*count)++;
    return p;
}
