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
#include "kwire/bench.h"

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

/* ---- histogram: kw_hist, kwire/bench.h ---- */

#endif
