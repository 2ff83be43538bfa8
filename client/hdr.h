/*
 * client/hdr.h — latency histograms with HdrHistogram's layout and its V2 encoding,
 * written from the published algorithm (HdrHistogram's documentation and format).
 *
 * Why in client/: the client's own latency figures use it — the producer's delivery
 * latency (kw_producer_stats) and the consumer's broker hold time — and bench/ (paced
 * runs, interval logs, merge) sits above client/, which may not include bench/. It is
 * pure: no clock, no I/O; callers pass values in.
 *
 * Layout (as HdrHistogram's, so a count here is the count of the same index there):
 * sub_count = the smallest power of two >= 2 * 10^digits (2048 for 3 digits); bucket 0
 * holds values 0 .. sub_count-1 at unit resolution (units of 2^unit_mag, unit_mag =
 * floor(log2(lowest))); bucket k >= 1 holds the upper half of sub_count sub-buckets at
 * 2^k units each; the counts array is (buckets + 1) * sub_count / 2 long. Any value v is
 * within v / 10^digits of the value its bucket stands for. The default layout is the
 * benchmarks': microseconds, 1 us to 1 h (3,600,000,000), 3 significant digits:
 * 23,552 counts, one allocation.
 *
 * Percentiles, mean and max are computed as HdrHistogram computes them (value at
 * percentile = the highest value equivalent to the bucket where the cumulative count
 * reaches ceil(percentile * total / 100); mean from each bucket's median value; max =
 * the highest value equivalent to the largest recorded one), so the figures of a
 * histogram and of its encoded form read by HdrHistogram's own tools agree.
 *
 * Merge: kw_hdr_add adds counts index by index when both layouts agree (exact); with
 * another layout each source bucket is recorded at its value, as HdrHistogram does.
 *
 * Encoding: the V2 compressed form (cookie 0x1c849314): a 4-byte cookie, a 4-byte
 * length, then a zlib stream of the 40-byte V2 header (cookie 0x1c849313, payload
 * length, normalizing offset 0, significant digits, lowest, highest, conversion ratio
 * 1.0) and the counts up to the largest recorded value as ZigZag LEB128 (at most 9
 * bytes, the ninth carrying 8 bits), a run of N > 1 zero counts written as -N.
 */
#ifndef KW_CLIENT_HDR_H
#define KW_CLIENT_HDR_H

#include <stddef.h>
#include <stdint.h>

#include "codec/buf.h"

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
kw_hdr *kw_hdr_new(int64_t lowest, int64_t highest, int digits);
kw_hdr *kw_hdr_new_default(void);
void kw_hdr_free(kw_hdr *h);
/* Counts zeroed, layout kept. */
void kw_hdr_reset(kw_hdr *h);
/* Copy: NULL when out of memory. */
kw_hdr *kw_hdr_dup(const kw_hdr *h);

/*
 * Record n occurrences of v. A value above highest is recorded as highest and counted in
 * h->saturated. Negative v: KW_ERR_INVALID_ARG, nothing recorded. 0 otherwise.
 */
int kw_hdr_record_n(kw_hdr *h, int64_t v, uint64_t n);
static inline int kw_hdr_record(kw_hdr *h, int64_t v) { return kw_hdr_record_n(h, v, 1); }

/* 1 when a and b have the same layout (lowest, highest, digits), else 0. */
int kw_hdr_same_layout(const kw_hdr *a, const kw_hdr *b);
/* dst += src (see the file comment). 0. */
int kw_hdr_add(kw_hdr *dst, const kw_hdr *src);

/* Index of the count v falls in (v >= 0; values past the array give len - 1). */
int32_t kw_hdr_index(const kw_hdr *h, int64_t v);
/* The lowest value of index i's range. */
int64_t kw_hdr_value_from_index(const kw_hdr *h, int32_t i);
/* The range of values equivalent to v: lowest, highest, size, and its median. */
int64_t kw_hdr_lowest_equiv(const kw_hdr *h, int64_t v);
int64_t kw_hdr_highest_equiv(const kw_hdr *h, int64_t v);
int64_t kw_hdr_equiv_size(const kw_hdr *h, int64_t v);
int64_t kw_hdr_median_equiv(const kw_hdr *h, int64_t v);

/* Value at a percentile in [0, 100] (99.9 = p99.9); 0 when empty. */
int64_t kw_hdr_value_at(const kw_hdr *h, double percentile);
/* Mean (from each bucket's median value); 0 when empty. */
double kw_hdr_mean(const kw_hdr *h);
/* Highest value equivalent to the largest recorded one; 0 when empty. */
int64_t kw_hdr_max(const kw_hdr *h);
/* Lowest value equivalent to the smallest recorded one (0 if a 0 was recorded). */
int64_t kw_hdr_min(const kw_hdr *h);

/* "n=1000 min=.. p50=.. p95=.. p99=.. p999=.. max=.. mean=.. UNIT\n" (unit may be "",
 * the form of kw_hist_format). Returns out->err. */
int kw_hdr_format(const kw_hdr *h, const char *unit, kw_buf *out);

/*
 * Append h in the V2 compressed form to out (zlib level 9, as HdrHistogram's log
 * writer). 0, KW_ERR_NOMEM, KW_ERR_COMPRESS, or KW_ERR_TOO_LARGE (a count above
 * INT64_MAX).
 */
int kw_hdr_encode(const kw_hdr *h, kw_buf *out);
/*
 * Decode the V2 compressed form in p[0..len) into a new histogram of the layout its
 * header names (*out, to kw_hdr_free). Never trusts the input: the compressed length,
 * the inflated size (40 + payload length, itself bounded by 9 bytes per count), the
 * layout (KW_HDR_MAX_COUNTS) and every count index are checked. 0, or:
 * KW_ERR_TRUNCATED, KW_ERR_UNSUPPORTED (another encoding: V0/V1, a normalizing offset,
 * an uncompressed form), KW_ERR_CORRUPT (bad header or counts past the layout),
 * KW_ERR_DECOMPRESS, KW_ERR_TOO_LARGE (layout too long), KW_ERR_NOMEM.
 */
int kw_hdr_decode(const uint8_t *p, size_t len, kw_hdr **out);

#endif
