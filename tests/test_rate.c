/* tests/test_rate.c — client/rate: windowed rates, thresholds, the log-linear histogram. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/rate.h"

static void test_rate_window(void **st)
{
    (void)st;
    kw_rate r;
    kw_rate_init(&r, 5000);
    assert_true(kw_rate_per_sec(&r) == 0.0);
    assert_int_equal(kw_rate_add(&r, 1000, 0), 0);
    assert_true(kw_rate_per_sec(&r) == 0.0); /* one sample */
    /* 2000 msgs/s for 10 s, then 6000 msgs/s for 10 s */
    int64_t c = 0;
    for (int s = 2; s <= 11; s++) { c += 2000; assert_int_equal(kw_rate_add(&r, s * 1000, c), 0); }
    assert_true(fabs(kw_rate_per_sec(&r) - 2000.0) < 1e-9);
    assert_int_equal(r.n, 6); /* 5 s window at 1 sample/s: 6 samples */
    for (int s = 12; s <= 14; s++) { c += 6000; kw_rate_add(&r, s * 1000, c); }
    /* window 9..14 s: 2 s at 2000 + 3 s at 6000 = 22000 over 5 s */
    assert_true(fabs(kw_rate_per_sec(&r) - 4400.0) < 1e-9);
    for (int s = 15; s <= 21; s++) { c += 6000; kw_rate_add(&r, s * 1000, c); }
    assert_true(fabs(kw_rate_per_sec(&r) - 6000.0) < 1e-9);
    /* out-of-order sample refused */
    assert_int_equal(kw_rate_add(&r, 21000, c), KW_ERR_INVALID_ARG);
}

static void test_rate_counter_reset(void **st)
{
    (void)st;
    kw_rate r;
    kw_rate_init(&r, 10000);
    kw_rate_add(&r, 0, 1000);
    kw_rate_add(&r, 1000, 2000);  /* +1000 */
    kw_rate_add(&r, 2000, 500);   /* restarted: +500 */
    kw_rate_add(&r, 3000, 1500);  /* +1000 */
    assert_true(fabs(kw_rate_per_sec(&r) - 2500.0 / 3.0) < 1e-9);
}

static void test_rate_ring_overflow(void **st)
{
    (void)st;
    kw_rate r;
    kw_rate_init(&r, 1000000);
    for (int i = 0; i < 3 * KW_RATE_MAX_SAMPLES; i++) kw_rate_add(&r, i * 10, (int64_t)i * 7);
    assert_int_equal(r.n, KW_RATE_MAX_SAMPLES);
    assert_true(fabs(kw_rate_per_sec(&r) - 700.0) < 1e-9); /* 7 per 10 ms */
}

static void test_classify_and_format(void **st)
{
    (void)st;
    assert_int_equal(kw_rate_classify(5000.1, KW_RATE_LAB_HIGH, KW_RATE_LAB_LOW), KW_RATE_HIGH);
    assert_int_equal(kw_rate_classify(5000.0, KW_RATE_LAB_HIGH, KW_RATE_LAB_LOW), KW_RATE_NORMAL);
    assert_int_equal(kw_rate_classify(1000.0, KW_RATE_LAB_HIGH, KW_RATE_LAB_LOW), KW_RATE_NORMAL);
    assert_int_equal(kw_rate_classify(999.9, KW_RATE_LAB_HIGH, KW_RATE_LAB_LOW), KW_RATE_LOW);
    assert_string_equal(kw_rate_class_name(KW_RATE_HIGH), "high");
    assert_string_equal(kw_rate_class_name(KW_RATE_LOW), "low");
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_rate_format(&b, 1234.56, KW_RATE_LAB_HIGH, KW_RATE_LAB_LOW), 0);
    kw_buf_put(&b, "", 1);
    assert_string_equal((const char *)b.data, "Message rate: 1234.6 msgs/s (normal; high > 5000, low < 1000)\n");
    kw_buf_free(&b);
}

static void test_hist_buckets(void **st)
{
    (void)st;
    for (uint64_t v = 0; v < 64; v++) assert_int_equal(kw_hist_bucket(v), v);
    assert_int_equal(kw_hist_bucket(64), 64);
    assert_int_equal(kw_hist_bucket(127), 127);
    assert_int_equal(kw_hist_bucket(128), 128);
    assert_int_equal(kw_hist_bucket(129), 128);
    assert_int_equal(kw_hist_bucket(KW_HIST_MAX), KW_HIST_BUCKETS - 1);
    assert_int_equal(kw_hist_bucket(UINT64_MAX), KW_HIST_BUCKETS - 1);
    /* ranges tile the value space without gaps, each at most 1/64 of its low end wide */
    uint64_t prev_hi = 0;
    for (size_t i = 0; i < KW_HIST_BUCKETS; i++) {
        uint64_t lo, hi;
        kw_hist_bucket_range(i, &lo, &hi);
        if (i) assert_int_equal(lo, prev_hi + 1);
        assert_int_equal(kw_hist_bucket(lo), i);
        assert_int_equal(kw_hist_bucket(hi), i);
        if (lo >= 64) assert_true((hi - lo + 1) * 64 <= lo);
        prev_hi = hi;
    }
    assert_int_equal(prev_hi, KW_HIST_MAX);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void test_hist_percentiles_within_1pct(void **st)
{
    (void)st;
    enum { N = 100000 };
    uint64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    kw_hist *h = malloc(sizeof *h);
    assert_non_null(h);
    kw_hist_init(h);
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < N; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        /* log-uniform-ish latencies from 1 µs to ~1 s */
        v[i] = (x % 1000) * (1u << (x >> 60 & 0x0f)) + 1;
        kw_hist_record(h, v[i]);
    }
    qsort(v, N, sizeof *v, cmp_u64);
    const double qs[] = {0.5, 0.9, 0.95, 0.99, 0.999};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        uint64_t exact = v[(size_t)ceil(qs[i] * N) - 1];
        uint64_t got = kw_hist_quantile(h, qs[i]);
        double err = fabs((double)got - (double)exact) / (double)exact;
        assert_true(err <= 0.01);
    }
    assert_int_equal(kw_hist_quantile(h, 0.0), v[0]);
    assert_int_equal(kw_hist_quantile(h, 1.0), v[N - 1]);
    assert_int_equal(h->count, N);
    free(v);
    free(h);
}

static void test_hist_merge_clamp_format(void **st)
{
    (void)st;
    kw_hist *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    kw_hist_init(a);
    kw_hist_init(b);
    assert_int_equal(kw_hist_quantile(a, 0.5), 0);
    for (uint64_t i = 1; i <= 50; i++) kw_hist_record(a, i);
    for (uint64_t i = 51; i <= 100; i++) kw_hist_record(b, i);
    kw_hist_record_n(b, UINT64_MAX, 0); /* n = 0 records nothing */
    kw_hist_merge(a, b);
    assert_int_equal(a->count, 100);
    assert_int_equal(a->min, 1);
    assert_int_equal(a->max, 100);
    assert_int_equal(kw_hist_quantile(a, 0.5), 50);       /* exact bucket */
    assert_in_range(kw_hist_quantile(a, 0.99), 98, 100); /* 99 within a 2-wide bucket */
    assert_true(fabs(kw_hist_mean(a) - 50.5) < 1e-9);
    kw_buf out;
    kw_buf_init(&out);
    assert_int_equal(kw_hist_format(a, "us", &out), 0);
    kw_buf_put(&out, "", 1);
    assert_string_equal((const char *)out.data,
                        "n=100 min=1 p50=50 p95=95 p99=99 p999=100 max=100 mean=50.5 us\n");
    kw_buf_free(&out);
    kw_hist_record(b, UINT64_MAX);
    assert_int_equal(b->clamped, 1);
    assert_int_equal(b->max, KW_HIST_MAX);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_window),
        cmocka_unit_test(test_rate_counter_reset),
        cmocka_unit_test(test_rate_ring_overflow),
        cmocka_unit_test(test_classify_and_format),
        cmocka_unit_test(test_hist_buckets),
        cmocka_unit_test(test_hist_percentiles_within_1pct),
        cmocka_unit_test(test_hist_merge_clamp_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
