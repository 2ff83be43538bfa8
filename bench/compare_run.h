/*
 * bench/compare_run.h — running `kwire bench compare`: a broker (a single-node Apache
 * Kafka started for the run through bench/kafka.h, the embedded mock kwire-broker, or one
 * given), the peers' programs found or set up (bench/peers/setup.sh builds franz-go's and
 * installs the Python clients into the cache folder once), and for each peer a fresh topic
 * it produces N records into and then consumes them back from, each a child process
 * measured by bench/proc.h. A lab's grid runs every point through every peer.
 *
 *   kw_cmp_opts o;  kw_cmp_opts_default(&o);  o.records = 100000;  o.kwire = "/path/kwire";
 *   kw_cmp_outcome out;
 *   if (kw_cmp_execute(&o, &out, err, sizeof err) == 0) kw_cmp_print_text(stdout, &out.rep, &out.sets[0]);
 *   kw_cmp_outcome_free(&out);
 */
#ifndef KW_BENCH_COMPARE_RUN_H
#define KW_BENCH_COMPARE_RUN_H

#include <stddef.h>

#include "bench/compare.h"

enum kw_cmp_broker { KW_CMP_KAFKA, KW_CMP_MOCK, KW_CMP_GIVEN };

typedef struct kw_cmp_opts {
    long records;                 /* N (kafka-python N/10) */
    unsigned peers;               /* bit per kw_peer_id; each one's kwire row is added */
    int broker;                   /* enum kw_cmp_broker */
    const char *bootstrap;        /* KW_CMP_GIVEN */
    const char *kafka_version;    /* KW_CMP_KAFKA and the Java tools: "4.4.0" */
    int partitions;               /* per topic; 0: 6 on Kafka, N/5000 within 8..400 on the mock */
    const char *const *settings;  /* "name=value" for every client (Kafka's names) */
    int nsettings;
    const kw_lab *lab;            /* a lab's grid, or NULL */
    int repeat;                   /* without a lab: runs of every client (>= 1), in turn, the
                                     clients' order reversed every other run */
    int produce_only;             /* no consumer runs */
    const char *kwire;            /* this kwire executable */
    int verbose;                  /* progress lines on stderr when > 0 */
} kw_cmp_opts;

void kw_cmp_opts_default(kw_cmp_opts *o);

/* Every peer's bit. */
#define KW_CMP_ALL_PEERS ((1u << KW_PEER_N) - 1)

typedef struct kw_cmp_outcome {
    kw_cmp_report rep;
    kw_cmp_set *sets;             /* one, one per grid point, or one per repeat */
    int nsets;
    char bootstrap[1024];
    char broker[200];
    char settings[1024];
} kw_cmp_outcome;

/*
 * Run the comparison. 0 when every kwire run succeeded (a peer that is missing or failed
 * is reported in its row, not here); 1 when a kwire run failed (its row says why); -1 when
 * nothing could be measured (no broker, no temporary directory: why in err). out is filled
 * in every case but -1; free it with kw_cmp_outcome_free.
 */
int kw_cmp_execute(const kw_cmp_opts *o, kw_cmp_outcome *out, char *err, size_t errn);
void kw_cmp_outcome_free(kw_cmp_outcome *out);

/* A file of kwire's source tree (e.g. "bench/peers/setup.sh") beside the executable `exe`
   (exe/../REL or exe/../../REL) into out; 0, or -1 when there is none. */
int kw_cmp_tree_file(const char *exe, const char *rel, char *out, size_t n);

#endif
