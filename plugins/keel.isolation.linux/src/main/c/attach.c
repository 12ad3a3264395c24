/*
 * attach.c - <state>/attach.sock: a path-based unix stream socket (mode 0600, never abstract:
 * containerd CVE-2020-15257) that any number (up to MAX_ATTACHERS) of clients of the shim's own
 * user connect to. Frames both ways: type u8, length u32 big-endian, payload.
 *
 *   shim -> attacher   'O' stdout bytes, 'E' stderr bytes, 'X' exit code (i32) at the end
 *   attacher -> shim   'I' stdin bytes, 'C' stdin closed, 'W' u16 rows, u16 cols
 *
 * Writes never block: what the socket does not take waits in a per-attacher buffer, and an
 * attacher whose buffer passes ATTACH_PENDING_MAX (it stopped reading) is dropped.
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define ATTACH_PENDING_MAX (1u << 20)
#define HEADER 5

struct attacher {
    int fd;
    unsigned char *out;               /* frames the socket has not taken yet */
    size_t outlen;
    size_t inlen;
    unsigned char in[HEADER + ATTACH_FRAME_MAX];
};

static struct attacher *table[MAX_ATTACHERS];
static int polled[MAX_ATTACHERS];     /* table slot of each pollfd attach_pollfds filled */

int attach_listen(int statedir, const char *state_dir)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    mode_t old;
    int fd, r;

    if ((size_t)snprintf(a.sun_path, sizeof a.sun_path, "%s/attach.sock", state_dir) >= sizeof a.sun_path)
        fail(ENAMETOOLONG, "attach", "%s/attach.sock is longer than a socket path can be", state_dir);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        fail(errno, "attach", "socket: %m");
    unlinkat(statedir, "attach.sock", 0);
    old = umask(0177);
    r = bind(fd, (struct sockaddr *)&a, sizeof a);
    umask(old);
    if (r < 0 || fchmodat(statedir, "attach.sock", 0600, 0) < 0 || listen(fd, MAX_ATTACHERS) < 0)
        fail(errno, "attach", "%s: %m", a.sun_path);
    return fd;
}

static void drop(int i)
{
    close(table[i]->fd);
    free(table[i]->out);
    free(table[i]);
    table[i] = NULL;
}

void attach_accept(int listenfd)
{
    for (;;) {
        struct ucred cr;
        socklen_t len = sizeof cr;
        int fd = accept4(listenfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), i;

        if (fd < 0)
            return;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || cr.uid != geteuid()) {
            close(fd);
            continue;
        }
        for (i = 0; i < MAX_ATTACHERS && table[i]; i++)
            ;
        if (i == MAX_ATTACHERS || !(table[i] = calloc(1, sizeof *table[i]))) {
            close(fd);
            continue;
        }
        table[i]->fd = fd;
    }
}

/* Sends what the socket takes now and keeps the rest; false: the attacher is to be dropped. */
static bool queue(struct attacher *a, const void *data, size_t n)
{
    unsigned char *p;

    if (a->outlen == 0) {
        ssize_t w = send(a->fd, data, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return false;
        if (w > 0) {
            data = (const char *)data + w;
            n -= (size_t)w;
        }
    }
    if (n == 0)
        return true;
    if (a->outlen + n > ATTACH_PENDING_MAX || !(p = realloc(a->out, a->outlen + n)))
        return false;
    memcpy(p + a->outlen, data, n);
    a->out = p;
    a->outlen += n;
    return true;
}

static bool flush(struct attacher *a)
{
    ssize_t w = send(a->fd, a->out, a->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);

    if (w < 0)
        return errno == EAGAIN || errno == EINTR;
    memmove(a->out, a->out + w, a->outlen - (size_t)w);
    a->outlen -= (size_t)w;
    return true;
}

void attach_broadcast(char type, const void *data, size_t n)
{
    unsigned char h[HEADER] = { (unsigned char)type, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                                (unsigned char)(n >> 8), (unsigned char)n };

    for (int i = 0; i < MAX_ATTACHERS; i++)
        if (table[i] && (!queue(table[i], h, sizeof h) || !queue(table[i], data, n)))
            drop(i);
}

size_t attach_pollfds(struct pollfd *pfd, size_t max, bool want_input)
{
    size_t n = 0;

    for (int i = 0; i < MAX_ATTACHERS && n < max; i++) {
        if (!table[i])
            continue;
        polled[n] = i;
        pfd[n].fd = table[i]->fd;
        pfd[n].events = (short)((want_input ? POLLIN : 0) | (table[i]->outlen ? POLLOUT : 0));
        pfd[n].revents = 0;
        n++;
    }
    return n;
}

/* Reads what an attacher sent and hands each complete frame to fn. */
static bool receive(struct attacher *a, frame_fn fn, void *ctx)
{
    ssize_t r = recv(a->fd, a->in + a->inlen, sizeof a->in - a->inlen, MSG_DONTWAIT);

    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
        return false;
    if (r > 0)
        a->inlen += (size_t)r;
    while (a->inlen >= HEADER) {
        uint32_t len = (uint32_t)a->in[1] << 24 | (uint32_t)a->in[2] << 16 | (uint32_t)a->in[3] << 8 | a->in[4];
        if (len > ATTACH_FRAME_MAX)
            return false;
        if (a->inlen < HEADER + len)
            break;
        fn(ctx, (char)a->in[0], a->in + HEADER, len);
        memmove(a->in, a->in + HEADER + len, a->inlen - HEADER - len);
        a->inlen -= HEADER + len;
    }
    return true;
}

void attach_events(const struct pollfd *pfd, size_t n, frame_fn fn, void *ctx)
{
    for (size_t k = 0; k < n; k++) {
        struct attacher *a = table[polled[k]];
        short re = pfd[k].revents;

        if (!a || !re)
            continue;
        if (((re & POLLOUT) && !flush(a)) || ((re & (POLLIN | POLLHUP | POLLERR)) && !receive(a, fn, ctx)))
            drop(polled[k]);
    }
}

/* At the end: give attachers up to timeout_ms to take what is queued (the X frame), then close. */
void attach_finish(int timeout_ms)
{
    struct pollfd pfd[MAX_ATTACHERS];
    struct timespec t0, t;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        size_t n = 0;
        long left;

        for (int i = 0; i < MAX_ATTACHERS; i++)
            if (table[i] && table[i]->outlen) {
                polled[n] = i;
                pfd[n++] = (struct pollfd){ table[i]->fd, POLLOUT, 0 };
            }
        clock_gettime(CLOCK_MONOTONIC, &t);
        left = timeout_ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
        if (n == 0 || left <= 0 || poll(pfd, n, (int)left) <= 0)
            break;
        for (size_t k = 0; k < n; k++)
            if ((pfd[k].revents & (POLLHUP | POLLERR)) || ((pfd[k].revents & POLLOUT) && !flush(table[polled[k]])))
                drop(polled[k]);
    }
    for (int i = 0; i < MAX_ATTACHERS; i++)
        if (table[i])
            drop(i);
}
