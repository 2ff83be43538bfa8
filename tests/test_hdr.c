/*
 * tests/test_hdr.c — client/hdr: HdrHistogram's layout (indexes and equivalent ranges),
 * recorded values against a sorted-array oracle for several distributions over the whole
 * 1 us .. 1 h range, merge = histogram of the pooled values, the V2 compressed encoding
 * (round trip, and hostile input refused with the right error).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "client/core/hdr.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next_u64(void) /* xorshift64* */
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}
static double next_unit(void) { return (double)(next_u64() >> 11) / 9007199254740992.0; } /* [0, 1) */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_layout(void **st)
{
    (void)st;
    kw_hdr *h = kw_hdr_new_default();
    assert_non_null(h);
    /* 1 us .. 1 h, 3 digits: 2048 sub-buckets, 22 buckets, (22 + 1) * 1024 counts */
    assert_int_equal(h->len, 23552);
    assert_int_equal(h->sub_half, 1024);
    assert_int_equal(kw_hdr_index(h, 0), 0);
    assert_int_equal(kw_hdr_index(h, 2047), 2047);   /* bucket 0: unit resolution */
    assert_int_equal(kw_hdr_index(h, 2048), 2048);   /* bucket 1: steps of 2 */
    assert_int_equal(kw_hdr_index(h, 2049), 2048);
    assert_int_equal(kw_hdr_index(h, 4095), 3071);
    assert_int_equal(kw_hdr_index(h, 4096), 3072);   /* bucket 2: steps of 4 */
    assert_int_equal(kw_hdr_value_from_index(h, 3071), 4094);
    assert_int_equal(kw_hdr_lowest_equiv(h, 4095), 4094);
    assert_int_equal(kw_hdr_highest_equiv(h, 4094), 4095);
    assert_int_equal(kw_hdr_equiv_size(h, 1000000), 512);   /* 1 s: 2^9 us wide */
    assert_int_equal(kw_hdr_lowest_equiv(h, 1000000), 999936);
    assert_int_equal(kw_hdr_median_equiv(h, 1000000), 999936 + 256);
    /* every index maps back to itself, and each range is within 1/1000 of its value */
    for (int32_t i = 0; i < h->len; i++) {
        int64_t v = kw_hdr_value_from_index(h, i);
        assert_int_equal(kw_hdr_index(h, v), i);
        assert_int_equal(kw_hdr_index(h, kw_hdr_highest_equiv(h, v)), i);
        if (v >= 1000) assert_true(kw_hdr_equiv_size(h, v) * 1000 <= v + kw_hdr_equiv_size(h, v) * 2);
    }
    /* the last count covers 1 h */
    assert_true(kw_hdr_highest_equiv(h, kw_hdr_value_from_index(h, h->len - 1)) >= KW_HDR_HIGHEST);
    kw_hdr_free(h);
    /* other layouts: 2 digits from 1000 units, and refused parameters */
    h = kw_hdr_new(1000, INT64_C(3600000000000), 2);
    assert_non_null(h);
    assert_int_equal(h->unit_mag, 9);     /* floor(log2(1000)) */
    assert_int_equal(h->sub_half, 128);   /* 256 sub-buckets for 200 */
    kw_hdr_free(h);
    assert_null(kw_hdr_new(0, 100, 3));
    assert_null(kw_hdr_new(10, 19, 3));
    assert_null(kw_hdr_new(1, 1000, 6));
    assert_null(kw_hdr_new(1, INT64_MAX, 5)); /* more than KW_HDR_MAX_COUNTS */
    assert_null(kw_hdr_new(INT64_MAX / 2 + 1, INT64_MAX, 3)); /* 2 * lowest past INT64_MAX (a fuzzer's find) */
    assert_null(kw_hdr_new(INT64_C(1) << 55, INT64_MAX, 3));  /* 2048 sub-buckets past 2^62 */
    h = kw_hdr_new(INT64_C(1) << 40, INT64_MAX, 3);            /* the widest unit that still fits */
    assert_non_null(h);
    assert_int_equal(h->unit_mag, 40);
    kw_hdr_record(h, INT64_MAX);
    assert_int_equal(kw_hdr_value_at(h, 100), kw_hdr_highest_equiv(h, INT64_MAX));
    kw_hdr_free(h);
}

enum dist { UNIFORM_LOG, UNIFORM_SMALL, LOGNORMAL, BIMODAL, DIST_N };

static int64_t draw(int d)
{
    switch (d) {
    case UNIFORM_LOG: /* log-uniform over the whole range, 1 us .. 1 h */
        return (int64_t)exp(next_unit() * log((double)KW_HDR_HIGHEST));
    case UNIFORM_SMALL: /* 0 .. 5 ms, the unit-resolution range and just above */
        return (int64_t)(next_u64() % 5000);
    case LOGNORMAL: { /* ~ 1 ms median, long tail */
        double u1 = next_unit() + 1e-12, u2 = next_unit();
        double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
        double v = exp(log(1000.0) + 1.5 * z);
        return v > (double)KW_HDR_HIGHEST ? KW_HDR_HIGHEST : (int64_t)v;
    }
    default: /* 99% near 800 us, 1% stalls of 1 .. 2 s */
        return next_u64() % 100 ? 700 + (int64_t)(next_u64() % 200) : 1000000 + (int64_t)(next_u64() % 1000000);
    }
}

/* percentiles in millionths of the whole (990000 = p99) */
static const int64_t ppm[] = {0, 1, 10000, 250000, 500000, 750000, 900000, 950000, 990000, 999000, 999900,
                              999990, 1000000};

static void check_against_oracle(const kw_hdr *h, int64_t *vals, size_t n)
{
    qsort(vals, n, sizeof *vals, cmp_i64);
    assert_int_equal(h->total, n);
    for (size_t k = 0; k < sizeof ppm / sizeof ppm[0]; k++) {
        /* rank: the smallest r with r >= q * n, at least 1 (exact integers) */
        int64_t rank = (ppm[k] * (int64_t)n + 999999) / 1000000;
        if (rank < 1) rank = 1;
        int64_t o = vals[rank - 1];
        double pct = (double)ppm[k] / 10000.0;
        int64_t got = kw_hdr_value_at(h, pct);
        /* the same bucket as the oracle's sample, reported as HdrHistogram does */
        int64_t want = ppm[k] == 0 ? kw_hdr_lowest_equiv(h, o) : kw_hdr_highest_equiv(h, o);
        if (got != want) fail_msg("p%g: got %lld, oracle %lld (want %lld)", pct, (long long)got, (long long)o,
                                  (long long)want);
        /* the stated precision: 3 significant digits */
        int64_t diff = got > o ? got - o : o - got;
        assert_true(diff * 1000 <= o || diff == 0);
    }
    assert_int_equal(kw_hdr_max(h), kw_hdr_highest_equiv(h, vals[n - 1]));
    int64_t min = vals[0];
    assert_int_equal(kw_hdr_min(h), min == 0 ? 0 : kw_hdr_lowest_equiv(h, min));
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (double)vals[i];
    double mean = sum / (double)n;
    assert_true(fabs(kw_hdr_mean(h) - mean) <= mean / 1000.0 + 0.5);
}

static void test_oracle(void **st)
{
    (void)st;
    const size_t n = 200000;
    int64_t *vals = malloc(n * sizeof *vals);
    assert_non_null(vals);
    for (int d = 0; d < DIST_N; d++) {
        kw_hdr *h = kw_hdr_new_default();
        for (size_t i = 0; i < n; i++) {
            vals[i] = draw(d);
            assert_int_equal(kw_hdr_record(h, vals[i]), 0);
        }
        check_against_oracle(h, vals, n);
        kw_hdr_free(h);
    }
    /* small counts: 1, 2, 3, 7 values */
    for (size_t m = 1; m <= 7; m += (m < 3 ? 1 : 4)) {
        kw_hdr *h = kw_hdr_new_default();
        for (size_t i = 0; i < m; i++) {
            vals[i] = draw(UNIFORM_LOG);
            kw_hdr_record(h, vals[i]);
        }
        check_against_oracle(h, vals, m);
        kw_hdr_free(h);
    }
    free(vals);
}

static void test_record_edges(void **st)
{
    (void)st;
    kw_hdr *h = kw_hdr_new_default();
    assert_int_equal(kw_hdr_value_at(h, 50), 0);
    assert_true(kw_hdr_mean(h) == 0.0);
    assert_int_equal(kw_hdr_max(h), 0);
    assert_int_equal(kw_hdr_record(h, -1), KW_ERR_INVALID_ARG);
    assert_int_equal(h->total, 0);
    /* above 1 h: recorded as 1 h and counted */
    assert_int_equal(kw_hdr_record_n(h, KW_HDR_HIGHEST * 2, 3), 0);
    assert_int_equal(h->saturated, 3);
    assert_int_equal(h->total, 3);
    assert_int_equal(kw_hdr_max(h), kw_hdr_highest_equiv(h, KW_HDR_HIGHEST));
    kw_hdr_record(h, 0);
    assert_int_equal(kw_hdr_min(h), 0);
    assert_int_equal(kw_hdr_value_at(h, 0), 0);
    assert_int_equal(kw_hdr_value_at(h, 25), 0); /* rank 1 of 4 */
    kw_hdr_reset(h);
    assert_int_equal(h->total, 0);
    assert_int_equal(h->saturated, 0);
    /* record_n = n records */
    kw_hdr *g = kw_hdr_new_default();
    kw_hdr_record_n(h, 12345, 1000);
    for (int i = 0; i < 1000; i++) kw_hdr_record(g, 12345);
    assert_memory_equal(h->counts, g->counts, (size_t)h->len * sizeof h->counts[0]);
    assert_int_equal(kw_hdr_value_at(h, 100), kw_hdr_highest_equiv(h, 12345));
    kw_hdr_free(g);
    kw_hdr_free(h);
}

static void assert_same(const kw_hdr *a, const kw_hdr *b)
{
    assert_true(kw_hdr_same_layout(a, b));
    assert_int_equal(a->total, b->total);
    assert_memory_equal(a->counts, b->counts, (size_t)a->len * sizeof a->counts[0]);
    assert_int_equal(kw_hdr_max(a), kw_hdr_max(b));
    assert_int_equal(kw_hdr_min(a), kw_hdr_min(b));
    for (size_t k = 0; k < sizeof ppm / sizeof ppm[0]; k++)
        assert_int_equal(kw_hdr_value_at(a, (double)ppm[k] / 10000.0), kw_hdr_value_at(b, (double)ppm[k] / 10000.0));
    assert_true(kw_hdr_mean(a) == kw_hdr_mean(b));
}

static void test_merge(void **st)
{
    (void)st;
    kw_hdr *a = kw_hdr_new_default(), *b = kw_hdr_new_default(), *pooled = kw_hdr_new_default();
    for (int i = 0; i < 100000; i++) {
        int64_t v = draw(i % 2 ? LOGNORMAL : BIMODAL);
        kw_hdr_record(i % 3 ? a : b, v);
        kw_hdr_record(pooled, v);
    }
    kw_hdr *sum = kw_hdr_dup(a);
    assert_int_equal(kw_hdr_add(sum, b), 0);
    assert_same(sum, pooled);
    /* order does not matter, and adding an empty one changes nothing */
    kw_hdr *sum2 = kw_hdr_dup(b), *empty = kw_hdr_new_default();
    kw_hdr_add(sum2, a);
    kw_hdr_add(sum2, empty);
    assert_same(sum2, pooled);
    /* another layout: each bucket lands in the bucket of its value */
    kw_hdr *coarse = kw_hdr_new(1, KW_HDR_HIGHEST, 2);
    kw_hdr_add(coarse, pooled);
    assert_int_equal(coarse->total, pooled->total);
    int64_t p99 = kw_hdr_value_at(coarse, 99), want = kw_hdr_value_at(pooled, 99);
    assert_true(llabs(p99 - want) * 100 <= want);
    kw_hdr_free(coarse);
    kw_hdr_free(empty);
    kw_hdr_free(sum2);
    kw_hdr_free(sum);
    kw_hdr_free(pooled);
    kw_hdr_free(b);
    kw_hdr_free(a);
}

static void test_encode_roundtrip(void **st)
{
    (void)st;
    for (int d = 0; d < DIST_N; d++) {
        kw_hdr *h = kw_hdr_new_default();
        for (int i = 0; i < 50000; i++) kw_hdr_record(h, draw(d));
        kw_hdr_record_n(h, 77, UINT64_C(1) << 40); /* a count needing 6 LEB128 bytes */
        kw_buf b;
        kw_buf_init(&b);
        assert_int_equal(kw_hdr_encode(h, &b), 0);
        assert_int_equal(kw_ld32(b.data), KW_HDR_V2_COMPRESSED_COOKIE);
        assert_int_equal(kw_ld32(b.data + 4), b.len - 8);
        kw_hdr *back = NULL;
        assert_int_equal(kw_hdr_decode(b.data, b.len, &back), 0);
        assert_same(h, back);
        /* the uncompressed header as HdrHistogram writes it */
        uLongf rl = 40 + (uLongf)h->len * 9;
        uint8_t *raw = malloc(rl);
        assert_int_equal(uncompress(raw, &rl, b.data + 8, b.len - 8), Z_OK);
        assert_int_equal(kw_ld32(raw), 0x1c849313);
        assert_int_equal(kw_ld32(raw + 4), rl - 40);
        assert_int_equal(kw_ld32(raw + 8), 0);
        assert_int_equal(kw_ld32(raw + 12), 3);
        assert_int_equal(kw_ld64(raw + 16), 1);
        assert_int_equal(kw_ld64(raw + 24), 3600000000);
        assert_int_equal(kw_ld64(raw + 32), 0x3ff0000000000000); /* 1.0 */
        free(raw);
        kw_hdr_free(back);
        kw_buf_free(&b);
        kw_hdr_free(h);
    }
    /* empty, and a single zero */
    kw_hdr *h = kw_hdr_new_default(), *back = NULL;
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_hdr_encode(h, &b), 0);
    assert_int_equal(kw_hdr_decode(b.data, b.len, &back), 0);
    assert_int_equal(back->total, 0);
    kw_hdr_free(back);
    b.len = 0;
    kw_hdr_record(h, 0);
    kw_hdr_record(h, 2);
    assert_int_equal(kw_hdr_encode(h, &b), 0);
    assert_int_equal(kw_hdr_decode(b.data, b.len, &back), 0);
    assert_same(h, back);
    kw_hdr_free(back);
    /* another layout survives too */
    kw_hdr *o = kw_hdr_new(1000, INT64_C(3600000000000), 2);
    for (int i = 0; i < 1000; i++) kw_hdr_record(o, draw(LOGNORMAL) * 1000);
    b.len = 0;
    assert_int_equal(kw_hdr_encode(o, &b), 0);
    assert_int_equal(kw_hdr_decode(b.data, b.len, &back), 0);
    assert_same(o, back);
    kw_hdr_free(back);
    kw_hdr_free(o);
    kw_buf_free(&b);
    kw_hdr_free(h);
}

/* Hand-made V2 forms: header fields, then payload bytes; compressed as the format says. */
static size_t craft(uint8_t *out, size_t cap, uint32_t cookie, int32_t norm, int32_t digits, int64_t lowest,
                    int64_t highest, const uint8_t *payload, int32_t plen, int32_t claimed_plen)
{
    uint8_t raw[256];
    kw_be32(raw, cookie);
    kw_be32(raw + 4, (uint32_t)claimed_plen);
    kw_be32(raw + 8, (uint32_t)norm);
    kw_be32(raw + 12, (uint32_t)digits);
    kw_be64(raw + 16, (uint64_t)lowest);
    kw_be64(raw + 24, (uint64_t)highest);
    kw_be64(raw + 32, UINT64_C(0x3ff0000000000000));
    memcpy(raw + 40, payload, (size_t)plen);
    uLongf cl = (uLongf)(cap - 8);
    assert_int_equal(compress2(out + 8, &cl, raw, (uLong)(40 + plen), 9), Z_OK);
    kw_be32(out, KW_HDR_V2_COMPRESSED_COOKIE);
    kw_be32(out + 4, (uint32_t)cl);
    return 8 + cl;
}

static void test_decode_hostile(void **st)
{
    (void)st;
    uint8_t buf[512];
    kw_hdr *h = (kw_hdr *)1;
    const uint8_t ok_payload[] = {0x02, 0x05, 0x04}; /* counts 1, run of 3 zeros, 2 */
    size_t n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 3, 1, KW_HDR_HIGHEST, ok_payload, 3, 3);
    assert_int_equal(kw_hdr_decode(buf, n, &h), 0);
    assert_int_equal(h->total, 3);
    assert_int_equal(h->counts[0], 1);
    assert_int_equal(h->counts[4], 2);
    assert_int_equal(kw_hdr_max(h), 4);
    kw_hdr_free(h);
    /* truncated anywhere */
    for (size_t cut = 0; cut < n; cut++) {
        assert_true(kw_hdr_decode(buf, cut, &h) < 0);
        assert_null(h);
    }
    /* the compressed length beyond the input */
    kw_be32(buf + 4, (uint32_t)n);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_TRUNCATED);
    /* other cookies */
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 3, 1, KW_HDR_HIGHEST, ok_payload, 3, 3);
    kw_be32(buf, 0x1c849302); /* V1 compressed */
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_UNSUPPORTED);
    kw_be32(buf, 0x12345678);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_CORRUPT);
    /* inner header: bad cookie, offset, digits, range, layout too long */
    n = craft(buf, sizeof buf, 0x0badf00d, 0, 3, 1, KW_HDR_HIGHEST, ok_payload, 3, 3);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_CORRUPT);
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 5, 3, 1, KW_HDR_HIGHEST, ok_payload, 3, 3);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_UNSUPPORTED);
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 9, 1, KW_HDR_HIGHEST, ok_payload, 3, 3);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_CORRUPT);
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 3, -4, KW_HDR_HIGHEST, ok_payload, 3, 3);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_CORRUPT);
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 5, 1, INT64_MAX, ok_payload, 3, 3);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_TOO_LARGE);
    /* payload length: negative, beyond 9 bytes per count, beyond the stream */
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 3, 1, KW_HDR_HIGHEST, ok_payload, 3, -1);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_CORRUPT);
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 3, 1, KW_HDR_HIGHEST, ok_payload, 3, 23552 * 9 + 1);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_CORRUPT);
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 3, 1, KW_HDR_HIGHEST, ok_payload, 3, 100);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_TRUNCATED);
    /* counts past the layout: a zero run beyond it, a count after it, an unfinished LEB128 */
    const uint8_t run_past[] = {0xff, 0xff, 0x03}; /* zigzag(-32768) = 65535 */
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 3, 1, KW_HDR_HIGHEST, run_past, 3, 3);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_CORRUPT);
    const uint8_t count_past[] = {0xfd, 0xef, 0x02, 0x02}; /* run of 23551 zeros, then two counts */
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 3, 1, KW_HDR_HIGHEST, count_past, 3, 3);
    assert_int_equal(kw_hdr_decode(buf, n, &h), 0); /* the last index is still inside */
    assert_int_equal(h->counts[23551], 0);
    kw_hdr_free(h);
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 3, 1, KW_HDR_HIGHEST, count_past, 4, 4);
    assert_int_equal(kw_hdr_decode(buf, n, &h), 0);
    assert_int_equal(h->counts[23551], 1);
    kw_hdr_free(h);
    const uint8_t count_past2[] = {0xfd, 0xef, 0x02, 0x02, 0x02};
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 3, 1, KW_HDR_HIGHEST, count_past2, 5, 5);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_CORRUPT);
    const uint8_t unfinished[] = {0x02, 0x80};
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 3, 1, KW_HDR_HIGHEST, unfinished, 2, 2);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_CORRUPT);
    /* counts whose sum overflows */
    const uint8_t huge[] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                            0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                            0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    n = craft(buf, sizeof buf, KW_HDR_V2_COOKIE, 0, 3, 1, KW_HDR_HIGHEST, huge, 27, 27);
    assert_int_equal(kw_hdr_decode(buf, n, &h), KW_ERR_CORRUPT);
    /* not zlib at all */
    memset(buf + 8, 0xaa, 40);
    kw_be32(buf + 4, 40);
    assert_int_equal(kw_hdr_decode(buf, 48, &h), KW_ERR_DECOMPRESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_oracle),
        cmocka_unit_test(test_record_edges),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_decode_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
