/*
 * client/cmd/broker.c — the embedded broker: `kwire broker` runs kwire-broker (a small
 * program on librdkafka's mock cluster; kwire itself never links librdkafka) in the
 * foreground, and kw__cli_bootstrap() starts it for a command's lifetime when no
 * bootstrap list was given.
 *
 * The pid of a broker started for this process is the one piece of process-wide state
 * here: it must be reachable from the atexit and signal handlers that stop it.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"

static pid_t embedded_pid;
static char embedded_bootstrap[1024];

/* Path of kwire-broker: beside this executable, else found on PATH by execvp. */
static void broker_path(char *out, size_t n)
{
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len > 0) {
        self[len] = 0;
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = 0;
            snprintf(out, n, "%s/kwire-broker", self);
            if (access(out, X_OK) == 0) return;
        }
    }
    snprintf(out, n, "kwire-broker");
}

void kw__cli_stop_broker(void)
{
    if (embedded_pid <= 0) return;
    pid_t pid = embedded_pid;
    embedded_pid = 0;
    kill(pid, SIGTERM);
    for (int i = 0; i < 50; i++) { /* up to 5 s for a clean exit */
        if (waitpid(pid, NULL, WNOHANG) == pid) return;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void on_signal(int sig)
{
    if (embedded_pid > 0) kill(embedded_pid, SIGTERM);
    signal(sig, SIG_DFL);
    raise(sig);
}

const char *kw__cli_bootstrap(kw_cli *cli)
{
    if (cli->bootstrap) return cli->bootstrap;
    if (embedded_pid > 0) return cli->bootstrap = embedded_bootstrap;
    char path[PATH_MAX + 16];
    broker_path(path, sizeof path);
    int fds[2];
    if (pipe(fds)) { kw__cli_err(NULL, "pipe: %s", strerror(errno)); return NULL; }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) { kw__cli_err(NULL, "fork: %s", strerror(errno)); return NULL; }
    if (pid == 0) {
        /* the broker dies with us even if we are killed without a chance to stop it */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        char *args[] = {"kwire-broker", "--brokers", "3", NULL};
        execvp(path, args);
        fprintf(stderr, "kwire: cannot run %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    embedded_pid = pid;
    atexit(kw__cli_stop_broker);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    /* read the bootstrap line, waiting up to 10 s */
    size_t got = 0;
    struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
    while (got < sizeof embedded_bootstrap - 1 && !memchr(embedded_bootstrap, '\n', got)) {
        if (poll(&pfd, 1, 10000) <= 0) break;
        ssize_t r = read(fds[0], embedded_bootstrap + got, sizeof embedded_bootstrap - 1 - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fds[0]);
    embedded_bootstrap[got] = 0;
    char *nl = strchr(embedded_bootstrap, '\n');
    if (!nl) {
        kw__cli_err(NULL, "the embedded broker (%s) did not start; give a broker with -b", path);
        kw__cli_stop_broker();
        return NULL;
    }
    *nl = 0;
    if (cli->verbosity >= 0)
        fprintf(stderr, "kwire: no -b given: started the embedded broker (3 brokers) at %s\n", embedded_bootstrap);
    cli->broker_pid = pid;
    return cli->bootstrap = embedded_bootstrap;
}

int kw__cmd_broker(kw_cli *cli, int argc, char **argv)
{
    (void)cli;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: kwire broker [--brokers N] [--topic NAME:PARTITIONS[:REPLICATION] ...]\n"
                   "                    [--control FIFO] [--port-file FILE]\n\n"
                   "Runs the embedded broker (librdkafka's mock cluster) on 127.0.0.1 in the\n"
                   "foreground, prints its bootstrap list on one line, and runs until interrupted.\n"
                   "--control FIFO takes fault-injection commands (see kwire-broker --help).\n");
            return KW_EXIT_OK;
        }
    }
    char path[PATH_MAX + 16];
    broker_path(path, sizeof path);
    argv[0] = "kwire-broker";
    execvp(path, argv);
    kw__cli_err("broker", "cannot run %s: %s", path, strerror(errno));
    return KW_EXIT_FAIL;
}
