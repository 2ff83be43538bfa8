/*
 * bench/lab.h — the training labs of shared LABS.md as data: each lab's record count,
 * fixed settings and grid (up to four swept settings, client or broker ones), the lab's
 * own report columns, and the outputs every lab run produces: one line per grid point
 * in the lab's form, CSV, a gnuplot chart, and a plain-language reading that names a
 * winning setting only when it wins by more than the run-to-run spread, and says what
 * the client and the broker did (records per batch, fetch sizes, broker hold times,
 * records per poll).
 *
 * Each grid point runs several times (after one unrecorded warm-up run); the point's
 * result is its median run, with the range of records/s over its runs beside it.
 *
 * Pure: running a grid point is the caller's (producer/consumer benchmarks); this file
 * expands grids, picks medians and formats results.
 */
#ifndef KW_BENCH_LAB_H
#define KW_BENCH_LAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client/core/hdr.h"

/* The labs' payload: the 92-byte JSON {"data": "AAAA..."} with 80 A's ("100 bytes"). */
#define KW_LAB_PAYLOAD "{\"data\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}"
#define KW_LAB_PAYLOAD_LEN 92
#define KW_LAB_TOPIC "test-topic"

enum kw_lab_kind { KW_LAB_PRODUCE, KW_LAB_CONSUME, KW_LAB_PRODUCE_CONSUME };

#define KW_LAB_MAX_AXES 4
#define KW_LAB_MAX_VALUES 6
#define KW_LAB_MAX_FIXED 6

typedef struct kw_lab_axis {
    const char *setting;   /* Kafka setting name, e.g. "batch.size" */
    const char *label;     /* the lab's column name, e.g. "Batch size" */
    const char *values[KW_LAB_MAX_VALUES];
    int nvalues;
    int broker;            /* 1: a broker setting (the runner restarts the broker with it) */
} kw_lab_axis;

typedef struct kw_lab {
    const char *name;      /* "P1" */
    const char *title;     /* "batch size" */
    int kind;              /* enum kw_lab_kind */
    long records;
    const char *fixed[KW_LAB_MAX_FIXED][2]; /* {"linger.ms", "20"} */
    int nfixed;
    kw_lab_axis axes[KW_LAB_MAX_AXES];
    int naxes;
    const char *note;      /* what the lab teaches, one sentence */
    int quick[4];          /* --quick: these grid points (1-based; 0 ends), or none */
} kw_lab;

/* One run's settings: the fixed ones then one value per axis. */
typedef struct kw_lab_point {
    const kw_lab *lab;
    int index;                       /* 0 .. kw_lab_points()-1 */
    const char *values[KW_LAB_MAX_AXES];
} kw_lab_point;

/* What a run measured (filled by the runner). */
typedef struct kw_lab_result {
    double seconds;            /* first send to end of flush(), or to the N-th record */
    long records;
    double records_per_sec, mb_per_sec;  /* MB = 2^20 bytes of payload */
    double records_per_batch;  /* produce: avg records per batch; consume: per fetch */
    double batch_fill_pct;     /* produce: avg batch bytes / batch.size */
    double wire_bytes_per_record;
    double compression_ratio;  /* uncompressed / compressed batch bytes (1 = none) */
    /* produce: delivery latency (send -> report); consume: broker hold time per fetch;
     * from an HdrHistogram-layout histogram (kw_lab_latency) */
    double p50_ms, p95_ms, p99_ms, p999_ms, p9999_ms, max_ms;
    long requests;
    long empty_fetches;
    long failed;               /* records failed; a run with failures is reported, not hidden */
    /* consumer runs: what the broker answered */
    double bytes_per_fetch;    /* record-set bytes per non-empty fetch response */
    double records_per_poll;   /* records handed out per non-empty poll */
    long over_limit_first_batch; /* record sets above max.partition.fetch.bytes or responses
                                  * above fetch.max.bytes: one whole first batch (Kafka's rule) */
    double lat_p50_ms, lat_p99_ms; /* live consumer runs: record arrival - its CreateTime */
    double live_rate;          /* live consumer runs: records/s written during the run (else 0) */
    /* over repeated runs of one grid point (kw_lab_median) */
    int runs;                  /* runs recorded (0 or 1: a single run) */
    double rps_min, rps_max;   /* records/s range over them; records_per_sec is the median */
    double lat_min, lat_max;   /* live: the range of lat_p50_ms over them */
} kw_lab_result;

/* Fill r's latency figures (ms) from a histogram of microseconds (client/core/hdr.h). */
void kw_lab_latency(kw_lab_result *r, const kw_hdr *us);

const kw_lab *kw_lab_find(const char *name);   /* case-insensitive; NULL if unknown */
const kw_lab *kw_lab_all(size_t *n);
int kw_lab_points(const kw_lab *lab);          /* grid size */
void kw_lab_point_at(const kw_lab *lab, int index, kw_lab_point *pt);
/* Client settings of a point (fixed first, then the client axes) into names[]/values[];
 * returns the count. */
int kw_lab_point_settings(const kw_lab_point *pt, const char **names, const char **values, int max);
/* Broker settings of a point (its broker axes) into names[]/values[]; returns the count. */
int kw_lab_point_broker_settings(const kw_lab_point *pt, const char **names, const char **values, int max);

/* "Batch size: 32768, Compression: gzip, Linger.ms: 10, Time taken: 4.812 sec" then, in
 * parentheses, records/s, records per batch (or fetch) and the latency percentiles. */
void kw_lab_print_line(FILE *f, const kw_lab_point *pt, const kw_lab_result *r);
void kw_lab_csv_header(FILE *f, const kw_lab *lab);
void kw_lab_csv_row(FILE *f, const kw_lab_point *pt, const kw_lab_result *r);
/*
 * Write a self-contained gnuplot script (data inline) drawing records/s against the first
 * axis, one series per value of the second axis, one panel per value of the third, all
 * panels on one y scale. results[i] is grid point i (n = kw_lab_points()). The terminal
 * follows out_path's extension: .svg or .png. 0, or -1 for another extension.
 */
int kw_lab_chart_script(FILE *f, const kw_lab *lab, const kw_lab_result *results, int n, const char *out_path);
/* The plain-language reading: winner, and why in numbers. results[i] is point i. Names
 * the fastest setting faster than the slowest only when no run of the one reaches the
 * other (they are extremes picked out of many), and a best value of a setting only when
 * its mean over the grid beats the runner-up's by more than twice the noise of the two
 * means (a median's noise estimated from its runs' range). Live consumer runs are read
 * by records' latency instead (their records/s is the producer's rate). */
void kw_lab_reading(FILE *f, const kw_lab *lab, const kw_lab_result *results, int n);

/*
 * Reduce n runs of one grid point to its result: the run with the median records/s
 * (for an even n the lower middle one), with runs = n and rps_min/rps_max the range.
 * Failed runs count as 0 records/s. n >= 1.
 */
void kw_lab_median(const kw_lab_result *runs, int n, kw_lab_result *out);
/* Run-to-run spread of a lab: per grid point (rps_max - rps_min) / median, the median of
 * those over the points into *median and the largest into *max (both 0 without repeats). */
void kw_lab_spread(const kw_lab_result *results, int n, double *median, double *max);
/* 1 when the lab sweeps broker settings (a broker restart per grid point). */
int kw_lab_has_broker_axes(const kw_lab *lab);

#endif
