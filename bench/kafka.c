/*
 * bench/kafka.c — start and stop a real Apache Kafka through scripts/kafka.sh (see
 * kafka.h): find the script, run `kafka.sh start DIR ...` and wait for it, read the
 * bootstrap list, stop by PID with `kafka.sh stop DIR`.
 *
 * The clusters started here and still running are the one piece of process-wide state:
 * the SIGINT/SIGTERM handler and the atexit hook must reach them to stop them (the Java
 * nodes are not our children and would outlive us). The handler only forks and execs the
 * script and rm (async-signal-safe), then re-raises the signal.
 */
#include "bench/kafka.h"
#include "client/core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNNING 4

static kw_kafka *running[MAX_RUNNING];
static int hooks_installed;

/* The directory of this executable into dir (empty when unknown). */
static void self_dir(char *dir, size_t n)
{
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    dir[0] = 0;
    if (len <= 0) return;
    self[len] = 0;
    char *slash = strrchr(self, '/');
    if (!slash) return;
    *slash = 0;
    snprintf(dir, n, "%s", self);
}

int kw_kafka_script(char *out, size_t n)
{
    const char *env = getenv("KWIRE_KAFKA_SCRIPT");
    if (env && *env) {
        snprintf(out, n, "%s", env);
        return access(out, X_OK);
    }
    char dir[PATH_MAX];
    self_dir(dir, sizeof dir);
    const char *rel[] = {"../scripts/kafka.sh", "../../scripts/kafka.sh", "../share/kwire/kafka.sh"};
    for (size_t i = 0; dir[0] && i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(out, n, "%s/%s", dir, rel[i]);
        if (access(out, X_OK) == 0) return 0;
    }
    return -1;
}

/* Run script with args (NULL-terminated), output appended to log (NULL: /dev/null);
 * the exit status, or -1 when it could not run. Async-signal-safe up to the wait. */
static int run_script(char *const args[], const char *log)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0) dup2(nul, STDIN_FILENO);
        execv(args[0], args);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void stop_all(void)
{
    for (int i = 0; i < MAX_RUNNING; i++)
        if (running[i]) kw_kafka_stop(running[i]);
}

static void on_signal(int sig)
{
    for (int i = 0; i < MAX_RUNNING; i++) {
        kw_kafka *k = running[i];
        if (!k || !k->running) continue;
        char *args[] = {k->script, "stop", k->dir, NULL};
        run_script(args, NULL);
        if (k->own_dir) {
            char *rm[] = {"/bin/rm", "-rf", k->dir, NULL};
            run_script(rm, NULL);
        }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void track(kw_kafka *k, int on)
{
    for (int i = 0; i < MAX_RUNNING; i++) {
        if (on && !running[i]) { running[i] = k; break; }
        if (!on && running[i] == k) running[i] = NULL;
    }
    if (on && !hooks_installed) {
        hooks_installed = 1;
        atexit(stop_all);
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
    }
}

/* The first line of the log naming the script (its own error message), else the last
 * non-empty line. */
static void log_reason(const char *log, char *err, size_t errlen)
{
    FILE *f = fopen(log, "r");
    char line[512], last[512] = "";
    if (!f) { snprintf(err, errlen, "kafka.sh left no log (%s)", log); return; }
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (strstr(line, "kafka.sh:")) { snprintf(err, errlen, "%s", line); fclose(f); return; }
        if (line[0]) snprintf(last, sizeof last, "%s", line);
    }
    fclose(f);
    snprintf(err, errlen, "%s", last[0] ? last : "kafka.sh failed without a message");
}

int kw_kafka_start(const kw_kafka_opts *o, kw_kafka *k, char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    if (kw_kafka_script(k->script, sizeof k->script)) {
        snprintf(err, errlen, "scripts/kafka.sh not found (from kwire's source tree, or installed under share/kwire); "
                              "set KWIRE_KAFKA_SCRIPT to its path");
        return -1;
    }
    if (o->dir) {
        snprintf(k->dir, sizeof k->dir, "%s", o->dir);
        if (mkdir(k->dir, 0755) && errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", k->dir, strerror(errno));
            return -1;
        }
    } else {
        const char *t = getenv("TMPDIR");
        snprintf(k->dir, sizeof k->dir, "%s/kwire-kafka.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(k->dir)) {
            snprintf(err, errlen, "cannot create a directory for the nodes (%s): %s", k->dir, strerror(errno));
            return -1;
        }
        k->own_dir = 1;
    }
    /* the script checks that brokers registered with a kwire binary: this one when it is kwire */
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len > 0) {
        self[len] = 0;
        const char *base = strrchr(self, '/');
        if (base && !strncmp(base + 1, "kwire", 5) && !strchr(base + 1, '-')) setenv("KWIRE", self, 0);
    }
    char nbuf[16], log[PATH_MAX + 16];
    snprintf(nbuf, sizeof nbuf, "%d", o->brokers > 0 ? o->brokers : 1);
    snprintf(log, sizeof log, "%s/start.log", k->dir);
    unlink(log);
    int nargs = 0;
    char **args = calloc((size_t)(12 + 2 * o->nsets), sizeof *args);
    if (!args) { snprintf(err, errlen, "out of memory"); return -1; }
    args[nargs++] = k->script;
    args[nargs++] = "start";
    args[nargs++] = k->dir;
    args[nargs++] = "--brokers";
    args[nargs++] = nbuf;
    if (o->version) { args[nargs++] = "--version"; args[nargs++] = (char *)o->version; }
    if (o->heap) { args[nargs++] = "--heap"; args[nargs++] = (char *)o->heap; }
    for (int i = 0; i < o->nsets; i++) {
        args[nargs++] = "--set";
        args[nargs++] = (char *)o->sets[i];
    }
    double t0 = kw__mono_s();
    k->running = 1; /* a signal during start-up stops what the script started */
    track(k, 1);
    int rc = run_script(args, log);
    free(args);
    k->start_seconds = kw__mono_s() - t0;
    char boot[PATH_MAX + 16];
    snprintf(boot, sizeof boot, "%s/bootstrap", k->dir);
    FILE *f = rc == 0 ? fopen(boot, "r") : NULL;
    if (!f || !fgets(k->bootstrap, sizeof k->bootstrap, f)) {
        if (f) fclose(f);
        if (rc == 0) snprintf(err, errlen, "kafka.sh start left no bootstrap list in %s", boot);
        else log_reason(log, err, errlen);
        kw_kafka_stop(k);
        return -1;
    }
    fclose(f);
    k->bootstrap[strcspn(k->bootstrap, "\n")] = 0;
    if ((f = fopen(log, "r"))) {
        char line[512];
        while (fgets(line, sizeof line, f))
            if (strstr(line, " ready in ")) {
                line[strcspn(line, "\n")] = 0;
                snprintf(k->ready_line, sizeof k->ready_line, "%s", line);
            }
        fclose(f);
    }
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

int kw_kafka_stop(kw_kafka *k)
{
    if (!k->running) return 0;
    char *args[] = {k->script, "stop", k->dir, NULL};
    int rc = run_script(args, NULL);
    k->running = 0;
    track(k, 0);
    if (k->own_dir) nftw(k->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc == 0 ? 0 : -1;
}
