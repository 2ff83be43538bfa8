/*
 * bench/mock.h — the embedded broker (kwire-broker: librdkafka's mock cluster, a program of
 * its own; kwire never links librdkafka) started as a child process and stopped by PID:
 * the one launcher behind every command that starts it (kw__cli_bootstrap when no -b is
 * given, `kwire bench compare --mock`).
 *
 *   kw_mock m;
 *   const char *topics[] = {"t:8"};
 *   kw_mock_opts o = {.brokers = 3, .topics = topics, .ntopics = 1};
 *   if (kw_mock_start(&o, &m, why, sizeof why) == 0) { ... m.bootstrap ...; kw_mock_stop(&m); }
 *
 * The child gets SIGTERM when this process dies (PR_SET_PDEATHSIG). Stopping, atexit and
 * signal handling are the caller's (kw_mock_stop; the pid is in m.pid).
 */
#ifndef KW_BENCH_MOCK_H
#define KW_BENCH_MOCK_H

#include <stddef.h>
#include <sys/types.h>

typedef struct kw_mock {
    pid_t pid;              /* 0 when not running */
    char bootstrap[1024];   /* the broker list it printed */
    char path[4200];        /* the kwire-broker run */
} kw_mock;

typedef struct kw_mock_opts {
    const char *exe;                /* kwire-broker is looked for beside it (NULL: this executable), else on PATH */
    int brokers;                    /* 0: 3 */
    const char *const *topics;      /* "NAME:PARTITIONS[:REPLICATION]", each a --topic */
    int ntopics;
    int own_stderr;                 /* the broker writes to our stderr (else to a memory file read
                                       back only for the reason it did not start) */
} kw_mock_opts;

/*
 * Start kwire-broker and wait up to 10 s for its bootstrap line. 0, or -1 with why (what
 * it wrote on stderr when captured, or that it printed nothing).
 */
int kw_mock_start(const kw_mock_opts *o, kw_mock *m, char *why, size_t whyn);

/* SIGTERM, up to 5 s for it to exit, then SIGKILL; reaped. */
void kw_mock_stop(kw_mock *m);

#endif
