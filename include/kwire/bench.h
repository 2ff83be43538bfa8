/*
 * kwire/bench.h — histograms for measurements.
 *
 * kw_hdr: latency histograms with HdrHistogram's layout (1 us .. 1 h at 3 significant
 * digits by default), percentiles computed as HdrHistogram computes them, merging, and
 * HdrHistogram's V2 compressed encoding, so its own tools read what kw_hdr_encode
 * writes. The producer's delivery latency and the consumer's broker hold time are kept
 * in one (kw_producer_stats.latency_us, kw_consumer_stats.fetch_hold_us).
 *
 * kw_hist: a fixed-size log-linear histogram of sizes (records per batch, bytes per
 * fetch, ...): values 0 .. 2^40-1, exact below 64, then 64 linear sub-buckets per power
 * of two (a reported percentile is within 0.8% of a sample at that rank).
 *
 * Example:
 *
 *     kw_hdr *h = kw_hdr_new_default();
 *     for (int i = 1; i <= 1000; i++) kw_hdr_record(h, i);
 *     printf("p99 %lld us\n", (long long)kw_hdr_value_at(h, 99.0));
 *     kw_buf b; kw_buf_init(&b);
 *     kw_hdr_format(h, "us", &b);             // "n=1000 min=1 p50=500 ... us\n"
 *     fwrite(b.data, 1, b.len, stdout);
 *     kw_buf_free(&b); kw_hdr_free(h);
 */
#ifndef KWIRE_BENCH_H
#define KWIRE_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "kwire/errors.h"
#include "kwire/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- kw_hdr: latency histograms (HdrHistogram's layout) ---- */

#define KW_HDR_LOWEST 1                        /* 1 us */
#define KW_HDR_HIGHEST INT64_C(3600000000)     /* 1 h in us */
#define KW_HDR_DIGITS 3
#define KW_HDR_MAX_COUNTS (1 << 22)            /* decoding refuses layouts longer than this */

#define KW_HDR_V2_COOKIE 0x1c849313            /* uncompressed V2, word-size nibble 1 */
#define KW_HDR_V2_COMPRESSED_COOKIE 0x1c849314 /* compressed V2 */
#define KW_HDR_V2_HEADER_SIZE 40

typedef struct kw_hdr {
    int64_t lowest;          /* lowest discernible value (>= 1) */
    int64_t highest;         /* highest trackable value (>= 2 * lowest) */
    int digits;              /* significant decimal digits, 0..5 */
    int unit_mag;            /* floor(log2(lowest)) */
    int sub_half_mag;        /* log2(sub_count) - 1 */
    int lzc_base;            /* 64 - unit_mag - log2(sub_count): bucket from leading zeros */
    int32_t sub_half;        /* sub_count / 2 */
    int64_t sub_mask;        /* (sub_count - 1) << unit_mag */
    int32_t len;             /* counts */
    uint64_t total;
    int64_t max;             /* largest value recorded (exact; or the decoded bucket's highest) */
    int64_t min_nz;          /* smallest non-zero value recorded; INT64_MAX when none */
    uint64_t saturated;      /* values above highest, recorded as highest */
    uint64_t counts[];       /* len */
} kw_hdr;

/*
 * A histogram of the given layout (zeroed), or NULL: out of memory, lowest < 1,
 * highest < 2 * lowest, digits outside 0..5, or the layout would need more than
 * KW_HDR_MAX_COUNTS counts. kw_hdr_new_default(): 1 us .. 1 h, 3 digits.
 */
KW_API kw_hdr *kw_hdr_new(int64_t lowest, int64_t highest, int digits);
KW_API kw_hdr *kw_hdr_new_default(void);
KW_API void kw_hdr_free(kw_hdr *h);
/* Counts zeroed, layout kept. */
KW_API void kw_hdr_reset(kw_hdr *h);
/* Copy: NULL when out of memory. */
KW_API kw_hdr *kw_hdr_dup(const kw_hdr *h);

/*
 * Record n occurrences of v. A value above highest is recorded as highest and counted in
 * h->saturated. Negative v: KW_ERR_INVALID_ARG, nothing recorded. 0 otherwise.
 */
KW_API int kw_hdr_record_n(kw_hdr *h, int64_t v, uint64_t n);
static inline int kw_hdr_record(kw_hdr *h, int64_t v) { return kw_hdr_record_n(h, v, 1); }

/* 1 when a and b have the same layout (lowest, highest, digits), else 0. */
KW_API int kw_hdr_same_layout(const kw_hdr *a, const kw_hdr *b);
/* dst += src (see the file comment). 0. */
KW_API int kw_hdr_add(kw_hdr *dst, const kw_hdr *src);

/* Index of the count v falls in (v >= 0; values past the array give len - 1). */
KW_API int32_t kw_hdr_index(const kw_hdr *h, int64_t v);
/* The lowest value of index i's range. */
KW_API int64_t kw_hdr_value_from_index(const kw_hdr *h, int32_t i);
/* The range of values equivalent to v: lowest, highest, size, and its median. */
KW_API int64_t kw_hdr_lowest_equiv(const kw_hdr *h, int64_t v);
KW_API int64_t kw_hdr_highest_equiv(const kw_hdr *h, int64_t v);
KW_API int64_t kw_hdr_equiv_size(const kw_hdr *h, int64_t v);
KW_API int64_t kw_hdr_median_equiv(const kw_hdr *h, int64_t v);

/* Value at a percentile in [0, 100] (99.9 = p99.9); 0 when empty. */
KW_API int64_t kw_hdr_value_at(const kw_hdr *h, double percentile);
/* Mean (from each bucket's median value); 0 when empty. */
KW_API double kw_hdr_mean(const kw_hdr *h);
/* Highest value equivalent to the largest recorded one; 0 when empty. */
KW_API int64_t kw_hdr_max(const kw_hdr *h);
/* Lowest value equivalent to the smallest recorded one (0 if a 0 was recorded). */
KW_API int64_t kw_hdr_min(const kw_hdr *h);

/* "n=1000 min=.. p50=.. p95=.. p99=.. p999=.. max=.. mean=.. UNIT\n" (unit may be "",
 * the form of kw_hist_format). Returns out->err. */
KW_API int kw_hdr_format(const kw_hdr *h, const char *unit, kw_buf *out);

/*
 * Append h in the V2 compressed form to out (zlib level 9, as HdrHistogram's log
 * writer). 0, KW_ERR_NOMEM, KW_ERR_COMPRESS, or KW_ERR_TOO_LARGE (a count above
 * INT64_MAX).
 */
KW_API int kw_hdr_encode(const kw_hdr *h, kw_buf *out);
/*
 * Decode the V2 compressed form in p[0..len) into a new histogram of the layout its
 * header names (*out, to kw_hdr_free). Never trusts the input: the compressed length,
 * the inflated size (40 + payload length, itself bounded by 9 bytes per count), the
 * layout (KW_HDR_MAX_COUNTS) and every count index are checked. 0, or:
 * KW_ERR_TRUNCATED, KW_ERR_UNSUPPORTED (another encoding: V0/V1, a normalizing offset,
 * an uncompressed form), KW_ERR_CORRUPT (bad header or counts past the layout),
 * KW_ERR_DECOMPRESS, KW_ERR_TOO_LARGE (layout too long), KW_ERR_NOMEM.
 */
KW_API int kw_hdr_decode(const uint8_t *p, size_t len, kw_hdr **out);

/* ---- kw_hist: sizes ---- */


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

KW_API void kw_hist_init(kw_hist *h);
KW_API void kw_hist_record(kw_hist *h, uint64_t v);
KW_API void kw_hist_record_n(kw_hist *h, uint64_t v, uint64_t n);
/* Add src's counts to dst. */
KW_API void kw_hist_merge(kw_hist *dst, const kw_hist *src);
/* Value at quantile q in [0, 1] (0.99 = p99); 0 when empty. */
KW_API uint64_t kw_hist_quantile(const kw_hist *h, double q);
KW_API double kw_hist_mean(const kw_hist *h);
/* Bucket index of a value and the range [lo, hi] it covers (for tests and exports). */
KW_API size_t kw_hist_bucket(uint64_t v);
KW_API void kw_hist_bucket_range(size_t idx, uint64_t *lo, uint64_t *hi);
/*
 * "n=1000 min=.. p50=.. p95=.. p99=.. p999=.. max=.. mean=.. UNIT\n" (unit may be "").
 * Returns out->err.
 */
KW_API int kw_hist_format(const kw_hist *h, const char *unit, kw_buf *out);

#ifdef __cplusplus
}
#endif

#endif
