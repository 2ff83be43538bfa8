/*
 * bench/mock.c — start and stop the embedded broker, kwire-broker (see mock.h): fork, its
 * stdout on a pipe for the bootstrap line, its stderr in a memory file for the reason when
 * it fails; stopped by PID.
 */
#include "bench/mock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/conn/net.h"

/* kwire-broker beside exe (or this executable), else the bare name for execvp's PATH. */
static void broker_path(const char *exe, char *out, size_t n)
{
    char self[PATH_MAX];
    if (!exe) {
        ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
        self[len > 0 ? len : 0] = 0;
        exe = self;
    }
    const char *slash = strrchr(exe, '/');
    if (slash) {
        snprintf(out, n, "%.*s/kwire-broker", (int)(slash - exe), exe);
        if (access(out, X_OK) == 0) return;
    }
    snprintf(out, n, "kwire-broker");
}

int kw_mock_start(const kw_mock_opts *o, kw_mock *m, char *why, size_t whyn)
{
    memset(m, 0, sizeof *m);
    snprintf(why, whyn, "out of memory or file descriptors");
    broker_path(o->exe, m->path, sizeof m->path);
    char nb[16];
    snprintf(nb, sizeof nb, "%d", o->brokers > 0 ? o->brokers : 3);
    int ntopics = o->ntopics > 0 ? o->ntopics : 0;
    char **args = calloc((size_t)(4 + 2 * ntopics), sizeof *args);
    int fds[2] = {-1, -1};
    if (!args || pipe(fds)) {
        free(args);
        return -1;
    }
    int na = 0;
    args[na++] = "kwire-broker";
    args[na++] = "--brokers";
    args[na++] = nb;
    for (int i = 0; i < ntopics; i++) {
        args[na++] = "--topic";
        args[na++] = (char *)o->topics[i];
    }
    args[na] = NULL;
    int efd = o->own_stderr ? -1 : memfd_create("kwire-broker-stderr", MFD_CLOEXEC); /* -1: stderr stays ours */
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* the broker dies with us even if we are killed without a chance to stop it */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);
        dup2(fds[1], STDOUT_FILENO);
        if (efd >= 0) dup2(efd, STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execvp(m->path, args);
        fprintf(stderr, "cannot run %s: %s\n", m->path, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    free(args);
    if (pid < 0) {
        snprintf(why, whyn, "fork: %s", strerror(errno));
        close(fds[0]);
        if (efd >= 0) close(efd);
        return -1;
    }
    m->pid = pid;
    size_t got = 0;
    int timed_out = 0;
    while (got < sizeof m->bootstrap - 1 && !memchr(m->bootstrap, '\n', got)) {
        int pr = kw_net_fd_wait_readable(fds[0], 10000);
        if (pr == KW_ERR_INTERRUPTED) continue;
        if (pr == 0) timed_out = 1;
        if (pr <= 0) break;
        ssize_t r = read(fds[0], m->bootstrap + got, sizeof m->bootstrap - 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
        m->bootstrap[got] = 0;
    }
    close(fds[0]);
    m->bootstrap[got] = 0;
    char *nl = strchr(m->bootstrap, '\n');
    if (!nl) {
        kw_mock_stop(m);
        char err[256] = "";
        ssize_t en = efd >= 0 ? pread(efd, err, sizeof err - 1, 0) : -1;
        if (en > 0) {
            err[en] = 0;
            err[strcspn(err, "\n")] = 0;
        }
        snprintf(why, whyn, "%s%s%s", timed_out ? "no bootstrap line within 10 s" : "it printed no bootstrap line",
                 err[0] ? ": " : "", err);
        if (efd >= 0) close(efd);
        m->bootstrap[0] = 0;
        return -1;
    }
    if (efd >= 0) close(efd);
    *nl = 0;
    return 0;
}

void kw_mock_stop(kw_mock *m)
{
    if (m->pid <= 0) return;
    pid_t pid = m->pid;
    m->pid = 0;
    kill(pid, SIGTERM);
    for (int i = 0; i < 50; i++) { /* up to 5 s for a clean exit */
        if (waitpid(pid, NULL, WNOHANG) == pid) return;
        kw_net_sleep(NULL, 100);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}
