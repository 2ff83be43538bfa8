/*
 * bench/latency.h — latency as it is experienced, for the benchmarks: a fixed send
 * schedule, per-series HdrHistogram-layout histograms (client/core/hdr.h, microseconds) kept
 * per reporting window and in total, the windows written as HdrHistogram interval log
 * lines (bench/hlog.h), and the summary every benchmark and `bench merge` prints.
 *
 * Paced runs (kafka-producer-perf-test's --throughput R) send record i at
 * t0 + i / R. Each record then has three figures:
 *   response time  intended send -> acknowledgement (what a caller of a service that
 *                  must send at that rate experiences; a stall delays every record
 *                  scheduled during it, and each of them counts it);
 *   service time   actual send -> acknowledgement (what the perf-test tools print: a
 *                  record whose send was held up by a stall starts its clock late, so
 *                  the stall shows once — coordinated omission);
 *   send delay     intended -> actual send (how far the sender fell behind).
 * Pure: callers pass the times (kw_net_now()'s microseconds) in.
 */
#ifndef KW_BENCH_LATENCY_H
#define KW_BENCH_LATENCY_H

#include <stdint.h>

#include "client/core/hdr.h"
#include "codec/buf.h"

/* The series of a paced producer run, and their tags in logs and summaries. */
enum { KW_LAT_RESPONSE, KW_LAT_SERVICE, KW_LAT_DELAY, KW_LAT_PACED_SERIES };
#define KW_LAT_TAG_RESPONSE "response"
#define KW_LAT_TAG_SERVICE "service"
#define KW_LAT_TAG_DELAY "send-delay"
#define KW_LAT_MAX_SERIES 8

/* The send schedule: record i is due at t0_us + i * 10^6 / rate. */
typedef struct kw_pace {
    int64_t t0_us;
    double rate;            /* records/s, > 0 */
} kw_pace;

static inline int64_t kw_pace_due(const kw_pace *p, long i)
{
    return p->t0_us + (int64_t)((double)i * 1e6 / p->rate);
}

typedef struct kw_lat {
    int n;                                 /* series */
    const char *tags[KW_LAT_MAX_SERIES];   /* borrowed; no comma, space or line break */
    kw_hdr *total[KW_LAT_MAX_SERIES];      /* every window closed so far */
    kw_hdr *win[KW_LAT_MAX_SERIES];        /* the window open now */
    int64_t t0_us;                         /* the run's start: interval times count from it */
    int64_t win_start_us;
} kw_lat;

/* n series (1..KW_LAT_MAX_SERIES) named by tags, the run starting at t0_us. 0,
 * KW_ERR_INVALID_ARG or KW_ERR_NOMEM (nothing left allocated). */
int kw_lat_init(kw_lat *l, int n, const char *const *tags, int64_t t0_us);
void kw_lat_free(kw_lat *l);
/* Record us (< 0 counts as 0) in series s's open window. */
void kw_lat_record(kw_lat *l, int s, int64_t us);
/* A paced record: response, service and send delay from its due, send and done times
 * (series KW_LAT_RESPONSE, KW_LAT_SERVICE, KW_LAT_DELAY). */
void kw_lat_record_paced(kw_lat *l, int64_t due_us, int64_t send_us, int64_t done_us);
/* Records in the open window, all series together. */
uint64_t kw_lat_window_count(const kw_lat *l);
/*
 * "  corrected, this window (ms): response p50 0.912 p99 15.203 max 1004.543 | service ..."
 * — the open window's p50, p99 and max per series, one line. Returns out->err.
 */
int kw_lat_window_line(const kw_lat *l, kw_buf *out);
/*
 * Close the open window at now_us: when hlog is given, append one interval line per
 * series (tagged, times in seconds from t0, Interval_Max in ms); add the window into
 * the totals; open the next window at now_us. 0 or an error of kw_hlog_interval.
 */
int kw_lat_window_end(kw_lat *l, int64_t now_us, kw_buf *hlog);

/*
 * The summary: a header line and one row per histogram of microseconds, in ms —
 *   latency (ms)          count       mean        p50 ...    p99.99        max
 *   response              30000      1.234      0.912 ...  1004.543   1004.543
 * then, for a histogram with values above its range, a line saying how many were
 * recorded as its highest value. Returns out->err.
 */
int kw_lat_summary(kw_buf *out, const char *const *labels, const kw_hdr *const *h, int n);
/* {"count":..,"mean":..,"p50":..,"p95":..,"p99":..,"p999":..,"p9999":..,"max":..} in ms.
 * Returns out->err. */
int kw_lat_json(kw_buf *out, const kw_hdr *h);

#endif
