/*
 * bench/proc.c — the child-process harness of the benchmarks (see proc.h): fork, redirect,
 * exec; wait4() for CPU and peak RSS, polled with WNOHANG so a child past its time limit
 * is killed; and the file helpers that read what the children wrote.
 */
#include "bench/proc.h"
#include "client/conn/net.h"
#include "client/core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* In the child: fd `to` from path (or /dev/null), opened with flags. */
static void redirect(const char *path, int flags, int to)
{
    int fd = open(path ? path : "/dev/null", flags, 0600);
    if (fd < 0) {
        fprintf(stderr, "cannot open %s: %s\n", path ? path : "/dev/null", strerror(errno));
        _exit(126);
    }
    if (fd != to) {
        dup2(fd, to);
        close(fd);
    }
}

int kw_proc_run(char *const argv[], const kw_proc_opts *o, kw_proc_result *r)
{
    static const kw_proc_opts none;
    if (!o) o = &none;
    memset(r, 0, sizeof *r);
    fflush(stdout);
    fflush(stderr);
    double t0 = kw__mono_s();
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        redirect(o->in_path, O_RDONLY, STDIN_FILENO);
        redirect(o->out_path, O_WRONLY | O_CREAT | O_TRUNC, STDOUT_FILENO);
        redirect(o->err_path, O_WRONLY | O_CREAT | O_TRUNC, STDERR_FILENO);
        for (const char *const *e = o->env; e && *e; e++) putenv((char *)*e);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(KW_PROC_NOT_FOUND);
    }
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    long nap = 1;
    for (;;) {
        pid_t w = wait4(pid, &status, r->timed_out ? 0 : WNOHANG, &ru);
        if (w == pid) break;
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        if (o->timeout_s > 0 && kw__mono_s() - t0 > o->timeout_s) {
            kill(pid, SIGKILL);
            r->timed_out = 1;
            continue;
        }
        kw_net_sleep(NULL, (int)nap); /* 1, 2, 4 .. 20 ms (a signal cuts it short: wait4 again): short runs are timed closely, long ones cheaply */
        if (nap < 20) nap *= 2;
    }
    r->seconds = kw__mono_s() - t0;
    r->user_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
    r->sys_s = (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    r->cpu_s = r->user_s + r->sys_s;
    r->rss_mb = (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
    r->status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    return 0;
}

int kw_proc_which(const char *prog, char *out, size_t n)
{
    struct stat st;
    if (strchr(prog, '/')) {
        snprintf(out, n, "%s", prog);
        return stat(prog, &st) == 0 && S_ISREG(st.st_mode) && access(prog, X_OK) == 0 ? 0 : -1;
    }
    const char *p = getenv("PATH");
    while (p && *p) {
        const char *e = strchr(p, ':');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > 0 && len + strlen(prog) + 2 <= n) {
            snprintf(out, n, "%.*s/%s", (int)len, p, prog);
            if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0) return 0;
        }
        if (!e) break;
        p = e + 1;
    }
    if (n) out[0] = 0;
    return -1;
}

long kw_file_lines(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    char buf[1 << 16];
    long lines = 0;
    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            close(fd);
            return -1;
        }
        if (got == 0) break;
        for (const char *p = buf, *end = buf + got; (p = memchr(p, '\n', (size_t)(end - p))); p++) lines++;
    }
    close(fd);
    return lines;
}

void kw_file_last_line(const char *path, char *out, size_t n)
{
    if (!n) return;
    out[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        size_t l = strlen(line);
        while (l && (line[l - 1] == '\n' || line[l - 1] == '\r')) line[--l] = 0;
        if (l) snprintf(out, n, "%s", line);
    }
    fclose(f);
}

int kw_file_find(const char *path, const char *needle, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[1024];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        if (!strstr(line, needle)) continue;
        found = 1;
        line[strcspn(line, "\r\n")] = 0;
        if (out && n) snprintf(out, n, "%s", line);
    }
    fclose(f);
    return found;
}

char *kw_file_read(const char *path, size_t max)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    struct stat st;
    size_t skip = 0;
    if (fstat(fileno(f), &st) == 0 && (size_t)st.st_size > max) skip = (size_t)st.st_size - max;
    if (skip && fseek(f, (long)skip, SEEK_SET)) {
        fclose(f);
        return NULL;
    }
    char *s = malloc(max + 1);
    if (!s) {
        fclose(f);
        return NULL;
    }
    size_t got = fread(s, 1, max, f);
    s[got] = 0;
    fclose(f);
    return s;
}
