/*
 * tests/test_latency.c — bench/latency: the send schedule, response/service/send-delay
 * from a record's times, windows closed into totals and written as interval log lines
 * that read back to the same histograms (and merge to the totals), the summary table
 * and its JSON form. A synthetic stall shows the coordinated-omission arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/hlog.h"
#include "bench/latency.h"

static const char *const tags3[] = {KW_LAT_TAG_RESPONSE, KW_LAT_TAG_SERVICE, KW_LAT_TAG_DELAY};

static void test_pace(void **st)
{
    (void)st;
    kw_pace p = {1000000, 4000.0};
    assert_int_equal(kw_pace_due(&p, 0), 1000000);
    assert_int_equal(kw_pace_due(&p, 1), 1000250);
    assert_int_equal(kw_pace_due(&p, 4000), 2000000);
    kw_pace q = {0, 3.0};
    assert_int_equal(kw_pace_due(&q, 1), 333333);
    assert_int_equal(kw_pace_due(&q, 3000000), INT64_C(1000000000000)); /* no drift over a long run */
}

/*
 * A sender paced at 1000/s whose sends block for 1 s at record 5000 (a full buffer, a
 * synchronous client): the records due during the stall go out late, back to back, and
 * each is answered 1 ms after its actual send. Service time never sees the stall;
 * response time and send delay do, for the ~1000 records due during it.
 */
static void simulate(kw_lat *l)
{
    int64_t t = 0; /* the sender's clock, us */
    for (long i = 0; i < 20000; i++) {
        int64_t due = i * 1000;
        if (t < due) t = due;
        if (i == 5000) t += 1000000;  /* this send blocks 1 s */
        int64_t send = t;
        t += 1;                       /* a send takes 1 us */
        kw_lat_record_paced(l, due, send, send + 1000);
    }
}

static void test_paced_figures(void **st)
{
    (void)st;
    kw_lat l;
    assert_int_equal(kw_lat_init(&l, 3, tags3, 0), 0);
    simulate(&l);
    assert_int_equal(kw_lat_window_count(&l), 60000);
    kw_lat_window_end(&l, 20000000, NULL);
    assert_int_equal(kw_lat_window_count(&l), 0);
    const kw_hdr *resp = l.total[KW_LAT_RESPONSE], *serv = l.total[KW_LAT_SERVICE], *dly = l.total[KW_LAT_DELAY];
    assert_int_equal(resp->total, 20000);
    /* service: 1 ms for every record */
    assert_int_equal(kw_hdr_value_at(serv, 99.99), 1000);
    assert_int_equal(kw_hdr_max(serv), 1000);
    /* response: the 1000 records due during the stall waited 1 s down to ~0 on top of their
       1 ms: p90 (rank 18000) is the 1 ms of the rest, p99 (rank 19800) the 200th-worst, ~800
       ms, the max 1 s + 1 ms */
    assert_true(kw_hdr_value_at(resp, 90) <= 1100);
    int64_t p99 = kw_hdr_value_at(resp, 99);
    assert_true(p99 > 790000 && p99 < 810000);
    assert_true(kw_hdr_max(resp) >= 1001000 && kw_hdr_max(resp) < 1003000);
    /* send delay = response - service, record by record */
    assert_true(kw_hdr_max(dly) >= 1000000 && kw_hdr_max(dly) < 1002000);
    assert_true(kw_hdr_value_at(dly, 90) <= 100);
    kw_lat_free(&l);
    /* negative times (clock jitter) count as 0 */
    assert_int_equal(kw_lat_init(&l, 1, tags3 + 1, 0), 0);
    kw_lat_record(&l, 0, -5);
    assert_int_equal(l.win[0]->total, 1);
    assert_int_equal(l.win[0]->counts[0], 1);
    kw_lat_free(&l);
    assert_int_equal(kw_lat_init(&l, 0, tags3, 0), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_lat_init(&l, KW_LAT_MAX_SERIES + 1, tags3, 0), KW_ERR_INVALID_ARG);
}

static void test_windows_and_log(void **st)
{
    (void)st;
    kw_lat l;
    int64_t t0 = 5000000;
    assert_int_equal(kw_lat_init(&l, 3, tags3, t0), 0);
    kw_buf log;
    kw_buf_init(&log);
    kw_hlog_header(&log, INT64_C(1763783731000), "test");
    /* three windows of 1 s with different loads */
    for (int w = 0; w < 3; w++) {
        for (int i = 0; i < 1000 * (w + 1); i++) {
            int64_t due = t0 + w * 1000000 + i * 100;
            kw_lat_record_paced(&l, due, due + (i % 7) * 10, due + 500 + (i % 13) * 100 + w * 1000);
        }
        if (w == 1) {
            kw_buf line;
            kw_buf_init(&line);
            kw_lat_window_line(&l, &line);
            kw_buf_put(&line, "", 1);
            assert_non_null(strstr((char *)line.data, "  corrected, this window (ms): response p50 "));
            assert_non_null(strstr((char *)line.data, " | service p50 "));
            assert_non_null(strstr((char *)line.data, " | send-delay p50 0.030 p99 0.060 max 0.060\n"));
            kw_buf_free(&line);
        }
        assert_int_equal(kw_lat_window_end(&l, t0 + (w + 1) * 1000000, &log), 0);
    }
    assert_int_equal(l.total[0]->total, 6000);
    /* the log: 9 interval lines that read back to windows summing to the totals */
    kw_hlog_merged m = {0};
    char err[200];
    assert_int_equal(kw_hlog_merge_text(&m, (const char *)log.data, log.len, err, sizeof err), 0);
    assert_int_equal(m.n, 3);
    for (int s = 0; s < 3; s++) {
        assert_string_equal(m.tags[s], tags3[s]);
        assert_int_equal(m.intervals[s], 3);
        assert_int_equal(m.h[s]->total, l.total[s]->total);
        assert_memory_equal(m.h[s]->counts, l.total[s]->counts, (size_t)m.h[s]->len * sizeof m.h[s]->counts[0]);
    }
    assert_true(m.first_start > 1763783731.0 - 1e-6 && m.first_start < 1763783731.0 + 1e-6);
    assert_true(m.last_end > 1763783734.0 - 1e-6 && m.last_end < 1763783734.0 + 1e-6);
    /* the interval times: seconds from t0 */
    kw_buf_put(&log, "", 1);
    assert_non_null(strstr((char *)log.data, "\nTag=send-delay,2.000,1.000,"));
    /* the summary of the merged log is the summary of the totals */
    kw_buf a, b;
    kw_buf_init(&a);
    kw_buf_init(&b);
    assert_int_equal(kw_lat_summary(&a, tags3, (const kw_hdr *const *)l.total, 3), 0);
    assert_int_equal(kw_lat_summary(&b, tags3, (const kw_hdr *const *)m.h, 3), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    kw_buf_free(&a);
    kw_buf_free(&b);
    kw_hlog_merged_free(&m);
    kw_buf_free(&log);
    kw_lat_free(&l);
}

static void test_summary_format(void **st)
{
    (void)st;
    kw_hdr *h = kw_hdr_new_default(), *e = kw_hdr_new_default();
    for (int v = 1; v <= 1000; v++) kw_hdr_record(h, v * 10);
    kw_hdr_record(h, KW_HDR_HIGHEST + 5); /* saturated */
    const char *const labels[] = {"response", "empty"};
    const kw_hdr *const hs[] = {h, e};
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_lat_summary(&b, labels, hs, 2), 0);
    kw_buf_put(&b, "", 1);
    /* ranks 501, 951, 991 and 1000 of 1001: 5010 us in 5008 .. 5011 (2048 .. 4095 * 2: steps of 4),
       9510 in 9504 .. 9511, 9910 in 9904 .. 9911, 10000 in 10000 .. 10007 (steps of 8); p99.99
       and max the saturated 1 h: 3,600,000,000 us falls in 3,598,712,832 .. 3,600,809,983, whose
       median 3,599,761,408 makes the mean (5,005,000 + 3,599,761,408) / 1001 us */
    const char *want =
        "latency (ms)        count       mean        p50        p95        p99      p99.9     p99.99        max\n"
        "response             1001   3601.166      5.011      9.511      9.911     10.007 3600809.983 3600809.983\n"
        "empty                   0      0.000      0.000      0.000      0.000      0.000      0.000      0.000\n"
        "response: 1 values above 3600 s recorded as 3600 s\n";
    if (strcmp((char *)b.data, want)) fail_msg("summary:\n%s", (char *)b.data);
    b.len = 0;
    assert_int_equal(kw_lat_json(&b, e), 0);
    kw_buf_put(&b, "", 1);
    assert_string_equal((char *)b.data, "{\"count\":0,\"mean\":0.000,\"p50\":0.000,\"p95\":0.000,\"p99\":0.000,"
                                        "\"p999\":0.000,\"p9999\":0.000,\"max\":0.000}");
    kw_buf_free(&b);
    kw_hdr_free(h);
    kw_hdr_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pace),
        cmocka_unit_test(test_paced_figures),
        cmocka_unit_test(test_windows_and_log),
        cmocka_unit_test(test_summary_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
