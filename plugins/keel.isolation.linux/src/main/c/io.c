/*
 * io.c - supervision after STARTED: one poll loop relays the container's output (two pipes, or
 * the pty master) to the log and to attachers, attachers' input to its stdin, and waits for it
 * to end. Then: attach.sock removed, the output drained, exit.json (atomically), X to attachers.
 *
 * Nothing here waits on a reader: the log is a file, attachers are non-blocking with bounded
 * buffers, stdin input is held back (attachers are not read) while the container does not read.
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define STDIN_HELD_MAX (64u << 10)     /* above this, attachers are not read */
#define DRAIN_MS 2000                  /* output still arriving after the process ended */
#define FINISH_MS 1000                 /* attachers taking their last frames */

struct io {
    const struct io_setup *s;
    int out, err, in;                 /* -1 once closed */
    unsigned char *held;              /* stdin bytes the container has not read yet */
    size_t heldlen;
    bool close_in;                    /* 'C' came: close stdin once held is written */
    struct logstream lo, le;
};

static void close_stdin_if_done(struct io *io)
{
    if (io->close_in && io->heldlen == 0 && io->in >= 0 && !io->s->cfg->tty) {
        close(io->in);
        io->in = -1;
    }
}

static void write_stdin(struct io *io)
{
    ssize_t w;

    if (io->in < 0 || io->heldlen == 0)
        return;
    w = write(io->in, io->held, io->heldlen);
    if (w < 0 && errno != EAGAIN && errno != EINTR) {
        io->heldlen = 0;              /* the container closed its stdin: input goes nowhere */
        return;
    }
    if (w > 0) {
        memmove(io->held, io->held + w, io->heldlen - (size_t)w);
        io->heldlen -= (size_t)w;
    }
    close_stdin_if_done(io);
}

static void on_frame(void *ctx, char type, const unsigned char *p, uint32_t n)
{
    struct io *io = ctx;
    unsigned char *grown;

    switch (type) {
    case 'I':                         /* without OPEN_STDIN (a terminal's too) input goes nowhere */
        if (!io->s->cfg->open_stdin || io->in < 0 || io->close_in || !(grown = realloc(io->held, io->heldlen + n)))
            return;
        memcpy(grown + io->heldlen, p, n);
        io->held = grown;
        io->heldlen += n;
        break;
    case 'C':                         /* a terminal has no end of input to give: ignored */
        io->close_in = true;
        close_stdin_if_done(io);
        break;
    case 'W':
        if (io->s->cfg->tty && n == 4 && io->in >= 0) {
            struct winsize ws = { .ws_row = (unsigned short)(p[0] << 8 | p[1]),
                                  .ws_col = (unsigned short)(p[2] << 8 | p[3]) };
            ioctl(io->in, TIOCSWINSZ, &ws);
        }
        break;
    }
}

/* One read of an output stream; at its end (EOF, or EIO of a pty without slave) it is closed. */
static void relay(struct io *io, int *fd, char kind)
{
    char buf[64 << 10];
    ssize_t n = read(*fd, buf, sizeof buf);

    if (n > 0) {
        log_write(io->s->logfd, kind == 'O' ? &io->lo : &io->le, buf, (size_t)n);
        attach_broadcast(kind, buf, (size_t)n);
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    close(*fd);
    if (io->s->cfg->tty)
        io->in = -1;                  /* the same master */
    *fd = -1;
}

/* Reaps every child (the shim is a subreaper); true when the container process was one. */
static bool reap(const struct io_setup *s, int *status, struct timespec *when)
{
    struct signalfd_siginfo si;
    bool ended = false;
    pid_t w;
    int st;

    while (read(s->sigfd, &si, sizeof si) > 0)
        ;
    while ((w = waitpid(-1, &st, WNOHANG)) > 0)
        if (w == s->child) {
            *status = st;
            ended = true;
            clock_gettime(CLOCK_REALTIME, when);
        }
    return ended;
}

/* What the container wrote before it ended, up to DRAIN_MS more (a background process may hold the pipe). */
static void drain(struct io *io)
{
    struct timespec t0, t;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (io->out >= 0 || io->err >= 0) {
        struct pollfd pfd[2] = { { io->out, POLLIN, 0 }, { io->err, POLLIN, 0 } };
        long left;

        clock_gettime(CLOCK_MONOTONIC, &t);
        left = DRAIN_MS - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0 || poll(pfd, 2, (int)left) <= 0)
            break;
        if (pfd[0].revents)
            relay(io, &io->out, 'O');
        if (pfd[1].revents)
            relay(io, &io->err, 'E');
    }
}

static void finish(struct io *io, int status, const struct timespec *when)
{
    const struct io_setup *s = io->s;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    unsigned char x[4] = { (unsigned char)(code >> 24), (unsigned char)(code >> 16),
                           (unsigned char)(code >> 8), (unsigned char)code };
    char ts[40], json[128];
    int n;

    unlinkat(s->statedir, "attach.sock", 0);   /* no one new: once exit.json is there, it is gone */
    close(s->listenfd);
    drain(io);
    log_flush(s->logfd, &io->lo);
    log_flush(s->logfd, &io->le);
    format_time(ts, when);
    n = snprintf(json, sizeof json, "{\"code\":%d,\"signal\":%d,\"finishedAt\":\"%s\"}\n", code, sig, ts);
    write_file_atomic(s->statedir, "exit.json", json, (size_t)n);
    attach_broadcast('X', x, sizeof x);
    attach_finish(FINISH_MS);
}

int supervise(const struct io_setup *s)
{
    struct io io = { .s = s, .out = s->out, .err = s->err, .in = s->in };
    struct pollfd pfd[5 + MAX_ATTACHERS];
    struct timespec when = { 0 };
    int status = 0;
    bool tty = s->cfg->tty;

    io.lo.name = "stdout";
    io.le.name = "stderr";
    if (io.out >= 0) set_nonblock(io.out);
    if (io.err >= 0) set_nonblock(io.err);
    if (io.in >= 0) set_nonblock(io.in);
    for (;;) {
        size_t n;

        pfd[0] = (struct pollfd){ s->sigfd, POLLIN, 0 };
        pfd[1] = (struct pollfd){ s->listenfd, POLLIN, 0 };
        pfd[2] = (struct pollfd){ io.out, (short)(POLLIN | (tty && io.heldlen ? POLLOUT : 0)), 0 };
        pfd[3] = (struct pollfd){ io.err, POLLIN, 0 };
        pfd[4] = (struct pollfd){ tty ? -1 : io.in, (short)(io.heldlen ? POLLOUT : 0), 0 };
        n = 5 + attach_pollfds(pfd + 5, MAX_ATTACHERS, io.heldlen < STDIN_HELD_MAX);
        if (poll(pfd, n, -1) < 0 && errno != EINTR)
            break;
        if ((pfd[0].revents & POLLIN) && reap(s, &status, &when))
            break;
        if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))
            relay(&io, &io.out, 'O');
        if (pfd[3].revents)
            relay(&io, &io.err, 'E');
        if (pfd[1].revents & POLLIN)
            attach_accept(s->listenfd);
        attach_events(pfd + 5, n - 5, on_frame, &io);
        write_stdin(&io);
    }
    finish(&io, status, &when);
    return 0;
}
