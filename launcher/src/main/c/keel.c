/*
 * keel.c - the native `keel` command-line client.
 *
 * Every keel command lives in the Java daemon. This client only relays argv,
 * stdio, the terminal, signals and the exit code over the daemon's unix
 * socket, so a CLI call costs about a millisecond of client time instead of a
 * JVM start. The wire protocol is specified in launcher/PROTOCOL.md.
 *
 * Build: gcc -O2 -Wall -Wextra -std=gnu11 -o keel keel.c   (libc only)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define EXIT_CLIENT_ERROR 125          /* the client could not do its job */
#define EXIT_CANNOT_EXEC 127           /* `keel daemon`: keel-daemon won't run */
#define MAX_PAYLOAD (1u << 20)         /* 1 MiB, both directions */
#define HEADER_SIZE 5                  /* type byte + 4-byte big-endian length */
#define STDIN_CHUNK (32u << 10)        /* bytes read from stdin per I frame */
#define RETRY_INTERVAL_MS 10           /* autostart: connect retry period */
#define START_TIMEOUT_S 30             /* autostart: give up after this */

#define DEFAULT_RUN_DIR "/run/keel"
#define DEFAULT_ROOT_DIR "/var/lib/keel"
#define PROTOCOL_VERSION "keel/1"

/* The global options, consumed by the client and never sent. */
struct options {
    const char *run;    /* --run DIR, or NULL for the default */
    const char *root;   /* --root DIR, or NULL for the default */
    int no_autostart;   /* --no-autostart */
    int cmd;            /* index in argv of the first command argument */
    int argc;           /* the whole command line */
    char **argv;
};

/* Incremental parser state for frames arriving from the daemon. */
struct reader {
    unsigned char header[HEADER_SIZE];
    size_t header_got;
    uint32_t len;       /* payload length, valid once the header is complete */
    uint32_t got;       /* payload bytes received so far */
};

static int sock = -1;                            /* connection to the daemon */
static struct reader rd;                         /* frame being received */
static int stdin_on;                             /* the daemon sent N: relay stdin */
static int stdin_done;                           /* stdin hit EOF and C was sent */
static unsigned char payload_buf[MAX_PAYLOAD];   /* incoming payloads */
static unsigned char out_buf[MAX_PAYLOAD];       /* outgoing H / I payloads */
static int signal_pipe[2] = {-1, -1};            /* self-pipe: handler -> loop */
static struct termios saved_termios;             /* terminal state before raw */
static int raw_active;                           /* stdin is in raw mode */
static int output_broken[3];                     /* stdout/stderr write failed */

/* ---- Terminal and error reporting ---- */

/* Put the terminal back the way we found it. Safe to call any number of times. */
static void restore_terminal(void)
{
    if (!raw_active)
        return;
    tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_termios);
    raw_active = 0;
}

/* Raw mode for `-t` sessions: only when stdin is a terminal. */
static void enter_raw_mode(void)
{
    struct termios raw;

    if (raw_active || !isatty(STDIN_FILENO))
        return;
    if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
        return;
    raw = saved_termios;
    cfmakeraw(&raw);
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
        raw_active = 1;
}

/* Print "keel: <message>" and exit with the given code. The terminal is
 * restored first so the message is not mangled by raw mode. */
static void __attribute__((noreturn, format(printf, 2, 3)))
fail(int code, const char *fmt, ...)
{
    va_list ap;

    restore_terminal();
    fputs("keel: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(code);
}

/* ---- Small helpers ---- */

static const char *run_dir(const struct options *o) { return o->run ? o->run : DEFAULT_RUN_DIR; }
static const char *root_dir(const struct options *o) { return o->root ? o->root : DEFAULT_ROOT_DIR; }

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Write all of buf to stdout/stderr, coping with partial writes, EINTR, and
 * EAGAIN (an inherited non-blocking fd). Returns 0, or -1 on a real error. */
static int write_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            struct pollfd w = {.fd = fd, .events = POLLOUT};
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                poll(&w, 1, -1);
            else if (errno != EINTR)
                return -1;
            continue;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Terminal size of stdout; 0 x 0 when it is not a terminal. */
static void window_size(unsigned *rows, unsigned *cols)
{
    struct winsize ws;

    *rows = *cols = 0;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
        *rows = ws.ws_row;
        *cols = ws.ws_col;
    }
}

/* The directory holding this executable, from /proc/self/exe. */
static void daemon_path(char *out, size_t size)
{
    char self[PATH_MAX];
    char *slash;

    if (!realpath("/proc/self/exe", self))
        fail(EXIT_CLIENT_ERROR, "cannot locate my own executable: %s", strerror(errno));
    slash = strrchr(self, '/');
    *slash = '\0';   /* realpath() is absolute, so there is always a slash */
    if ((size_t)snprintf(out, size, "%s/keel-daemon", self) >= size)
        fail(EXIT_CLIENT_ERROR, "path too long: %s/keel-daemon", self);
}

/* ---- Command line ---- */

/* If argv[*i] is `name VALUE` or `name=VALUE`, return VALUE (advancing *i
 * past a separate value); otherwise return NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];
    const char *value;

    if (strncmp(arg, name, n) != 0)
        return NULL;
    if (arg[n] == '=') {
        value = arg + n + 1;
    } else if (arg[n] == '\0') {
        if (*i + 1 >= argc)
            fail(EXIT_CLIENT_ERROR, "%s needs a directory", name);
        value = argv[++*i];
    } else {
        return NULL;
    }
    if (*value == '\0')
        fail(EXIT_CLIENT_ERROR, "%s needs a directory", name);
    return value;
}

/* Consume the global options; everything from the first other argument on
 * is the command, which goes to the daemon untouched. */
static void parse_options(int argc, char **argv, struct options *o)
{
    int i;

    memset(o, 0, sizeof *o);
    for (i = 1; i < argc; i++) {
        const char *v;
        if ((v = option_value(argc, argv, &i, "--run")))
            o->run = v;
        else if ((v = option_value(argc, argv, &i, "--root")))
            o->root = v;
        else if (strcmp(argv[i], "--no-autostart") == 0)
            o->no_autostart = 1;
        else
            break;
    }
    o->cmd = i;
    o->argc = argc;
    o->argv = argv;
}

/* `keel daemon ...` runs the daemon in the foreground, except for the
 * `daemon stop` and `daemon status` commands, which the daemon serves. */
static int is_foreground_daemon(int argc, char **argv, const struct options *o)
{
    const char *sub;
    if (o->cmd >= argc || strcmp(argv[o->cmd], "daemon") != 0)
        return 0;
    sub = o->cmd + 1 < argc ? argv[o->cmd + 1] : NULL;
    return !sub || (strcmp(sub, "stop") != 0 && strcmp(sub, "status") != 0);
}

/* execv `PATH daemon [FLAG] [--root R] [--run R] REST...`; returns only if
 * that fails (errno set). */
static void exec_daemon(char *path, const struct options *o, char *flag, char **rest, int nrest)
{
    char **args = calloc((size_t)nrest + 8, sizeof *args);
    int n = 0;

    if (!args)
        return;
    args[n++] = path;
    args[n++] = "daemon";
    if (flag)
        args[n++] = flag;
    if (o->root) {
        args[n++] = "--root";
        args[n++] = (char *)o->root;
    }
    if (o->run) {
        args[n++] = "--run";
        args[n++] = (char *)o->run;
    }
    for (int i = 0; i < nrest; i++)
        args[n++] = rest[i];
    args[n] = NULL;
    execv(path, args);
    free(args);
}

/* `keel daemon ARGS`: become `keel-daemon daemon [--root R] [--run R] ARGS`,
 * in the foreground with the console. */
static void __attribute__((noreturn))
exec_foreground_daemon(int argc, char **argv, const struct options *o)
{
    char path[PATH_MAX];

    daemon_path(path, sizeof path);
    exec_daemon(path, o, NULL, argv + o->cmd + 1, argc - o->cmd - 1);
    fail(EXIT_CANNOT_EXEC, "cannot run %s: %s", path, strerror(errno));
}

/* ---- Connecting, and starting a daemon when none answers ---- */

/* One connection attempt. Returns the socket, or -errno. */
static int try_connect(const char *sock_path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd, err;

    strcpy(addr.sun_path, sock_path);   /* length checked in main() */
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0)
        return fd;
    err = errno;
    close(fd);
    return -err;
}

/* No daemon listening: the socket is missing, or stale. */
static int no_daemon(int err) { return err == ENOENT || err == ECONNREFUSED; }

/* Report a connection error other than "no daemon" and exit. */
static void __attribute__((noreturn)) connect_failed(const char *sock_path, int err)
{
    if (err == EACCES || err == EPERM)
        fail(EXIT_CLIENT_ERROR, "permission denied on %s: the keel daemon serves root only; "
             "run keel as root", sock_path);
    fail(EXIT_CLIENT_ERROR, "cannot connect to %s: %s", sock_path, strerror(err));
}

/* Close every inherited descriptor above stderr. */
static void close_other_fds(void)
{
    long max;

    if (close_range(3, ~0U, 0) == 0)
        return;
    max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = 3; fd < max; fd++)
        close(fd);
}

/* In the forked child: new session, stdio on /dev/null, no other fds, then
 * become `keel-daemon daemon --detach [--root R] [--run R]`. */
static void __attribute__((noreturn)) exec_detached_daemon(char *path, const struct options *o)
{
    int null_fd = open("/dev/null", O_RDWR);

    setsid();
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
    }
    close_other_fds();
    exec_daemon(path, o, "--detach", NULL, 0);
    _exit(EXIT_CANNOT_EXEC);
}

/* Milliseconds on the monotonic clock. */
static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Has the started daemon process died? A clean exit (status 0) is taken as
 * the daemon having detached, and waiting goes on; anything else is fatal. */
static void check_started_daemon(pid_t *pid, const char *sock_path, const char *root)
{
    int status;

    if (*pid <= 0 || waitpid(*pid, &status, WNOHANG) != *pid)
        return;
    *pid = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return;
    if (WIFSIGNALED(status))
        fail(EXIT_CLIENT_ERROR, "the daemon was killed by signal %d before it answered at %s; "
             "see %s/logs/daemon.log", WTERMSIG(status), sock_path, root);
    fail(EXIT_CLIENT_ERROR, "the daemon exited with status %d before it answered at %s; "
         "see %s/logs/daemon.log", WEXITSTATUS(status), sock_path, root);
}

/* Start a detached daemon and wait for its socket to answer. */
static int autostart(const char *sock_path, const struct options *o)
{
    const struct timespec interval = {.tv_nsec = RETRY_INTERVAL_MS * 1000000L};
    char path[PATH_MAX];
    pid_t pid;

    daemon_path(path, sizeof path);
    if (access(path, X_OK) != 0)
        fail(EXIT_CLIENT_ERROR, "cannot run %s: %s", path, strerror(errno));
    pid = fork();
    if (pid < 0)
        fail(EXIT_CLIENT_ERROR, "cannot start %s: %s", path, strerror(errno));
    if (pid == 0)
        exec_detached_daemon(path, o);

    for (long long end = now_ms() + START_TIMEOUT_S * 1000LL; now_ms() < end;) {
        int fd;
        nanosleep(&interval, NULL);   /* no signal handlers yet: no EINTR */
        fd = try_connect(sock_path);
        if (fd >= 0)
            return fd;
        if (!no_daemon(-fd))
            connect_failed(sock_path, -fd);
        check_started_daemon(&pid, sock_path, root_dir(o));
    }
    fail(EXIT_CLIENT_ERROR, "started a daemon but it did not answer at %s within %d s; "
         "see %s/logs/daemon.log", sock_path, START_TIMEOUT_S, root_dir(o));
}

/* Whether the command is `daemon SUB` (stop or status), which must never start a daemon. */
static int is_daemon_control(const struct options *o, const char *sub)
{
    return o->cmd + 1 < o->argc && strcmp(o->argv[o->cmd], "daemon") == 0
        && strcmp(o->argv[o->cmd + 1], sub) == 0;
}

/* Connect to the daemon, starting one if allowed and needed. */
static int connect_daemon(const char *sock_path, const struct options *o)
{
    int fd = try_connect(sock_path);

    if (fd >= 0)
        return fd;
    if (!no_daemon(-fd))
        connect_failed(sock_path, -fd);
    if (is_daemon_control(o, "stop")) {          /* nothing to stop: done */
        printf("no keel daemon runs at %s\n", sock_path);
        exit(0);
    }
    if (is_daemon_control(o, "status")) {        /* not running: say so, never start one */
        printf("not running: no keel daemon at %s\n", sock_path);
        exit(1);
    }
    if (o->no_autostart)
        fail(EXIT_CLIENT_ERROR, "no keel daemon at %s (started with --no-autostart)", sock_path);
    if (geteuid() != 0)
        fail(EXIT_CLIENT_ERROR, "no keel daemon at %s, and only root may start one", sock_path);
    return autostart(sock_path, o);
}

/* ---- Frames to the daemon ---- */

static void read_socket(void);

/* Send all of buf to the daemon. While the socket is full, keep taking
 * frames from it: the daemon may itself be blocked sending us output, and
 * waiting for it to read first would deadlock. */
static int send_all(const void *buf, size_t len)
{
    const unsigned char *p = buf;

    while (len > 0) {
        ssize_t n = send(sock, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            struct pollfd w = {.fd = sock, .events = POLLIN | POLLOUT};
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                return -1;
            if (errno != EINTR && poll(&w, 1, -1) > 0 && (w.revents & ~POLLOUT))
                read_socket();
            continue;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Send one frame. A failure means the daemon is gone; reading the socket
 * notices and reports that, so here it is only returned. */
static int send_frame(char type, const void *payload, uint32_t len)
{
    unsigned char header[HEADER_SIZE];

    header[0] = (unsigned char)type;
    put_be32(header + 1, len);
    if (send_all(header, sizeof header) < 0)
        return -1;
    return send_all(payload, len);
}

/* Append a NUL-terminated string to the hello payload. */
static void hello_put(size_t *pos, const char *s)
{
    size_t n = strlen(s) + 1;

    if (n > MAX_PAYLOAD - *pos)
        fail(EXIT_CLIENT_ERROR, "the command line is too long");
    memcpy(out_buf + *pos, s, n);
    *pos += n;
}

/* H: protocol version, cwd, tty flags, window size, then the command. */
static void send_hello(int argc, char **argv, const struct options *o)
{
    char cwd[PATH_MAX], rows_s[12], cols_s[12];
    unsigned rows, cols;
    size_t pos = 0;

    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';   /* e.g. the directory was removed; the daemon decides */
    window_size(&rows, &cols);
    snprintf(rows_s, sizeof rows_s, "%u", rows);
    snprintf(cols_s, sizeof cols_s, "%u", cols);

    hello_put(&pos, PROTOCOL_VERSION);
    hello_put(&pos, cwd);
    hello_put(&pos, isatty(STDIN_FILENO) ? "1" : "0");
    hello_put(&pos, isatty(STDOUT_FILENO) ? "1" : "0");
    hello_put(&pos, rows_s);
    hello_put(&pos, cols_s);
    for (int i = o->cmd; i < argc; i++)
        hello_put(&pos, argv[i]);
    send_frame('H', out_buf, (uint32_t)pos);
}

/* ---- Signals ---- */

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

/* Async-signal-safe: just note the signal for the poll loop. */
static void on_signal(int sig)
{
    int saved_errno = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t ignored = write(signal_pipe[1], &b, 1);

    (void)ignored;
    errno = saved_errno;
}

/* Route the forwarded signals through the self-pipe; ignore SIGPIPE so a
 * closed stdout or socket shows up as EPIPE instead of killing us. */
static void setup_signals(void)
{
    struct sigaction sa;

    if (pipe2(signal_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
        fail(EXIT_CLIENT_ERROR, "cannot create a pipe: %s", strerror(errno));
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_signal;
    for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
        sigaction(forwarded_signals[i], &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* W: the new window size, when stdout is a terminal. */
static void send_window_size(void)
{
    unsigned char p[4];
    unsigned rows, cols;

    if (!isatty(STDOUT_FILENO))
        return;
    window_size(&rows, &cols);
    put_be32(p, (rows & 0xffff) << 16 | (cols & 0xffff));   /* 2 + 2 bytes */
    send_frame('W', p, sizeof p);
}

/* Forward every signal noted in the self-pipe. */
static void drain_signals(void)
{
    unsigned char sigs[64];
    ssize_t n;

    while ((n = read(signal_pipe[0], sigs, sizeof sigs)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            unsigned char p[4];
            if (sigs[i] == SIGWINCH) {
                send_window_size();
                continue;
            }
            put_be32(p, sigs[i]);
            send_frame('S', p, sizeof p);
        }
    }
}

/* ---- stdin relay ---- */

/* Relay one read of stdin as an I frame; at EOF (or a read error, taken as
 * EOF) send C once and stop watching stdin. */
static void relay_stdin(void)
{
    ssize_t n = read(STDIN_FILENO, out_buf, STDIN_CHUNK);

    if (n > 0) {
        if (send_frame('I', out_buf, (uint32_t)n) < 0)
            stdin_on = 0;   /* the daemon is gone: reading the socket reports it */
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
        stdin_on = 0;
        stdin_done = 1;
        send_frame('C', NULL, 0);
    }
}

/* ---- Frames from the daemon ---- */

#define protocol_error() fail(EXIT_CLIENT_ERROR, "protocol error from the daemon")
#define lost_connection() fail(EXIT_CLIENT_ERROR, "lost connection to the daemon")

/* Write daemon output to stdout/stderr. Once a stream fails (closed, EPIPE)
 * its output is dropped, and the command goes on. */
static void write_output(int fd, const unsigned char *p, uint32_t len)
{
    if (!output_broken[fd] && write_all(fd, p, len) < 0)
        output_broken[fd] = 1;
}

/* Act on one complete frame. Unknown types are ignored. */
static void handle_frame(unsigned char type, const unsigned char *p, uint32_t len)
{
    switch (type) {
    case 'O':
        write_output(STDOUT_FILENO, p, len);
        break;
    case 'E':
        write_output(STDERR_FILENO, p, len);
        break;
    case 'N':
        stdin_on = !stdin_done;
        break;
    case 'R':
        if (len != 1 || (p[0] != '0' && p[0] != '1'))
            protocol_error();
        if (p[0] == '1')
            enter_raw_mode();
        else
            restore_terminal();
        break;
    case 'X':
        if (len != 4)
            protocol_error();
        restore_terminal();
        exit((int)get_be32(p));
    default:
        break;
    }
}

/* Read what the socket has (without blocking) and handle complete frames. */
static void read_socket(void)
{
    struct reader *r = &rd;

    for (;;) {
        unsigned char *dst;
        size_t want;
        ssize_t n;

        if (r->header_got == HEADER_SIZE && r->got == r->len) {
            handle_frame(r->header[0], payload_buf, r->len);
            memset(r, 0, sizeof *r);
            continue;
        }
        if (r->header_got < HEADER_SIZE) {
            dst = r->header + r->header_got;
            want = HEADER_SIZE - r->header_got;
        } else {
            dst = payload_buf + r->got;
            want = r->len - r->got;
        }
        n = recv(sock, dst, want, MSG_DONTWAIT);
        if (n == 0)
            lost_connection();
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            lost_connection();   /* ECONNRESET and the like */
        }
        if (r->header_got < HEADER_SIZE) {
            r->header_got += (size_t)n;
            if (r->header_got == HEADER_SIZE && (r->len = get_be32(r->header + 1)) > MAX_PAYLOAD)
                protocol_error();
        } else {
            r->got += (uint32_t)n;
        }
    }
}

/* Relay until the daemon sends X (which exits) or the connection drops. */
static void __attribute__((noreturn)) relay_loop(void)
{
    for (;;) {
        struct pollfd p[3] = {
            {.fd = sock, .events = POLLIN},
            {.fd = signal_pipe[0], .events = POLLIN},
            {.fd = STDIN_FILENO, .events = POLLIN},
        };
        nfds_t count = stdin_on ? 3 : 2;

        if (poll(p, count, -1) < 0) {
            if (errno == EINTR)
                continue;
            fail(EXIT_CLIENT_ERROR, "poll: %s", strerror(errno));
        }
        if (p[1].revents)
            drain_signals();
        if (stdin_on && p[2].revents)
            relay_stdin();
        if (p[0].revents)
            read_socket();
    }
}

/* ---- Entry point ---- */

int main(int argc, char **argv)
{
    struct options opts;
    char sock_path[sizeof ((struct sockaddr_un *)0)->sun_path];

    atexit(restore_terminal);
    parse_options(argc, argv, &opts);
    if (is_foreground_daemon(argc, argv, &opts))
        exec_foreground_daemon(argc, argv, &opts);

    if ((size_t)snprintf(sock_path, sizeof sock_path, "%s/keel.sock", run_dir(&opts))
        >= sizeof sock_path)
        fail(EXIT_CLIENT_ERROR, "socket path too long: %s/keel.sock", run_dir(&opts));

    sock = connect_daemon(sock_path, &opts);
    setup_signals();
    send_hello(argc, argv, &opts);
    relay_loop();
}
