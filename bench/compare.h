/*
 * bench/compare.h — the figures of `kwire bench compare` and what is said about them:
 * one result per peer and direction (records, wall time, CPU, peak RSS, the peer's own
 * timing and latency where it reports them), the ratios of kwire to each peer against the
 * performance targets, a lab grid's summary of those ratios (geometric mean, range, runs
 * that met the target), and the text, JSON and CSV forms. Pure: the runs are made by
 * bench/compare_run.c.
 *
 * A peer that could not run is "missing" (not installed, not buildable: why) or "failed"
 * (it ran and moved fewer records than asked, or exited non-zero: why); neither has
 * figures, and no ratio is taken against it — never a zero.
 */
#ifndef KW_BENCH_COMPARE_H
#define KW_BENCH_COMPARE_H

#include <stdio.h>

#include "bench/lab.h"
#include "bench/peers.h"

enum kw_cmp_status { KW_CMP_NOT_RUN, KW_CMP_OK, KW_CMP_MISSING, KW_CMP_FAILED };

typedef struct kw_cmp_run {
    int status;                   /* enum kw_cmp_status */
    long expected;                /* records asked for */
    long records;                 /* records moved (ok: == expected) */
    long held;                    /* produce: records the broker holds afterwards; -1 unknown */
    double seconds;               /* wall time of the process */
    double cpu_s;                 /* user + system CPU of the process */
    double rss_mb;                /* its peak resident set, MiB */
    double own_seconds;           /* the peer's own timing; 0: it reports none */
    int have_latency;
    double latency_ms[KW_LAT_N];  /* -1 where not reported */
    char topic[160];
    char why[320];                /* missing / failed: the reason */
    char skipped[256];            /* settings not passed to it (no equivalent) */
    char adjusted[256];           /* settings added or a tool's own defaults, and why */
    char version[128];            /* what the peer reported being */
} kw_cmp_run;

/* One set of runs: every peer in both directions (a plain compare, or one grid point). */
typedef struct kw_cmp_set {
    kw_cmp_run r[KW_PEER_N][KW_DIR_N];
} kw_cmp_set;

double kw_cmp_rps(const kw_cmp_run *r);          /* records / wall seconds */
double kw_cmp_mbps(const kw_cmp_run *r);         /* payload MiB / wall seconds */
double kw_cmp_cpu_per_m(const kw_cmp_run *r);    /* CPU seconds per million records */
const char *kw_cmp_status_name(int status);

/* ---- ratios -------------------------------------------------------------------------- */

enum kw_cmp_metric { KW_M_RPS, KW_M_CPU, KW_M_RSS, KW_M_N };
const char *kw_cmp_metric_name(int metric); /* records_per_sec, cpu_per_record, peak_rss */

typedef struct kw_cmp_ratio {
    int dir, peer, base, metric; /* kwire row `base` over peer `peer` */
    int have;                    /* both ran ok */
    double value;
    int has_target;
    int at_least;                /* target: value >= bound (else <=) */
    double bound;
    int met;
} kw_cmp_ratio;

#define KW_CMP_MAX_RATIOS (KW_DIR_N * KW_PEER_N * KW_M_N)

/* The target for kwire over peer in dir on metric into at_least and bound; 0, or -1 when
   there is none. */
int kw_cmp_target(int peer, int dir, int metric, int *at_least, double *bound);
/* "target >= 1.0" style text of a ratio's target into out. */
void kw_cmp_target_text(const kw_cmp_ratio *q, char *out, size_t n);

/*
 * The ratios of one set: for each direction in dirs (bit 1<<dir) and each peer in peers
 * (bit 1<<id) other than the kwire rows, the three metrics of its base kwire row over
 * it. Returns the count.
 */
int kw_cmp_ratios(const kw_cmp_set *s, unsigned peers, unsigned dirs, kw_cmp_ratio *out);

/* One ratio summed up over a grid. */
typedef struct kw_cmp_sum {
    kw_cmp_ratio first;          /* dir, peer, metric, target of the ratio */
    int have;                    /* runs where both ran */
    int met;                     /* of those, runs that met the target */
    double gmean, min, max;
    int min_run, max_run;        /* 1-based */
} kw_cmp_sum;

int kw_cmp_summary(const kw_cmp_set *sets, int nsets, unsigned peers, unsigned dirs, kw_cmp_sum *out);

/* One figure over repeated runs: median, min, max of the runs where the client ran. */
typedef struct kw_cmp_spread {
    int n;
    double median, min, max;
} kw_cmp_spread;

/* metric (KW_M_*: records/s, CPU s per million records, peak RSS MiB) of peer in dir over
   sets; returns the runs counted (0: none, out zeroed). */
int kw_cmp_spread_of(const kw_cmp_set *sets, int nsets, int peer, int dir, int metric, kw_cmp_spread *out);

/* ---- output -------------------------------------------------------------------------- */

typedef struct kw_cmp_report {
    long records;              /* N */
    const char *bootstrap;
    const char *broker;        /* what the broker is, e.g. "Apache Kafka 4.4.0, 1 node, started for this run" */
    int partitions;            /* of each topic */
    unsigned peers;            /* bit per peer selected */
    unsigned dirs;             /* bit per direction run */
    const char *settings;      /* the -X settings given to every client, "" when none */
} kw_cmp_report;

void kw_cmp_print_text(FILE *f, const kw_cmp_report *rep, const kw_cmp_set *s);
void kw_cmp_print_json(FILE *f, const kw_cmp_report *rep, const kw_cmp_set *s);

/* A lab's grid: sets[i] is grid point i. lab NULL: repeated runs of the same settings
   (--repeat), with the spread of each client's figures. */
void kw_cmp_lab_print_text(FILE *f, const kw_cmp_report *rep, const kw_lab *lab, const kw_cmp_set *sets, int n);
void kw_cmp_lab_print_json(FILE *f, const kw_cmp_report *rep, const kw_lab *lab, const kw_cmp_set *sets, int n);
/* CSV: one row per grid point, peer and direction; a run with no figures has empty cells. */
void kw_cmp_lab_write_csv(FILE *f, const kw_cmp_report *rep, const kw_lab *lab, const kw_cmp_set *sets, int n);

/* JSON string with escapes. */
void kw_cmp_json_str(FILE *f, const char *s);

#endif
