/*
 * client/rate.h — message rates with "high / normal / low" thresholds, and a
 * log-linear histogram of sizes with percentiles (the monitoring labs M2–M4). Pure.
 *
 * Rate: feed (time, cumulative count) samples, e.g. records sent so far, once a second;
 * kw_rate_per_sec() is the increase over the last window divided by its length —
 * Prometheus's rate() on a counter, counter resets included (a count that goes down
 * is taken as a restart from 0, so the increase is the new value).
 *
 * Histogram: fixed memory (no allocation), values 0 .. 2^40-1 in any unit (use
 * microseconds for request latency: up to 12.7 days). Values below 2^KW_HIST_SUB_BITS
 * are counted exactly; above, each power of two is split into 2^KW_HIST_SUB_BITS
 * linear sub-buckets, so a bucket is at most 1/64 of its value wide and a reported
 * percentile (the bucket's midpoint, clamped to the observed min/max) is within 0.8%
 * of a true sample value at that rank. It counts sizes (records per batch, bytes and
 * records per fetch, records per poll); histograms merge by adding counts. Latencies
 * use client/hdr.h (HdrHistogram's layout, 3 significant digits, interval logs).
 */
#ifndef KW_CLIENT_RATE_H
#define KW_CLIENT_RATE_H

#include <stddef.h>
#include <stdint.h>

#include "codec/buf.h"

/* ---- rate ---- */

#define KW_RATE_MAX_SAMPLES 256 /* ring size: a 60 s window at 4 samples/s */

typedef struct kw_rate_sample {
    int64_t t_ms;
    int64_t count; /* cumulative */
} kw_rate_sample;

typedef struct kw_rate {
    int64_t window_ms;
    kw_rate_sample ring[KW_RATE_MAX_SAMPLES];
    size_t head, n; /* oldest at head, n valid */
} kw_rate;

void kw_rate_init(kw_rate *r, int64_t window_ms);
/* Add a sample; samples must come in time order (an older or equal time is ignored:
 * returns KW_ERR_INVALID_ARG). Samples older than the window are dropped. */
int kw_rate_add(kw_rate *r, int64_t t_ms, int64_t count);
/*
 * Per-second rate over the samples within window_ms of the newest one: increase
 * (resets handled) / elapsed seconds. 0 with fewer than two samples.
 */
double kw_rate_per_sec(const kw_rate *r);

typedef enum kw_rate_class { KW_RATE_LOW = -1, KW_RATE_NORMAL = 0, KW_RATE_HIGH = 1 } kw_rate_class;

/* The labs' thresholds: HIGH above 5000 msgs/s, LOW below 1000 msgs/s. */
#define KW_RATE_LAB_HIGH 5000.0
#define KW_RATE_LAB_LOW 1000.0

/* HIGH when rate > high, LOW when rate < low, else NORMAL. */
kw_rate_class kw_rate_classify(double rate, double high, double low);
/* "high", "normal", "low". */
const char *kw_rate_class_name(kw_rate_class c);
/* "Message rate: 1234.5 msgs/s (normal; high > 5000, low < 1000)\n". Returns out->err. */
int kw_rate_format(kw_buf *out, double rate, double high, double low);

/* ---- histogram ---- */

#define KW_HIST_SUB_BITS 6
#define KW_HIST_SUB (1u << KW_HIST_SUB_BITS) /* 64 sub-buckets per power of two */
#define KW_HIST_MAX_BITS 40                  /* values up to 2^40 - 1 */
#define KW_HIST_MAX ((UINT64_C(1) << KW_HIST_MAX_BITS) - 1)
/* exact buckets 0..63, then 64 per power of two from 2^6 to 2^39 */
#define KW_HIST_BUCKETS (KW_HIST_SUB * (KW_HIST_MAX_BITS - KW_HIST_SUB_BITS + 1))

typedef struct kw_hist {
    uint64_t count;
    uint64_t sum;       /* saturates at UINT64_MAX */
    uint64_t min, max;  /* of recorded values (after clamping to KW_HIST_MAX) */
    uint64_t clamped;   /* values above KW_HIST_MAX, recorded as KW_HIST_MAX */
    uint64_t buckets[KW_HIST_BUCKETS];
} kw_hist;

void kw_hist_init(kw_hist *h);
void kw_hist_record(kw_hist *h, uint64_t v);
void kw_hist_record_n(kw_hist *h, uint64_t v, uint64_t n);
/* Add src's counts to dst. */
void kw_hist_merge(kw_hist *dst, const kw_hist *src);
/* Value at quantile q in [0, 1] (0.99 = p99); 0 when empty. */
uint64_t kw_hist_quantile(const kw_hist *h, double q);
double kw_hist_mean(const kw_hist *h);
/* Bucket index of a value and the range [lo, hi] it covers (for tests and exports). */
size_t kw_hist_bucket(uint64_t v);
void kw_hist_bucket_range(size_t idx, uint64_t *lo, uint64_t *hi);
/*
 * "n=1000 min=.. p50=.. p95=.. p99=.. p999=.. max=.. mean=.. UNIT\n" (unit may be "").
 * Returns out->err.
 */
int kw_hist_format(const kw_hist *h, const char *unit, kw_buf *out);

#endif
