/* tests/test_perf.c — bench/perf: the byte-level figures of a produce run from the
 * producer's statistics (per-record wire cost split into payload, framing, request
 * framing and compression saving; batching; round trips), the view printed from them in
 * both its forms (compressed below the payload, or payload plus overhead), and the Kafka
 * tool's sampled percentiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/perf.h"
#include "client/core/hdr.h"
#include "client/produce/accum.h"

static kw_producer_stats stats(uint64_t raw, uint64_t wire)
{
    kw_producer_stats s;
    memset(&s, 0, sizeof s);
    s.requests = 10;
    s.request_batches = 20;
    s.request_errors = 1;
    s.batches = 20;
    s.batch_records = 1000;
    s.batch_fill_sum = 10.0;
    s.batch_raw_bytes = raw;
    s.batch_wire_bytes = wire;
    s.sealed[KW_SEAL_FULL] = 12;
    s.sealed[KW_SEAL_LINGER] = 7;
    s.sealed[KW_SEAL_FLUSH] = 1;
    s.rtt_sum_us = 25000;
    s.rtt_max_us = 7000;
    kw_hist_init(&s.batch_records_hist);
    for (int i = 0; i < 20; i++) kw_hist_record(&s.batch_records_hist, 50);
    return s;
}

static void figures(void **st)
{
    (void)st;
    /* 1000 records of 92 bytes: 100000 raw batch bytes (8 of framing each), compressed
     * to 40000, in 43000 request bytes (3 of request framing each) */
    kw_producer_stats s = stats(100000, 40000);
    kw_perf_bytes b;
    kw_perf_produce_bytes(&s, 1000, 92, 43000, &b);
    assert_true(b.batches_per_request == 2.0);
    assert_true(b.records_per_batch == 50.0);
    assert_int_equal(b.rpb_max, 50);
    assert_true(b.fill_pct == 50.0);
    assert_true(b.avg_batch_bytes == 5000.0);
    assert_true(b.ratio == 2.5);
    assert_true(b.wire == 43.0);
    assert_true(b.framing == 8.0);
    assert_true(b.req_framing == 3.0);
    assert_true(b.saved == 60.0);
    /* payload + framing + request framing - saving = wire */
    assert_true(92 + b.framing + b.req_framing - b.saved == b.wire);
    assert_true(b.rtt_avg_ms == 2.5 && b.rtt_max_ms == 7.0);
    /* nothing sent: no division by zero */
    kw_producer_stats z;
    memset(&z, 0, sizeof z);
    kw_perf_produce_bytes(&z, 0, 92, 0, &b);
    assert_true(b.records_per_batch == 0 && b.fill_pct == 0 && b.ratio == 1 && b.wire == 0 && b.rtt_avg_ms == 0);
}

static char *view(const kw_producer_stats *s, uint64_t req_bytes)
{
    kw_perf_bytes b;
    kw_perf_produce_bytes(s, 1000, 92, req_bytes, &b);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    kw_perf_produce_view(f, "t1", 92, "lz4", 16384, s, &b);
    fclose(f);
    return text;
}

static void view_text(void **st)
{
    (void)st;
    kw_producer_stats s = stats(100000, 40000);
    char *t = view(&s, 43000);
    assert_non_null(strstr(t, "\nbyte-level view (t1, 92-byte records, compression.type=lz4, batch.size=16384):\n"));
    assert_non_null(strstr(t, "  requests          10 (2.00 batches each, 1 errors), RTT avg 2.500 ms, max 7.000 ms\n"));
    assert_non_null(strstr(t, "  batches           20, records per batch avg 50.00, p50 50, max 50\n"));
    assert_non_null(strstr(t, "  batch fill        50.0% of batch.size (avg uncompressed batch 5000 bytes)\n"));
    assert_non_null(strstr(t, "  sealed by         full 12, linger 7, flush 1\n"));
    assert_non_null(strstr(t, "  batch bytes       100000 before compression, 40000 after, ratio 2.500\n"));
    assert_non_null(strstr(t, "  wire per record   43.00 bytes of Produce requests for a 92-byte payload (49.00 below it)\n"));
    assert_non_null(strstr(t, "(record and batch framing 8.00 + request framing 3.00 - compression saving 60.00)\n"));
    free(t);
    /* uncompressed: payload plus overhead */
    s = stats(100000, 100000);
    t = view(&s, 103000);
    assert_non_null(strstr(t, "  wire per record   103.00 bytes of Produce requests = payload 92 + protocol overhead 11.00\n"));
    free(t);
}

static void percentiles(void **st)
{
    (void)st;
    int32_t v[100];
    for (int i = 0; i < 100; i++) v[i] = 100 - i; /* 100 .. 1 */
    kw_perf_sort_samples(v, 100);
    assert_int_equal(v[0], 1);
    assert_int_equal(kw_perf_sample_q(v, 100, 0.5), 51);   /* index 50 */
    assert_int_equal(kw_perf_sample_q(v, 100, 0.99), 100); /* index 99 */
    assert_int_equal(kw_perf_sample_q(v, 100, 0.999), 100);
    assert_int_equal(kw_perf_sample_q(v, 1, 0.5), 1);
    assert_int_equal(kw_perf_sample_q(v, 0, 0.5), 0);
}

static void consume_view_and_json(void **st)
{
    (void)st;
    kw_consumer_stats s;
    memset(&s, 0, sizeof s);
    s.fetches = 10;
    s.empty_fetches = 2;
    s.bytes = 80000;
    s.records = 800;
    s.polls = 9;
    s.empty_polls = 1;
    s.part_limit = 1048576;
    s.fetch_limit = 52428800;
    s.part_over_limit = 2;
    s.part_over_first_batch = 1;
    kw_hist_init(&s.fetch_bytes);
    kw_hist_init(&s.fetch_records);
    kw_hist_init(&s.poll_records);
    kw_hist_init(&s.part_records_bytes);
    kw_hist_init(&s.fetch_records_bytes);
    kw_hist_record(&s.part_records_bytes, 2000000);
    s.fetch_hold_us = kw_hdr_new_default();
    kw_hdr_record(s.fetch_hold_us, 250000);
    char *t = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&t, &len);
    kw_perf_consume_view(f, "t1", &s);
    fclose(f);
    assert_non_null(strstr(t, "\nper-fetch view (t1):\n"));
    assert_non_null(strstr(t, "  fetches           10 (2 empty, 0 errors), 80000 response bytes, 100.00 bytes per record\n"));
    assert_non_null(strstr(t, "max.partition.fetch.bytes 1048576: 2 above it (1 of them one whole first batch larger than the limit)\n"));
    assert_non_null(strstr(t, "fetch.max.bytes 52428800: 0 above it\n"));
    free(t);
    f = open_memstream(&t, &len);
    fputc('{', f);
    kw_perf_consume_json(f, &s);
    fputc('}', f);
    fclose(f);
    assert_non_null(strstr(t, "{,\"fetches\":10,\"empty_fetches\":2,"));
    assert_non_null(strstr(t, "\"bytes_per_fetch\":10000.00,\"records_per_fetch\":100.000,\"wire_bytes_per_record\":100.000"));
    assert_non_null(strstr(t, "\"partition_sets_over_limit\":2,"));
    assert_non_null(strstr(t, "\"partial_batches\":0}"));
    free(t);
    kw_hdr_free(s.fetch_hold_us);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figures),
        cmocka_unit_test(view_text),
        cmocka_unit_test(percentiles),
        cmocka_unit_test(consume_view_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
