/*
 * client/core/hdr.c — HdrHistogram-layout latency histograms: layout, recording, merge,
 * percentiles, and the V2 compressed encoding (zlib + ZigZag LEB128 counts). Pure.
 * See client/core/hdr.h for the layout and the format.
 */
#include "client/core/hdr.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "client/admin/lag.h" /* kw__lag_printf */
#include "kwire.h"

#define V2_COOKIE_BASE 0x1c849303
#define V2_COMPRESSED_COOKIE_BASE 0x1c849304
#define V1_COOKIE_BASE 0x1c849301
#define V1_COMPRESSED_COOKIE_BASE 0x1c849302
#define V0_COOKIE_BASE 0x1c849308
#define V0_COMPRESSED_COOKIE_BASE 0x1c849309
#define COOKIE_BASE(c) ((uint32_t)(c) & ~UINT32_C(0xf0)) /* the word-size nibble cleared */
#define LEB9_MAX 9                                        /* bytes per count, at most */

/* ------------------------------------------------------------------ layout */

typedef struct layout {
    int unit_mag, sub_count_mag;
    int64_t len;
} layout;

/* 0, or KW_ERR_INVALID_ARG (bad parameters) / KW_ERR_TOO_LARGE (too many counts). */
static int layout_of(int64_t lowest, int64_t highest, int digits, layout *l)
{
    if (lowest < 1 || digits < 0 || digits > 5 || highest / 2 < lowest) return KW_ERR_INVALID_ARG; /* < 2 lowest */
    l->unit_mag = 63 - __builtin_clzll((unsigned long long)lowest);
    int64_t single = 2;                       /* 2 * 10^digits: unit resolution up to here */
    for (int i = 0; i < digits; i++) single *= 10;
    l->sub_count_mag = 0;
    while ((INT64_C(1) << l->sub_count_mag) < single) l->sub_count_mag++;
    if (l->sub_count_mag + l->unit_mag > 62) return KW_ERR_INVALID_ARG;
    /* buckets: bucket k covers up to sub_count << (unit_mag + k) */
    int64_t untrackable = INT64_C(1) << (l->sub_count_mag + l->unit_mag);
    int64_t buckets = 1;
    while (untrackable <= highest) {
        if (untrackable > INT64_MAX / 2) { buckets++; break; }
        untrackable <<= 1;
        buckets++;
    }
    l->len = (buckets + 1) * (INT64_C(1) << (l->sub_count_mag - 1));
    return l->len > KW_HDR_MAX_COUNTS ? KW_ERR_TOO_LARGE : 0;
}

static kw_hdr *hdr_alloc(int64_t lowest, int64_t highest, int digits, int *err)
{
    layout l;
    int rc = layout_of(lowest, highest, digits, &l);
    if (rc) { *err = rc; return NULL; }
    kw_hdr *h = calloc(1, sizeof *h + (size_t)l.len * sizeof h->counts[0]);
    if (!h) { *err = KW_ERR_NOMEM; return NULL; }
    h->lowest = lowest;
    h->highest = highest;
    h->digits = digits;
    h->unit_mag = l.unit_mag;
    h->sub_half_mag = l.sub_count_mag - 1;
    h->sub_half = (int32_t)1 << h->sub_half_mag;
    h->sub_mask = ((INT64_C(1) << l.sub_count_mag) - 1) << l.unit_mag;
    h->lzc_base = 64 - l.unit_mag - l.sub_count_mag;
    h->len = (int32_t)l.len;
    h->min_nz = INT64_MAX;
    *err = 0;
    return h;
}

kw_hdr *kw_hdr_new(int64_t lowest, int64_t highest, int digits)
{
    int err;
    return hdr_alloc(lowest, highest, digits, &err);
}

kw_hdr *kw_hdr_new_default(void)
{
    return kw_hdr_new(KW_HDR_LOWEST, KW_HDR_HIGHEST, KW_HDR_DIGITS);
}

void kw_hdr_free(kw_hdr *h)
{
    free(h);
}

void kw_hdr_reset(kw_hdr *h)
{
    memset(h->counts, 0, (size_t)h->len * sizeof h->counts[0]);
    h->total = 0;
    h->max = 0;
    h->min_nz = INT64_MAX;
    h->saturated = 0;
}

kw_hdr *kw_hdr_dup(const kw_hdr *h)
{
    size_t n = sizeof *h + (size_t)h->len * sizeof h->counts[0];
    kw_hdr *d = malloc(n);
    if (d) memcpy(d, h, n);
    return d;
}

/* ------------------------------------------------------------------ indexing */

static int bucket_of(const kw_hdr *h, int64_t v)
{
    /* powers of two by which v exceeds bucket 0's range; the mask keeps small values at 0 */
    return h->lzc_base - __builtin_clzll((unsigned long long)(v | h->sub_mask));
}

int32_t kw_hdr_index(const kw_hdr *h, int64_t v)
{
    if (v < 0) v = 0;
    int b = bucket_of(h, v);
    int64_t sub = v >> (b + h->unit_mag);                       /* in the upper half for b > 0 */
    int64_t i = ((int64_t)(b + 1) << h->sub_half_mag) + (sub - h->sub_half);
    return i < h->len ? (int32_t)i : h->len - 1;
}

int64_t kw_hdr_value_from_index(const kw_hdr *h, int32_t i)
{
    int b = (i >> h->sub_half_mag) - 1;
    int64_t sub = (i & (h->sub_half - 1)) + h->sub_half;
    if (b < 0) { sub -= h->sub_half; b = 0; }                   /* bucket 0's lower half */
    return sub << (b + h->unit_mag);
}

int64_t kw_hdr_lowest_equiv(const kw_hdr *h, int64_t v)
{
    int b = bucket_of(h, v);
    int s = b + h->unit_mag;
    return (v >> s) << s;
}

int64_t kw_hdr_equiv_size(const kw_hdr *h, int64_t v)
{
    return INT64_C(1) << (h->unit_mag + bucket_of(h, v));
}

int64_t kw_hdr_highest_equiv(const kw_hdr *h, int64_t v)
{
    return kw_hdr_lowest_equiv(h, v) + (kw_hdr_equiv_size(h, v) - 1); /* INT64_MAX's range ends there */
}

int64_t kw_hdr_median_equiv(const kw_hdr *h, int64_t v)
{
    return kw_hdr_lowest_equiv(h, v) + (kw_hdr_equiv_size(h, v) >> 1);
}

/* ------------------------------------------------------------------ recording */

int kw_hdr_record_n(kw_hdr *h, int64_t v, uint64_t n)
{
    if (v < 0) return KW_ERR_INVALID_ARG;
    if (n == 0) return 0;
    if (v > h->highest) {
        v = h->highest;
        h->saturated += n;
    }
    h->counts[kw_hdr_index(h, v)] += n;
    h->total += n;
    if (v > h->max) h->max = v;
    if (v > 0 && v < h->min_nz) h->min_nz = v;
    return 0;
}

int kw_hdr_same_layout(const kw_hdr *a, const kw_hdr *b)
{
    return a->lowest == b->lowest && a->highest == b->highest && a->digits == b->digits;
}

int kw_hdr_add(kw_hdr *dst, const kw_hdr *src)
{
    if (src->total == 0) return 0;
    if (!kw_hdr_same_layout(dst, src)) {
        for (int32_t i = 0; i < src->len; i++)
            if (src->counts[i]) kw_hdr_record_n(dst, kw_hdr_value_from_index(src, i), src->counts[i]);
        dst->saturated += src->saturated;
        return 0;
    }
    for (int32_t i = 0; i < src->len; i++) dst->counts[i] += src->counts[i];
    dst->total += src->total;
    dst->saturated += src->saturated;
    if (src->max > dst->max) dst->max = src->max;
    if (src->min_nz < dst->min_nz) dst->min_nz = src->min_nz;
    return 0;
}

/* ------------------------------------------------------------------ figures */

int64_t kw_hdr_value_at(const kw_hdr *h, double percentile)
{
    if (h->total == 0) return 0;
    /* one ulp below, so that p * total / 100 landing a hair above a whole count does not
     * round up to the next one */
    double p = nextafter(percentile, -INFINITY);
    if (!(p > 0.0)) p = 0.0; /* also NaN */
    if (p > 100.0) p = 100.0;
    double want = ceil(p * (double)h->total / 100.0);
    uint64_t rank = want < 1.0 ? 1 : (uint64_t)want;
    uint64_t seen = 0;
    for (int32_t i = 0; i < h->len; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            int64_t v = kw_hdr_value_from_index(h, i);
            return percentile == 0.0 ? kw_hdr_lowest_equiv(h, v) : kw_hdr_highest_equiv(h, v);
        }
    }
    return 0;
}

double kw_hdr_mean(const kw_hdr *h)
{
    if (h->total == 0) return 0.0;
    double sum = 0.0;
    for (int32_t i = 0; i < h->len; i++)
        if (h->counts[i]) sum += (double)kw_hdr_median_equiv(h, kw_hdr_value_from_index(h, i)) * (double)h->counts[i];
    return sum / (double)h->total;
}

int64_t kw_hdr_max(const kw_hdr *h)
{
    return h->max == 0 ? 0 : kw_hdr_highest_equiv(h, h->max);
}

int64_t kw_hdr_min(const kw_hdr *h)
{
    if (h->total == 0 || h->counts[0] > 0 || h->min_nz == INT64_MAX) return 0;
    return kw_hdr_lowest_equiv(h, h->min_nz);
}

int kw_hdr_format(const kw_hdr *h, const char *unit, kw_buf *out)
{
    const char *sp = unit && *unit ? " " : "";
    return kw__lag_printf(out,
                          "n=%llu min=%lld p50=%lld p95=%lld p99=%lld p999=%lld max=%lld mean=%.1f%s%s\n",
                          (unsigned long long)h->total, (long long)kw_hdr_min(h), (long long)kw_hdr_value_at(h, 50),
                          (long long)kw_hdr_value_at(h, 95), (long long)kw_hdr_value_at(h, 99),
                          (long long)kw_hdr_value_at(h, 99.9), (long long)kw_hdr_max(h), kw_hdr_mean(h), sp,
                          unit ? unit : "");
}

/* ------------------------------------------------------------------ V2 encoding */

/* ZigZag, then LEB128 of at most 9 bytes: 7 bits per byte for 8 bytes, the 9th whole. */
static void put_leb9(kw_buf *b, int64_t v)
{
    if (kw_buf_reserve(b, LEB9_MAX)) return;
    uint8_t *p = b->data + b->len;
    uint64_t u = kw_zigzag64(v);
    size_t n = 0;
    while (n < 8 && u >= 0x80) {
        p[n++] = (uint8_t)(u | 0x80);
        u >>= 7;
    }
    p[n++] = (uint8_t)u; /* after 8 bytes, the last 8 bits */
    b->len += n;
}

/* Read one such value; -1 (nothing consumed) when the input ends inside it. */
static int get_leb9(const uint8_t *p, size_t len, size_t *off, int64_t *v)
{
    uint64_t u = 0;
    size_t o = *off;
    for (int i = 0; i < LEB9_MAX; i++) {
        if (o >= len) return -1;
        uint8_t c = p[o++];
        if (i == 8) { u |= (uint64_t)c << 56; break; }
        u |= (uint64_t)(c & 0x7f) << (7 * i);
        if (!(c & 0x80)) break;
    }
    *off = o;
    *v = kw_unzigzag64(u);
    return 0;
}

int kw_hdr_encode(const kw_hdr *h, kw_buf *out)
{
    int32_t relevant = kw_hdr_index(h, h->max) + 1;
    kw_buf raw;
    kw_buf_init(&raw);
    kw_buf_reserve(&raw, KW_HDR_V2_HEADER_SIZE + 64);
    kw_buf_u32(&raw, KW_HDR_V2_COOKIE);
    kw_buf_i32(&raw, 0); /* payload length, filled below */
    kw_buf_i32(&raw, 0); /* normalizing index offset */
    kw_buf_i32(&raw, h->digits);
    kw_buf_i64(&raw, h->lowest);
    kw_buf_i64(&raw, h->highest);
    double one = 1.0;    /* integer-to-double conversion ratio */
    uint64_t bits;
    memcpy(&bits, &one, sizeof bits);
    kw_buf_i64(&raw, (int64_t)bits);
    int rc = 0;
    for (int32_t i = 0; i < relevant;) {
        uint64_t c = h->counts[i++];
        if (c > (uint64_t)INT64_MAX) { rc = KW_ERR_TOO_LARGE; break; }
        if (c == 0) {
            int64_t zeros = 1;
            while (i < relevant && h->counts[i] == 0) { zeros++; i++; }
            put_leb9(&raw, zeros > 1 ? -zeros : 0);
        } else {
            put_leb9(&raw, (int64_t)c);
        }
    }
    if (!rc && raw.err) rc = raw.err;
    if (!rc && raw.len - KW_HDR_V2_HEADER_SIZE > INT32_MAX) rc = KW_ERR_TOO_LARGE;
    if (!rc) {
        kw_be32(raw.data + 4, (uint32_t)(raw.len - KW_HDR_V2_HEADER_SIZE));
        uLongf bound = compressBound((uLong)raw.len);
        size_t start = out->len;
        uint8_t *dst = kw_buf_extend(out, 8 + (size_t)bound);
        if (!dst) {
            rc = KW_ERR_NOMEM;
        } else if (compress2(dst + 8, &bound, raw.data, (uLong)raw.len, Z_BEST_COMPRESSION) != Z_OK) {
            out->len = start;
            rc = KW_ERR_COMPRESS;
        } else {
            kw_be32(dst, KW_HDR_V2_COMPRESSED_COOKIE);
            kw_be32(dst + 4, (uint32_t)bound);
            out->len = start + 8 + (size_t)bound;
        }
    }
    kw_buf_free(&raw);
    return rc;
}

/* Inflate exactly n more bytes into dst; 0, KW_ERR_TRUNCATED (the stream ends first) or
 * KW_ERR_DECOMPRESS. */
static int inflate_n(z_stream *z, uint8_t *dst, size_t n)
{
    z->next_out = dst;
    z->avail_out = (uInt)n;
    while (z->avail_out > 0) {
        int zr = inflate(z, Z_NO_FLUSH);
        if (zr == Z_STREAM_END) return z->avail_out ? KW_ERR_TRUNCATED : 0;
        if (zr == Z_BUF_ERROR) return KW_ERR_TRUNCATED; /* no input left */
        if (zr != Z_OK) return KW_ERR_DECOMPRESS;
    }
    return 0;
}

static int decode_counts(kw_hdr *h, const uint8_t *p, size_t len)
{
    size_t off = 0;
    int64_t idx = 0;
    while (off < len) {
        int64_t v;
        if (get_leb9(p, len, &off, &v)) return KW_ERR_CORRUPT;
        if (v < 0) {
            if (v < -(int64_t)INT32_MAX || idx - v > h->len) return KW_ERR_CORRUPT;
            idx -= v; /* a run of -v zero counts */
            continue;
        }
        if (idx >= h->len || h->total > UINT64_MAX - (uint64_t)v) return KW_ERR_CORRUPT;
        h->counts[idx++] = (uint64_t)v;
        h->total += (uint64_t)v;
    }
    int32_t max_i = -1, min_i = -1;
    for (int32_t i = 0; i < h->len; i++) {
        if (!h->counts[i]) continue;
        max_i = i;
        if (min_i < 0 && i > 0) min_i = i;
    }
    if (max_i >= 0) h->max = kw_hdr_highest_equiv(h, kw_hdr_value_from_index(h, max_i));
    if (min_i >= 0) h->min_nz = kw_hdr_value_from_index(h, min_i);
    return 0;
}

int kw_hdr_decode(const uint8_t *p, size_t len, kw_hdr **out)
{
    *out = NULL;
    if (len < 8) return KW_ERR_TRUNCATED;
    uint32_t cookie = COOKIE_BASE(kw_ld32(p));
    if (cookie != V2_COMPRESSED_COOKIE_BASE) {
        if (cookie == V1_COMPRESSED_COOKIE_BASE || cookie == V0_COMPRESSED_COOKIE_BASE || cookie == V2_COOKIE_BASE ||
            cookie == V1_COOKIE_BASE || cookie == V0_COOKIE_BASE)
            return KW_ERR_UNSUPPORTED;
        return KW_ERR_CORRUPT;
    }
    uint32_t clen = kw_ld32(p + 4);
    if (clen > len - 8) return KW_ERR_TRUNCATED;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) return KW_ERR_NOMEM;
    z.next_in = (Bytef *)(uintptr_t)(p + 8);
    z.avail_in = clen;
    uint8_t hd[KW_HDR_V2_HEADER_SIZE];
    uint8_t *payload = NULL;
    kw_hdr *h = NULL;
    int rc = inflate_n(&z, hd, sizeof hd);
    if (rc) goto done;
    if (COOKIE_BASE(kw_ld32(hd)) != V2_COOKIE_BASE) {
        rc = COOKIE_BASE(kw_ld32(hd)) == V1_COOKIE_BASE ? KW_ERR_UNSUPPORTED : KW_ERR_CORRUPT;
        goto done;
    }
    int32_t payload_len = (int32_t)kw_ld32(hd + 4);
    int32_t norm = (int32_t)kw_ld32(hd + 8);
    int32_t digits = (int32_t)kw_ld32(hd + 12);
    int64_t lowest = (int64_t)kw_ld64(hd + 16), highest = (int64_t)kw_ld64(hd + 24);
    if (norm != 0) { rc = KW_ERR_UNSUPPORTED; goto done; } /* shifted (DoubleHistogram) */
    if (payload_len < 0 || digits < 0 || digits > 5) { rc = KW_ERR_CORRUPT; goto done; }
    int err;
    if (!(h = hdr_alloc(lowest, highest, digits, &err))) {
        rc = err == KW_ERR_INVALID_ARG ? KW_ERR_CORRUPT : err;
        goto done;
    }
    if ((int64_t)payload_len > (int64_t)h->len * LEB9_MAX) { rc = KW_ERR_CORRUPT; goto done; }
    if (payload_len > 0) {
        if (!(payload = malloc((size_t)payload_len))) { rc = KW_ERR_NOMEM; goto done; }
        if ((rc = inflate_n(&z, payload, (size_t)payload_len))) goto done;
    }
    rc = decode_counts(h, payload, (size_t)payload_len);
done:
    inflateEnd(&z);
    free(payload);
    if (rc) kw_hdr_free(h);
    else *out = h;
    return rc;
}
