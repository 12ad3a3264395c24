/*
 * logfile.c - the container's log in Docker's json-file format, one JSON object per line:
 *
 *   {"log":"hello\n","stream":"stdout","time":"2024-05-01T12:00:00.123456789Z"}
 *
 * A line longer than LOG_LINE_MAX is written in parts (a part's "log" does not end in \n), as is
 * what is left when the stream ends. The file is opened O_APPEND and each entry is one write(2):
 * the shim never waits on anyone to log.
 */
#include "shim.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;

    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

/* JSON string content: quotes, backslashes and control characters escaped, bad UTF-8 as U+FFFD. */
static size_t json_escape(char *out, const unsigned char *s, size_t n)
{
    static const char HEX[] = "0123456789abcdef";
    size_t o = 0;

    for (size_t i = 0; i < n; ) {
        unsigned char c = s[i];
        size_t len;

        if (c == '"' || c == '\\') {
            out[o++] = '\\', out[o++] = (char)c, i++;
        } else if (c < 0x20) {
            const char *short_form = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                                   : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
            if (short_form) {
                out[o++] = short_form[0], out[o++] = short_form[1];
            } else {
                memcpy(out + o, "\\u00", 4);
                out[o + 4] = HEX[c >> 4], out[o + 5] = HEX[c & 15];
                o += 6;
            }
            i++;
        } else if (c < 0x80) {
            out[o++] = (char)c, i++;
        } else if ((len = utf8_seq(s + i, n - i)) > 0) {
            memcpy(out + o, s + i, len), o += len, i += len;
        } else {
            memcpy(out + o, "\\ufffd", 6), o += 6, i++;
        }
    }
    return o;
}

/*
 * Appends one entry. When the disk is full an entry is lost, never waited for; the next entry that
 * can be written is preceded by one that says how many were lost and why (on stderr, as Docker's
 * json-file logger has no such notice, `keel logs` is where the operator sees it). An entry cut by
 * the full disk is ended with a newline first, so that the reader skips it as one bad line.
 */
static unsigned long lost_entries;
static int lost_errno;
static int cut_entry;

static int append(int logfd, const char *data, size_t n)
{
    size_t done = 0;

    while (done < n) {
        ssize_t w = write(logfd, data + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            if (done > 0)
                cut_entry = 1;
            return -1;
        }
        done += (size_t)w;
    }
    return 0;
}

static size_t format_entry(char *out, size_t size, const char *stream, const char *line, size_t n)
{
    static const char HEAD[] = "{\"log\":\"";
    struct timespec now;
    char ts[40];
    size_t o;

    clock_gettime(CLOCK_REALTIME, &now);
    format_time(ts, &now);
    memcpy(out, HEAD, sizeof HEAD - 1);
    o = sizeof HEAD - 1;
    o += json_escape(out + o, (const unsigned char *)line, n);
    o += (size_t)snprintf(out + o, size - o, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream, ts);
    return o;
}

static void emit(int logfd, const char *stream, const char *line, size_t n)
{
    static char out[LOG_LINE_MAX * 6 + 128];
    size_t o;

    if (cut_entry) {
        if (append(logfd, "\n", 1) < 0) {
            lost_entries++;
            return;
        }
        cut_entry = 0;
    }
    if (lost_entries > 0) {
        char notice[160];
        int len = snprintf(notice, sizeof notice, "keel: %lu log entries were lost: %s\n", lost_entries,
                           strerror(lost_errno));
        o = format_entry(out, sizeof out, "stderr", notice, (size_t)len);
        if (append(logfd, out, o) < 0) {
            lost_entries++;
            lost_errno = errno;
            return;
        }
        lost_entries = 0;
    }
    o = format_entry(out, sizeof out, stream, line, n);
    if (append(logfd, out, o) < 0) {   /* a full disk loses the entry, never blocks the container */
        lost_entries++;
        lost_errno = errno;
    }
}

void log_write(int logfd, struct logstream *ls, const char *data, size_t n)
{
    if (logfd < 0)
        return;
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t take = nl ? (size_t)(nl - data) + 1 : n;

        if (take > LOG_LINE_MAX - ls->len)
            take = LOG_LINE_MAX - ls->len;
        memcpy(ls->buf + ls->len, data, take);
        ls->len += take, data += take, n -= take;
        if (ls->buf[ls->len - 1] == '\n' || ls->len == LOG_LINE_MAX) {
            emit(logfd, ls->name, ls->buf, ls->len);
            ls->len = 0;
        }
    }
}

void log_flush(int logfd, struct logstream *ls)
{
    if (logfd >= 0 && ls->len > 0)
        emit(logfd, ls->name, ls->buf, ls->len);
    ls->len = 0;
}
