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

#include "bench/kafka.h"
#include "bench/mock.h"
#include "commands.h"

static kw_mock embedded;

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

/* Path of kwire-broker: beside this executable, else found on PATH by execvp. */
static void broker_path(char *out, size_t n)
{
    char dir[PATH_MAX];
    self_dir(dir, sizeof dir);
    if (dir[0]) {
        snprintf(out, n, "%s/kwire-broker", dir);
        if (access(out, X_OK) == 0) return;
    }
    snprintf(out, n, "kwire-broker");
}

/* `kwire broker --kafka ...`: run kafka.sh in the foreground (it starts the nodes,
 * prints the bootstrap list and stops them by PID on SIGINT/SIGTERM). Without --dir the
 * nodes live in a new directory under $TMPDIR that is removed when they stop. */
static int run_kafka(int argc, char **argv)
{
    char script[PATH_MAX + 32];
    if (kw_kafka_script(script, sizeof script)) {
        kw__cli_err("broker", "--kafka needs scripts/kafka.sh (from kwire's source tree, or installed under "
                              "share/kwire); set KWIRE_KAFKA_SCRIPT to its path");
        return KW_EXIT_FAIL;
    }
    char **args = calloc((size_t)argc + 6, sizeof *args);
    if (!args) return KW_EXIT_FAIL;
    int k = 0;
    const char *dir = NULL;
    args[k++] = script;
    args[k++] = "run";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--kafka")) continue;
        if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
            dir = argv[++i];
            continue;
        }
        args[k++] = argv[i];
    }
    static char tmpl[PATH_MAX];
    if (!dir) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpl, sizeof tmpl, "%s/kwire-kafka.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpl)) {
            kw__cli_err("broker", "cannot create a directory for the nodes (%s): %s", tmpl, strerror(errno));
            free(args);
            return KW_EXIT_FAIL;
        }
        dir = tmpl;
        args[k++] = "--rm";
    }
    args[k++] = (char *)dir;
    /* the launcher checks that the brokers registered with this kwire */
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len > 0) {
        self[len] = 0;
        setenv("KWIRE", self, 0);
    }
    /* a shell that starts kwire in the background ignores SIGINT; the launcher must see it */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execv(script, args);
    kw__cli_err("broker", "cannot run %s: %s", script, strerror(errno));
    free(args);
    return KW_EXIT_FAIL;
}

void kw__cli_stop_broker(void) { kw_mock_stop(&embedded); }

static void on_signal(int sig)
{
    if (embedded.pid > 0) kill(embedded.pid, SIGTERM);
    signal(sig, SIG_DFL);
    raise(sig);
}

const char *kw__cli_bootstrap(kw_cli *cli)
{
    if (cli->bootstrap) return cli->bootstrap;
    if (embedded.pid > 0) return cli->bootstrap = embedded.bootstrap;
    kw_mock_opts o = {.brokers = 3, .own_stderr = 1};
    char why[320];
    if (kw_mock_start(&o, &embedded, why, sizeof why)) {
        kw__cli_err(NULL, "the embedded broker (%s) did not start (%s); give a broker with -b", embedded.path, why);
        return NULL;
    }
    atexit(kw__cli_stop_broker);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (cli->verbosity >= 0)
        fprintf(stderr, "kwire: no -b given: started the embedded broker (3 brokers) at %s\n", embedded.bootstrap);
    cli->broker_pid = embedded.pid;
    return cli->bootstrap = embedded.bootstrap;
}

int kw__cmd_broker(kw_cli *cli, int argc, char **argv)
{
    (void)cli;
    int kafka = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: kwire broker [--brokers N] [--topic NAME:PARTITIONS[:REPLICATION] ...]\n"
                   "                    [--control FIFO] [--port-file FILE]\n"
                   "       kwire broker --kafka [--brokers N] [--version V] [--set name=value]...\n"
                   "                    [--heap SIZE] [--dir DIR]\n\n"
                   "Runs a broker on 127.0.0.1 in the foreground, prints its bootstrap list, and\n"
                   "runs until interrupted.\n"
                   "Without --kafka: the embedded broker (librdkafka's mock cluster, starts in\n"
                   "milliseconds); --control FIFO takes fault-injection commands (see\n"
                   "kwire-broker --help).\n"
                   "With --kafka: Apache Kafka itself in KRaft mode (scripts/kafka.sh; Java 17+,\n"
                   "the jars fetched from Maven Central once): N combined broker+controller\n"
                   "nodes (default 1; 3 for a quorum), version 4.4.0 (default) or 3.9.2, broker\n"
                   "settings with --set (e.g. num.io.threads=8); prints start-up time and memory.\n"
                   "The nodes' storage is in DIR (default: a new temporary directory, removed at\n"
                   "the end); they are stopped by PID on Ctrl-C.\n");
            return KW_EXIT_OK;
        }
        if (!strcmp(argv[i], "--kafka")) kafka = 1;
    }
    if (kafka) return run_kafka(argc, argv);
    char path[PATH_MAX + 16];
    broker_path(path, sizeof path);
    argv[0] = "kwire-broker";
    execvp(path, argv);
    kw__cli_err("broker", "cannot run %s: %s", path, strerror(errno));
    return KW_EXIT_FAIL;
}
