/*
 * client/core/rate.c — windowed message rates with high/normal/low classification, and the
 * fixed-memory log-linear histogram (64 linear sub-buckets per power of two) with
 * percentiles. Pure: callers pass times in.
 */
#include "client/core/rate.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "client/admin/lag.h" /* kw__lag_printf */

/* ---- rate ---- */

void kw_rate_init(kw_rate *r, int64_t window_ms)
{
    memset(r, 0, sizeof *r);
    r->window_ms = window_ms > 0 ? window_ms : 1;
}

static const kw_rate_sample *at(const kw_rate *r, size_t i)
{
    return &r->ring[(r->head + i) % KW_RATE_MAX_SAMPLES];
}

int kw_rate_add(kw_rate *r, int64_t t_ms, int64_t count)
{
    if (r->n && t_ms <= at(r, r->n - 1)->t_ms) return KW_ERR_INVALID_ARG;
    if (r->n == KW_RATE_MAX_SAMPLES) {
        r->head = (r->head + 1) % KW_RATE_MAX_SAMPLES;
        r->n--;
    }
    r->ring[(r->head + r->n) % KW_RATE_MAX_SAMPLES] = (kw_rate_sample){t_ms, count};
    r->n++;
    while (r->n > 1 && t_ms - at(r, 0)->t_ms > r->window_ms) {
        r->head = (r->head + 1) % KW_RATE_MAX_SAMPLES;
        r->n--;
    }
    return 0;
}

double kw_rate_per_sec(const kw_rate *r)
{
    if (r->n < 2) return 0.0;
    double inc = 0.0;
    for (size_t i = 1; i < r->n; i++) {
        int64_t prev = at(r, i - 1)->count, cur = at(r, i)->count;
        inc += cur >= prev ? (double)(cur - prev) : (double)(cur > 0 ? cur : 0); /* reset */
    }
    double secs = (double)(at(r, r->n - 1)->t_ms - at(r, 0)->t_ms) / 1000.0;
    return inc / secs;
}

kw_rate_class kw_rate_classify(double rate, double high, double low)
{
    if (rate > high) return KW_RATE_HIGH;
    if (rate < low) return KW_RATE_LOW;
    return KW_RATE_NORMAL;
}

const char *kw_rate_class_name(kw_rate_class c)
{
    return c == KW_RATE_HIGH ? "high" : c == KW_RATE_LOW ? "low" : "normal";
}

int kw_rate_format(kw_buf *out, double rate, double high, double low)
{
    return kw__lag_printf(out, "Message rate: %.1f msgs/s (%s; high > %g, low < %g)\n", rate,
                       kw_rate_class_name(kw_rate_classify(rate, high, low)), high, low);
}

/* ---- histogram ---- */

void kw_hist_init(kw_hist *h)
{
    memset(h, 0, sizeof *h);
}

size_t kw_hist_bucket(uint64_t v)
{
    if (v > KW_HIST_MAX) v = KW_HIST_MAX;
    if (v < KW_HIST_SUB) return (size_t)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v); /* >= KW_HIST_SUB_BITS */
    unsigned shift = msb - KW_HIST_SUB_BITS;
    size_t sub = (size_t)(v >> shift) - KW_HIST_SUB; /* 0 .. SUB-1: the bits after the msb */
    return (size_t)(msb - KW_HIST_SUB_BITS + 1) * KW_HIST_SUB + sub;
}

void kw_hist_bucket_range(size_t idx, uint64_t *lo, uint64_t *hi)
{
    if (idx < KW_HIST_SUB) { *lo = *hi = idx; return; }
    size_t group = idx / KW_HIST_SUB, sub = idx % KW_HIST_SUB;
    unsigned shift = (unsigned)group - 1;
    *lo = (uint64_t)(KW_HIST_SUB + sub) << shift;
    *hi = *lo + (UINT64_C(1) << shift) - 1;
}

void kw_hist_record_n(kw_hist *h, uint64_t v, uint64_t n)
{
    if (n == 0) return;
    if (v > KW_HIST_MAX) { v = KW_HIST_MAX; h->clamped += n; }
    h->buckets[kw_hist_bucket(v)] += n;
    if (h->count == 0 || v < h->min) h->min = v;
    if (h->count == 0 || v > h->max) h->max = v;
    h->count += n;
    uint64_t add = (n && v > UINT64_MAX / n) ? UINT64_MAX : v * n;
    h->sum = h->sum > UINT64_MAX - add ? UINT64_MAX : h->sum + add;
}

void kw_hist_record(kw_hist *h, uint64_t v)
{
    kw_hist_record_n(h, v, 1);
}

void kw_hist_merge(kw_hist *dst, const kw_hist *src)
{
    if (src->count == 0) return;
    for (size_t i = 0; i < KW_HIST_BUCKETS; i++) dst->buckets[i] += src->buckets[i];
    if (dst->count == 0 || src->min < dst->min) dst->min = src->min;
    if (dst->count == 0 || src->max > dst->max) dst->max = src->max;
    dst->count += src->count;
    dst->clamped += src->clamped;
    dst->sum = dst->sum > UINT64_MAX - src->sum ? UINT64_MAX : dst->sum + src->sum;
}

uint64_t kw_hist_quantile(const kw_hist *h, double q)
{
    if (h->count == 0) return 0;
    if (!(q > 0.0)) return h->min; /* also NaN */
    if (q >= 1.0) return h->max;
    double want = ceil(q * (double)h->count);
    uint64_t rank = want < 1.0 ? 1 : (uint64_t)want;
    uint64_t seen = 0;
    for (size_t i = 0; i < KW_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t lo, hi;
            kw_hist_bucket_range(i, &lo, &hi);
            uint64_t mid = lo + (hi - lo) / 2;
            if (mid < h->min) mid = h->min;
            if (mid > h->max) mid = h->max;
            return mid;
        }
    }
    return h->max;
}

double kw_hist_mean(const kw_hist *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0.0;
}

int kw_hist_format(const kw_hist *h, const char *unit, kw_buf *out)
{
    const char *sp = unit && *unit ? " " : "";
    return kw__lag_printf(out,
                       "n=%" PRIu64 " min=%" PRIu64 " p50=%" PRIu64 " p95=%" PRIu64 " p99=%" PRIu64
                       " p999=%" PRIu64 " max=%" PRIu64 " mean=%.1f%s%s\n",
                       h->count, h->min, kw_hist_quantile(h, 0.50), kw_hist_quantile(h, 0.95),
                       kw_hist_quantile(h, 0.99), kw_hist_quantile(h, 0.999), h->max,
                       kw_hist_mean(h), sp, unit ? unit : "");
}
