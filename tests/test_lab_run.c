/* tests/test_lab_run.c — bench/lab_run: a lab run's figures from the clients' statistics
 * (records per batch, batch fill, compression ratio, wire bytes per record, requests
 * added up over the runs of a point, latency quantiles from the histogram, records not
 * received counted as failed), including the empty cases that must not divide by zero. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "bench/lab_run.h"

static void produce_figures(void **st)
{
    (void)st;
    kw_producer_stats s;
    memset(&s, 0, sizeof s);
    s.batches = 4;
    s.batch_records = 1000;
    s.batch_fill_sum = 3.0; /* 75 % on average */
    s.batch_raw_bytes = 92000;
    s.batch_wire_bytes = 23000;
    s.request_bytes = 30000;
    s.requests = 3;
    s.latency_us = kw_hdr_new_default();
    assert_non_null(s.latency_us);
    for (int i = 1; i <= 100; i++) kw_hdr_record(s.latency_us, i * 1000); /* 1 .. 100 ms */
    kw_lab_result r;
    memset(&r, 0, sizeof r);
    r.requests = 2; /* from an earlier run of the point */
    kw_lab_fill_produce(&r, &s, 1000, 7);
    assert_int_equal(r.records, 1000);
    assert_int_equal(r.failed, 7);
    assert_true(r.records_per_batch == 250.0);
    assert_true(r.batch_fill_pct == 75.0);
    assert_true(r.compression_ratio == 4.0);
    assert_true(r.wire_bytes_per_record == 30.0);
    assert_int_equal(r.requests, 5);
    assert_true(r.p50_ms > 49.0 && r.p50_ms < 51.0);
    assert_true(r.max_ms > 99.0 && r.max_ms < 101.0);
    /* nothing sent: no division by zero, ratio 1 */
    kw_producer_stats z;
    memset(&z, 0, sizeof z);
    z.latency_us = kw_hdr_new_default();
    memset(&r, 0, sizeof r);
    kw_lab_fill_produce(&r, &z, 0, 0);
    assert_true(r.records_per_batch == 0 && r.batch_fill_pct == 0 && r.wire_bytes_per_record == 0);
    assert_true(r.compression_ratio == 1.0);
    kw_hdr_free(z.latency_us);
    kw_hdr_free(s.latency_us);
}

static void consume_figures(void **st)
{
    (void)st;
    kw_consumer_stats s;
    memset(&s, 0, sizeof s);
    s.fetches = 12;
    s.empty_fetches = 2;
    s.records = 5000;
    s.bytes = 600000;
    s.polls = 30;
    s.empty_polls = 5;
    s.part_over_first_batch = 1;
    s.fetch_over_first_batch = 2;
    kw_hist_init(&s.fetch_records_bytes);
    kw_hist_record(&s.fetch_records_bytes, 1000);
    kw_hist_record(&s.fetch_records_bytes, 3000);
    s.fetch_hold_us = kw_hdr_new_default();
    kw_hdr_record(s.fetch_hold_us, 500000); /* 500 ms */
    kw_lab_result r;
    memset(&r, 0, sizeof r);
    kw_lab_fill_consume(&r, &s, 6000, 5000);
    assert_int_equal(r.records, 6000);
    assert_int_equal(r.failed, 1000); /* asked for 6000, got 5000 */
    assert_true(r.records_per_batch == 500.0); /* per non-empty fetch */
    assert_true(r.wire_bytes_per_record == 120.0);
    assert_int_equal(r.requests, 12);
    assert_int_equal(r.empty_fetches, 2);
    assert_true(r.compression_ratio == 1.0);
    assert_true(r.bytes_per_fetch == 2000.0);
    assert_true(r.records_per_poll == 200.0);
    assert_int_equal(r.over_limit_first_batch, 3);
    assert_true(r.p50_ms > 499.0 && r.p50_ms < 501.0);
    /* all received: nothing failed */
    memset(&r, 0, sizeof r);
    kw_lab_fill_consume(&r, &s, 5000, 5000);
    assert_int_equal(r.failed, 0);
    /* nothing fetched */
    kw_consumer_stats z;
    memset(&z, 0, sizeof z);
    z.fetch_hold_us = s.fetch_hold_us;
    memset(&r, 0, sizeof r);
    kw_lab_fill_consume(&r, &z, 10, 0);
    assert_int_equal(r.failed, 10);
    assert_true(r.records_per_batch == 0 && r.wire_bytes_per_record == 0 && r.records_per_poll == 0);
    kw_hdr_free(s.fetch_hold_us);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(produce_figures),
        cmocka_unit_test(consume_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
