/*
 * tests/test_hlog.c — bench/hlog: base64 (RFC 4648 vectors, bad input), interval logs
 * written then read back (header times, tags, histograms equal), HdrHistogram's rules
 * for logs without a BaseTime, CRLF lines, and faults reported with their line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/hlog.h"

static void test_base64(void **st)
{
    (void)st;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        kw_buf b;
        kw_buf_init(&b);
        assert_int_equal(kw_base64_encode(&b, (const uint8_t *)plain[i], strlen(plain[i])), 0);
        assert_int_equal(b.len, strlen(enc[i]));
        assert_memory_equal(b.data ? (const char *)b.data : "", enc[i], b.len);
        b.len = 0;
        assert_int_equal(kw_base64_decode(&b, enc[i], strlen(enc[i])), 0);
        assert_int_equal(b.len, strlen(plain[i]));
        if (b.len) assert_memory_equal(b.data, plain[i], b.len);
        kw_buf_free(&b);
    }
    /* every byte value through */
    uint8_t all[256];
    for (int i = 0; i < 256; i++) all[i] = (uint8_t)i;
    kw_buf e, d;
    kw_buf_init(&e);
    kw_buf_init(&d);
    kw_base64_encode(&e, all, sizeof all);
    assert_int_equal(kw_base64_decode(&d, (const char *)e.data, e.len), 0);
    assert_int_equal(d.len, 256);
    assert_memory_equal(d.data, all, 256);
    static const char *const bad[] = {"Zg=", "Zm9v!A==", "Z===", "Zg==Zg==", "=AAA", "Zm9vYg=a"};
    for (int i = 0; i < 6; i++) {
        d.len = 0;
        assert_int_equal(kw_base64_decode(&d, bad[i], strlen(bad[i])), KW_ERR_CORRUPT);
    }
    kw_buf_free(&e);
    kw_buf_free(&d);
}

static kw_hdr *filled(int seed, int n)
{
    kw_hdr *h = kw_hdr_new_default();
    uint32_t x = (uint32_t)seed * 2654435761u + 1;
    for (int i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        kw_hdr_record(h, x % 100000 + (x % 97 == 0 ? 2000000 : 0));
    }
    return h;
}

static void test_write_read(void **st)
{
    (void)st;
    kw_buf log;
    kw_buf_init(&log);
    int64_t start_ms = INT64_C(1763783731123);
    assert_int_equal(kw_hlog_header(&log, start_ms, "kwire bench produce: values in microseconds"), 0);
    kw_hdr *h[3] = {filled(1, 5000), filled(2, 3000), kw_hdr_new_default()};
    assert_int_equal(kw_hlog_interval(&log, "response", 0.0, 5.0, h[0], 1000.0), 0);
    assert_int_equal(kw_hlog_interval(&log, "service", 0.0, 5.0, h[1], 1000.0), 0);
    assert_int_equal(kw_hlog_interval(&log, NULL, 5.0, 1.25, h[2], 1000.0), 0);
    assert_int_equal(kw_hlog_interval(&log, "bad tag", 0, 1, h[2], 1000.0), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_hlog_interval(&log, "a,b", 0, 1, h[2], 1000.0), KW_ERR_INVALID_ARG);
    kw_buf_put(&log, "", 1);
    const char *text = (const char *)log.data;
    /* the lines HdrHistogram's reader looks for */
    assert_non_null(strstr(text, "#[kwire bench produce: values in microseconds]\n#[Histogram log format version 1.3]\n"));
    assert_non_null(strstr(text, "#[StartTime: 1763783731.123 (seconds since epoch), "));
    assert_non_null(strstr(text, "\n#[BaseTime: 1763783731.123 (seconds since epoch)]\n"));
    assert_non_null(strstr(text, "\n\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"));
    char want[64];
    snprintf(want, sizeof want, "\nTag=response,0.000,5.000,%.3f,HISTF", (double)kw_hdr_max(h[0]) / 1000.0);
    assert_non_null(strstr(text, want));
    assert_non_null(strstr(text, "\n5.000,1.250,0.000,HISTF")); /* untagged, empty */

    kw_hlog_reader r;
    kw_hlog_reader_init(&r, text, log.len - 1);
    kw_hlog_entry e;
    const char *tags[] = {"response", "service", ""};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(kw_hlog_next(&r, &e), 1);
        assert_string_equal(e.tag, tags[i]);
        assert_true(kw_hdr_same_layout(e.h, h[i]));
        assert_int_equal(e.h->total, h[i]->total);
        assert_memory_equal(e.h->counts, h[i]->counts, (size_t)h[i]->len * sizeof h[i]->counts[0]);
        assert_int_equal(kw_hdr_max(e.h), kw_hdr_max(h[i]));
        assert_true(fabs(e.abs_start - (1763783731.123 + (i == 2 ? 5.0 : 0.0))) < 1e-6);
        kw_hdr_free(e.h);
    }
    assert_true(fabs(r.start_time - 1763783731.123) < 1e-9 && r.has_base);
    assert_int_equal(kw_hlog_next(&r, &e), 0);
    for (int i = 0; i < 3; i++) kw_hdr_free(h[i]);
    kw_buf_free(&log);
}

/* A log as another writer may have it: no BaseTime (absolute times), CRLF, blank lines. */
static void test_foreign_forms(void **st)
{
    (void)st;
    kw_hdr *h = filled(3, 100);
    kw_buf line;
    kw_buf_init(&line);
    const char *h1 = "#[StartTime: 1000.000 (seconds since epoch), x]\r\n\r\n";
    kw_buf_put(&line, h1, strlen(h1));
    kw_hlog_interval(&line, "t", 1001.5, 1.0, h, 1.0);
    line.len--; /* the \n */
    kw_buf_put(&line, "\r\n", 2);
    kw_hlog_interval(&line, NULL, 3.25, 1.0, h, 1.0);
    kw_hlog_reader r;
    kw_hlog_reader_init(&r, (const char *)line.data, line.len);
    kw_hlog_entry e;
    assert_int_equal(kw_hlog_next(&r, &e), 1);
    assert_string_equal(e.tag, "t");
    assert_true(fabs(e.abs_start - 1001.5) < 1e-9); /* within a year of StartTime: absolute */
    assert_int_equal(e.h->total, 100);
    kw_hdr_free(e.h);
    assert_int_equal(kw_hlog_next(&r, &e), 1);
    assert_true(fabs(e.abs_start - 3.25) < 1e-9);   /* the base was settled by the first line */
    kw_hdr_free(e.h);
    assert_int_equal(kw_hlog_next(&r, &e), 0);
    /* relative times: the first one more than a year before StartTime */
    line.len = 0;
    const char *h2 = "#[StartTime: 1763783731.000 (seconds since epoch), x]\n";
    kw_buf_put(&line, h2, strlen(h2));
    kw_hlog_interval(&line, NULL, 2.0, 1.0, h, 1.0);
    kw_hlog_reader_init(&r, (const char *)line.data, line.len);
    assert_int_equal(kw_hlog_next(&r, &e), 1);
    assert_true(fabs(e.abs_start - 1763783733.0) < 1e-6);
    kw_hdr_free(e.h);
    kw_buf_free(&line);
    kw_hdr_free(h);
}

static void test_faults(void **st)
{
    (void)st;
    static const struct { const char *text; int rc; const char *msg; } cases[] = {
        {"#c\n1.0,2.0,x,HISTFAAAA\n", KW_ERR_CORRUPT, "line 2: Interval_Max is not a number"},
        {"1.0,2.0\n", KW_ERR_CORRUPT, "line 1: Interval_Length is not a number"},
        {"Tag=a\n", KW_ERR_CORRUPT, "line 1: a Tag= with no fields"},
        {"1,2,3,HIST!AAA\n", KW_ERR_CORRUPT, "line 1: the histogram is not base64"},
        {"\n\n1,2,3,QUJD\n", KW_ERR_TRUNCATED, "line 3: histogram: "},
        {"1,2,3,HISTFAAAAAAAAAAA\n", KW_ERR_TRUNCATED, "line 1: histogram"},
        {"1,2,3,AAAAAAAAAAAA\n", KW_ERR_CORRUPT, "line 1: histogram: malformed input"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kw_hlog_reader r;
        kw_hlog_reader_init(&r, cases[i].text, strlen(cases[i].text));
        kw_hlog_entry e;
        int rc = kw_hlog_next(&r, &e);
        if (rc != cases[i].rc || strncmp(r.err, cases[i].msg, strlen(cases[i].msg)))
            fail_msg("case %zu: rc %d err '%s'", i, rc, r.err);
        assert_null(e.h);
    }
    char longtag[300] = "Tag=";
    memset(longtag + 4, 'x', 200);
    strcpy(longtag + 204, ",1,2,3,AAAA\n");
    kw_hlog_reader r;
    kw_hlog_reader_init(&r, longtag, strlen(longtag));
    kw_hlog_entry e;
    assert_int_equal(kw_hlog_next(&r, &e), KW_ERR_TOO_LARGE);
}

static void test_merge_logs(void **st)
{
    (void)st;
    kw_hdr *a = filled(4, 1000), *b = filled(5, 2000), *c = filled(6, 500);
    kw_buf l1, l2;
    kw_buf_init(&l1);
    kw_buf_init(&l2);
    kw_hlog_header(&l1, 1000000, NULL);
    kw_hlog_interval(&l1, "x", 0, 1, a, 1000);
    kw_hlog_interval(&l1, NULL, 0, 1, c, 1000);
    kw_hlog_header(&l2, 1000500, NULL);
    kw_hlog_interval(&l2, "x", 0, 2, b, 1000);
    kw_hlog_merged m = {0};
    char err[200];
    assert_int_equal(kw_hlog_merge_text(&m, (const char *)l1.data, l1.len, err, sizeof err), 0);
    assert_int_equal(kw_hlog_merge_text(&m, (const char *)l2.data, l2.len, err, sizeof err), 0);
    assert_int_equal(m.n, 2);
    assert_string_equal(m.tags[0], "x");
    assert_string_equal(m.tags[1], "");
    assert_int_equal(m.intervals[0], 2);
    kw_hdr_add(a, b); /* the pooled x */
    assert_memory_equal(m.h[0]->counts, a->counts, (size_t)a->len * sizeof a->counts[0]);
    assert_int_equal(m.h[1]->total, 500);
    assert_true(fabs(m.first_start - 1000.0) < 1e-9 && fabs(m.last_end - 1002.5) < 1e-9);
    /* a bad line: named, the intervals before it kept */
    const char *bad = "Tag=x,0,1,2,HISTFAAAAAAAAAAA\n";
    assert_int_equal(kw_hlog_merge_text(&m, bad, strlen(bad), err, sizeof err), KW_ERR_TRUNCATED);
    assert_non_null(strstr(err, "line 1: histogram"));
    assert_int_equal(m.intervals[0], 2);
    kw_hlog_merged_free(&m);
    kw_buf_free(&l1);
    kw_buf_free(&l2);
    kw_hdr_free(a);
    kw_hdr_free(b);
    kw_hdr_free(c);
}

/* More tags than the merge's arrays first hold: each keeps its name, count and sum. */
static void test_merge_many_tags(void **st)
{
    (void)st;
    kw_hdr *h = filled(7, 100);
    kw_buf l;
    kw_buf_init(&l);
    kw_hlog_header(&l, 1000000, NULL);
    char tag[16];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 20; i++) {
            snprintf(tag, sizeof tag, "t%d", i);
            kw_hlog_interval(&l, tag, round, 1, h, 1000);
        }
    kw_hlog_merged m = {0};
    char err[200];
    assert_int_equal(kw_hlog_merge_text(&m, (const char *)l.data, l.len, err, sizeof err), 0);
    assert_int_equal(m.n, 20);
    for (int i = 0; i < 20; i++) {
        snprintf(tag, sizeof tag, "t%d", i);
        assert_string_equal(m.tags[i], tag);
        assert_int_equal(m.intervals[i], 2);
        assert_int_equal(m.h[i]->total, 200);
    }
    kw_hlog_merged_free(&m);
    kw_buf_free(&l);
    kw_hdr_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_write_read),
        cmocka_unit_test(test_foreign_forms),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_merge_logs),
        cmocka_unit_test(test_merge_many_tags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
