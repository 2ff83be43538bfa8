/*
 * bench/peers.h — the clients `kwire bench compare` measures, as data and pure functions:
 * who each peer is, how Kafka's setting names map to its own (and which it lacks), the
 * command line that produces or consumes N records with it, and how its output is read.
 *
 *   kwire       kwire bench produce / bench consume (records made in memory, like the perf tools)
 *   java        Apache Kafka's kafka-producer-perf-test / kafka-consumer-perf-test
 *               (ProducerPerformance / ConsumerPerformance of kafka-tools, through scripts/kafka.sh tool)
 *   franz-go    bench/peers/franz (a small program on franz-go)
 *   confluent-kafka  bench/peers/python/perf.py on confluent-kafka (the current librdkafka)
 *   kafka-python     the same script on the current kafka-python (venv)
 *   kafka-python-deb the same script on Debian's kafka-python 2.0.2 (/usr/bin/python3)
 *   kwire-cli   kwire produce -l FILE / kwire consume -e (a line per record, like kcat)
 *   kcat        kcat -P -l FILE / kcat -C -e (Debian's librdkafka 2.0.2)
 *
 * Every peer's ratios are taken against the kwire row that does the same work: kcat's
 * against kwire-cli (both read the N-line file and print every record), the others'
 * against kwire. The process, its CPU and memory are the harness's (bench/proc.h).
 */
#ifndef KW_BENCH_PEERS_H
#define KW_BENCH_PEERS_H

#include <stddef.h>

enum kw_peer_id {
    KW_PEER_KWIRE,
    KW_PEER_JAVA,
    KW_PEER_FRANZ,
    KW_PEER_CONFLUENT,
    KW_PEER_KPY,
    KW_PEER_KPY_DEB,
    KW_PEER_KWIRE_CLI,
    KW_PEER_KCAT,
    KW_PEER_N
};

enum kw_peer_dir { KW_DIR_PRODUCE, KW_DIR_CONSUME, KW_DIR_N };

typedef struct kw_peer {
    const char *name;     /* as printed and in JSON: "kwire", "java", "franz-go", ... */
    const char *what;     /* the program and client library, e.g. "kcat 1.7.1 (librdkafka 2.0.2, Debian)" */
    int base;             /* the kwire row its ratios are taken against (KW_PEER_KWIRE or _KWIRE_CLI) */
    int divisor;          /* it moves N / divisor records (kafka-python: 10, it is slow) */
    int reads_lines;      /* its producer reads the N-line file (else the payload file, N times) */
} kw_peer;

const kw_peer *kw_peer_get(int id);
/* The id of a peer by name; -1 when unknown. */
int kw_peer_find(const char *name);
const char *kw_peer_dir_name(int dir);

/* ---- settings ------------------------------------------------------------------------ */

#define KW_PEER_MAX_SETTINGS 32
#define KW_PEER_SETTING_LEN 200

typedef struct kw_peer_settings {
    char v[KW_PEER_MAX_SETTINGS][KW_PEER_SETTING_LEN]; /* "name=value" in the peer's names */
    int n;
    char skipped[256];    /* settings it has no equivalent for (not passed), comma-separated */
    char adjusted[256];   /* settings added so it accepts the others, or a tool's own default, and why */
} kw_peer_settings;

/*
 * Map Kafka-named settings ("name=value", e.g. from -X and a lab's grid point) for peer
 * `id` in direction `dir`: those of the other role are left out (client/core/config.h's roles;
 * unknown names go to both), bootstrap.servers and the harness's own
 * (auto.offset.reset, enable.auto.commit: every consumer reads from the beginning without
 * committing) are not passed; the rest are renamed, or named in skipped. 0, or -1 when
 * there are more than KW_PEER_MAX_SETTINGS or one is not "name=value".
 */
int kw_peer_map_settings(int id, int dir, const char *const *settings, int n, kw_peer_settings *out);

/* Why settings named in skipped are not given to peer id (one sentence). */
const char *kw_peer_skip_reason(int id, const char *skipped);

/* ---- command lines ------------------------------------------------------------------- */

/* Where the peers' programs are (found by the harness; NULL when not found). */
typedef struct kw_peer_paths {
    const char *kwire;        /* this kwire executable */
    const char *kafka_sh;     /* scripts/kafka.sh (the Java tools) */
    const char *kafka_version;/* the Java tools' version, e.g. "4.4.0" */
    const char *franz;        /* the built bench/peers/franz program */
    const char *venv_python;  /* the venv's python (confluent-kafka, current kafka-python) */
    const char *sys_python;   /* /usr/bin/python3 (Debian's kafka-python) */
    const char *perf_py;      /* bench/peers/python/perf.py */
} kw_peer_paths;

typedef struct kw_peer_job {
    int dir;
    const char *bootstrap, *topic;
    const char *group;        /* consumers that must join one (java) */
    long records;             /* what this peer moves (N / divisor) */
    const char *lines_file;   /* N lines of the payload */
    const char *payload_file; /* the payload once, no newline */
    const kw_peer_settings *set;
} kw_peer_job;

#define KW_PEER_MAX_ARGS 112
#define KW_PEER_ARG_LEN 1024

typedef struct kw_peer_argv {
    char *v[KW_PEER_MAX_ARGS];
    int n;
    char store[8][KW_PEER_ARG_LEN]; /* numbers and joined arguments */
} kw_peer_argv;

/*
 * The command line of peer id for job j into out (out->v NULL-terminated; pointers into
 * j, paths, the settings and out->store). 0, or -1 when a program it needs is not in
 * paths (its reason in why) or the line would be too long.
 */
int kw_peer_argv_build(int id, const kw_peer_job *j, const kw_peer_paths *paths, kw_peer_argv *out, char *why,
                       size_t whyn);

/* ---- output -------------------------------------------------------------------------- */

enum { KW_LAT_P50, KW_LAT_P95, KW_LAT_P99, KW_LAT_P999, KW_LAT_P9999, KW_LAT_MAX, KW_LAT_N };

typedef struct kw_peer_out {
    long records;         /* records it says it moved; -1 when it does not say */
    long failed;          /* records it says failed (0 when it does not say) */
    double own_seconds;   /* its own timing (first send .. flush end, or of the fetches); 0: none */
    int have_latency;
    double latency_ms[KW_LAT_N]; /* produce: send -> acknowledgement; -1 where it does not report */
    char version[128];    /* the client version it reported, "" when none */
} kw_peer_out;

/* Read peer id's standard output `text` (NUL-terminated) for direction dir. 0, or -1
 * when the figures it always prints are not there. */
int kw_peer_parse(int id, int dir, const char *text, kw_peer_out *out);

/* The number after "key": in a JSON text (from `from` on); 0, or -1 when absent. */
int kw_peer_json_num(const char *text, const char *key, double *v);

#endif
