/*
 * cgroup-join.c - how long a move into a cgroup v1 waits, with and without a warm-up migration
 * shortly before it (what keel.cgroup.v1's MigrationWarmup does). Every migration takes the
 * kernel's one cgroup_threadgroup_rwsem for writing (unless it moves the writing thread itself,
 * written as 0); after a quiet spell the first writer waits for an RCU grace period. The warm-up
 * here is the driver's: a thread moves itself, by its tid, into a cgroup and back. Run by
 * bench/cgroup-join.sh; needs root and the v1 pids hierarchy.
 *
 * Usage: cgroup-join RUNS LEAD_MS   (LEAD_MS < 0: no warm-up)
 * Prints one line per run: the join's time, and the warm-up's.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROOT "/sys/fs/cgroup/pids"

static double warmup_ms;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void move(const char *procs, pid_t pid)
{
    char buf[32];
    int fd = open(procs, O_WRONLY | O_CLOEXEC), n = snprintf(buf, sizeof buf, "%d", pid);
    if (fd < 0 || write(fd, buf, n) != n) {
        perror(procs);
        exit(1);
    }
    close(fd);
}

static void *warm_up(void *unused)
{
    double t = now_ms();
    pid_t tid = (pid_t)syscall(SYS_gettid);
    (void)unused;
    move(ROOT "/keel-bench-join-warm/tasks", tid);
    move(ROOT "/tasks", tid);
    warmup_ms = now_ms() - t;
    return NULL;
}

static pid_t sleeper(void)
{
    pid_t p = fork();
    if (p == 0) {
        pause();
        _exit(0);
    }
    return p;
}

int main(int argc, char **argv)
{
    int runs = argc > 2 ? atoi(argv[1]) : 10, lead = argc > 2 ? atoi(argv[2]) : -1;

    mkdir(ROOT "/keel-bench-join-warm", 0755);
    mkdir(ROOT "/keel-bench-join", 0755);
    for (int r = 0; r < runs; r++) {
        pid_t p = sleeper();
        pthread_t t;
        double t0;

        warmup_ms = 0;
        if (lead >= 0) {
            pthread_create(&t, NULL, warm_up, NULL);
            usleep(lead * 1000);
        }
        t0 = now_ms();
        move(ROOT "/keel-bench-join/cgroup.procs", p);
        printf("join %.2f ms", now_ms() - t0);
        if (lead >= 0) {
            pthread_join(t, NULL);
            printf(" (warm-up %d ms before, it took %.2f ms)", lead, warmup_ms);
        }
        printf("\n");
        kill(p, SIGKILL);
        waitpid(p, NULL, 0);
        usleep(40 * 1000);             /* a quiet spell, as between two `keel run`s */
    }
    rmdir(ROOT "/keel-bench-join-warm");
    rmdir(ROOT "/keel-bench-join");
    return 0;
}
