/*
 * bench/kafka.h — a real Apache Kafka started and stopped from C: a thin launcher around
 * scripts/kafka.sh (KRaft, combined broker+controller nodes on free loopback ports, stopped
 * by PID), shared by every command that needs a broker of its own (`kwire broker --kafka`,
 * lab B1's restart per grid point).
 *
 *   kw_kafka k;
 *   kw_kafka_opts o = {.brokers = 1, .sets = (const char *[]){"num.io.threads=8"}, .nsets = 1};
 *   if (kw_kafka_start(&o, &k, err, sizeof err) == 0) { ... k.bootstrap ...; kw_kafka_stop(&k); }
 *
 * The script is found by kw_kafka_script(). While a cluster started here runs, SIGINT and
 * SIGTERM stop it (by the script, by PID) before the process ends, and so does exit().
 */
#ifndef KW_BENCH_KAFKA_H
#define KW_BENCH_KAFKA_H

#include <limits.h>
#include <stddef.h>

typedef struct kw_kafka_opts {
    int brokers;               /* nodes, 1..9 (0: 1) */
    const char *version;       /* e.g. "4.4.0"; NULL: the script's default */
    const char *dir;           /* the nodes' directory; NULL: a new one under $TMPDIR, removed at stop */
    const char *const *sets;   /* broker settings "name=value", passed as --set */
    int nsets;
    const char *heap;          /* per node, e.g. "512m"; NULL: the script's default */
} kw_kafka_opts;

typedef struct kw_kafka {
    char dir[PATH_MAX];
    char bootstrap[1024];      /* the PLAINTEXT list */
    char script[PATH_MAX];
    char ready_line[512];      /* the script's "kafka V: N node(s) ready in S s ..." line */
    double start_seconds;      /* wall time of kw_kafka_start */
    int own_dir;               /* dir made here: removed by kw_kafka_stop */
    int running;
} kw_kafka;

/*
 * Path of scripts/kafka.sh into out: $KWIRE_KAFKA_SCRIPT, else the source tree's beside
 * this executable (bin/../scripts/kafka.sh, or two levels up), else the installed one
 * (bin/../share/kwire/kafka.sh). 0, or -1 when none is executable.
 */
int kw_kafka_script(char *out, size_t n);

/*
 * Start a cluster (kafka.sh start) and wait until it is ready (the script waits until
 * every broker is registered, up to its 120 s timeout). The script's output goes to
 * DIR/start.log. 0, or -1 with the reason in err (the script's own message: Java missing,
 * jars not resolvable, a node that did not become ready — the script then stopped it).
 */
int kw_kafka_start(const kw_kafka_opts *o, kw_kafka *k, char *err, size_t errlen);

/* Stop the cluster by PID (kafka.sh stop), remove its directory when made here. 0 or -1. */
int kw_kafka_stop(kw_kafka *k);

#endif
