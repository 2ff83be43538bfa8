/* tests/test_lab.c — bench/lab: the LABS.md grids (B1's broker settings), lab lines, CSV,
 * charts (distinct y ticks, the count run, four axes), medians of repeated runs, and
 * readings that claim only differences above the run-to-run spread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/lab.h"

static void test_payload_is_the_labs(void **st)
{
    (void)st;
    assert_int_equal(strlen(KW_LAB_PAYLOAD), KW_LAB_PAYLOAD_LEN);
    assert_int_equal(strlen(KW_LAB_PAYLOAD), 92);
    int as = 0;
    for (const char *p = KW_LAB_PAYLOAD; *p; p++) as += *p == 'A';
    assert_int_equal(as, 80);
    assert_memory_equal(KW_LAB_PAYLOAD, "{\"data\": \"", 10);
    assert_string_equal(KW_LAB_TOPIC, "test-topic");
}

/* Setting value of a grid point, by name (fixed or swept). */
static const char *setting(const kw_lab_point *pt, const char *name)
{
    const char *n[16], *v[16];
    int k = kw_lab_point_settings(pt, n, v, 16);
    for (int i = 0; i < k; i++)
        if (!strcmp(n[i], name)) return v[i];
    return NULL;
}

static void test_grids_match_labs_md(void **st)
{
    (void)st;
    struct { const char *name; long records; int points; } want[] = {
        {"P1", 50000, 4}, {"P2", 50000, 5}, {"P3", 100000, 27}, {"C1", 50000, 9},
        {"C2", 50000, 9}, {"C3", 50000, 27}, {"B1", 50000, 81}, {"B1C", 50000, 9},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const kw_lab *lab = kw_lab_find(want[i].name);
        assert_non_null(lab);
        assert_int_equal(lab->records, want[i].records);
        assert_int_equal(kw_lab_points(lab), want[i].points);
    }
    assert_ptr_equal(kw_lab_find("p3"), kw_lab_find("P3"));
    assert_null(kw_lab_find("P9"));

    kw_lab_point pt;
    const kw_lab *p1 = kw_lab_find("P1");
    const char *sizes[] = {"1024", "2048", "4096", "8192"};
    for (int i = 0; i < 4; i++) {
        kw_lab_point_at(p1, i, &pt);
        assert_string_equal(setting(&pt, "batch.size"), sizes[i]);
        assert_string_equal(setting(&pt, "linger.ms"), "20");
        assert_string_equal(setting(&pt, "acks"), "1");
    }
    const kw_lab *p2 = kw_lab_find("P2");
    const char *codecs[] = {"none", "gzip", "snappy", "lz4", "zstd"};
    for (int i = 0; i < 5; i++) {
        kw_lab_point_at(p2, i, &pt);
        assert_string_equal(setting(&pt, "compression.type"), codecs[i]);
        assert_string_equal(setting(&pt, "batch.size"), "16384");
        assert_string_equal(setting(&pt, "linger.ms"), "5");
    }
    /* P3: every combination exactly once */
    const kw_lab *p3 = kw_lab_find("P3");
    int seen[3][3][3] = {{{0}}};
    for (int i = 0; i < 27; i++) {
        kw_lab_point_at(p3, i, &pt);
        int b = !strcmp(setting(&pt, "batch.size"), "16384") ? 0 : !strcmp(setting(&pt, "batch.size"), "32768") ? 1 : 2;
        const char *c = setting(&pt, "compression.type");
        int ci = !strcmp(c, "none") ? 0 : !strcmp(c, "gzip") ? 1 : 2;
        const char *l = setting(&pt, "linger.ms");
        int li = !strcmp(l, "0") ? 0 : !strcmp(l, "10") ? 1 : 2;
        seen[b][ci][li]++;
    }
    for (int b = 0; b < 3; b++)
        for (int c = 0; c < 3; c++)
            for (int l = 0; l < 3; l++) assert_int_equal(seen[b][c][l], 1);
    const kw_lab *c3 = kw_lab_find("C3");
    kw_lab_point_at(c3, 26, &pt);
    assert_string_equal(setting(&pt, "max.poll.records"), "500");
    assert_string_equal(setting(&pt, "fetch.min.bytes"), "51200");
    assert_string_equal(setting(&pt, "fetch.max.wait.ms"), "1000");
    assert_string_equal(setting(&pt, "enable.auto.commit"), "false");
    assert_string_equal(setting(&pt, "auto.offset.reset"), "earliest");

    /* B1: the broker settings of LABS.md, 3^4 combinations, none of them a client setting */
    const kw_lab *b1 = kw_lab_find("B1");
    assert_true(kw_lab_has_broker_axes(b1));
    assert_false(kw_lab_has_broker_axes(kw_lab_find("B1C")));
    assert_false(kw_lab_has_broker_axes(p3));
    kw_lab_point_at(b1, 80, &pt);
    const char *bn[8], *bv[8];
    assert_int_equal(kw_lab_point_broker_settings(&pt, bn, bv, 8), 4);
    assert_string_equal(bn[0], "socket.send.buffer.bytes");
    assert_string_equal(bv[0], "1048576");
    assert_string_equal(bn[1], "socket.receive.buffer.bytes");
    assert_string_equal(bn[2], "num.network.threads");
    assert_string_equal(bn[3], "num.io.threads");
    assert_string_equal(bv[3], "8");
    assert_null(setting(&pt, "num.io.threads"));        /* not a client setting */
    assert_null(setting(&pt, "socket.send.buffer.bytes"));
    assert_string_equal(setting(&pt, "acks"), "1");
    kw_lab_point_at(b1, 0, &pt);
    assert_int_equal(kw_lab_point_broker_settings(&pt, bn, bv, 8), 4);
    assert_string_equal(bv[0], "131072");
    assert_string_equal(bv[2], "2");
    /* --quick: the all-lowest and the all-highest combination */
    assert_int_equal(b1->quick[0], 1);
    assert_int_equal(b1->quick[1], 81);
    assert_int_equal(kw_lab_point_broker_settings(&pt, bn, bv, 2), 2);
}

static char *capture(void (*fn)(FILE *, void *), void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fn(f, arg);
    fclose(f);
    return buf;
}

static void line_of_p3_point(FILE *f, void *arg)
{
    (void)arg;
    kw_lab_point pt;
    const kw_lab *p3 = kw_lab_find("P3");
    kw_lab_point_at(p3, 3 * 3 * 1 + 3 * 1 + 1, &pt); /* 32768, gzip, 10 */
    kw_lab_result r = {.seconds = 4.8121, .records_per_sec = 20781.0, .records_per_batch = 331.5};
    kw_hdr *h = kw_hdr_new_default(); /* 1 .. 1000 us, then one of 2.5 s */
    for (int v = 1; v <= 1000; v++) kw_hdr_record(h, v);
    kw_hdr_record(h, 2500000);
    kw_lab_latency(&r, h);
    kw_hdr_free(h);
    kw_lab_print_line(f, &pt, &r);
}

static void line_of_c1_point(FILE *f, void *arg)
{
    (void)arg;
    kw_lab_point pt;
    kw_lab_point_at(kw_lab_find("C1"), 0, &pt);
    kw_lab_result r = {.seconds = 0.5, .records_per_sec = 100000.0, .records_per_batch = 500, .failed = 3};
    kw_lab_print_line(f, &pt, &r);
}

static void test_lab_line_format(void **st)
{
    (void)st;
    char *s = capture(line_of_p3_point, NULL);
    /* p99.99 of 1001 values: rank 1001, the 2.5 s one (2,500,000 us falls in 2,498,560 .. 2,500,607) */
    assert_string_equal(s, "Batch size: 32768, Compression: gzip, Linger.ms: 10, Time taken: 4.812 sec"
                           "  (20781 records/s, 331.5 records/batch; latency ms p50 0.501 p95 0.951 p99 0.991"
                           " p99.9 1.000 p99.99 2500.607 max 2500.607)\n");
    free(s);
    s = capture(line_of_c1_point, NULL);
    assert_string_equal(s, "Fetch min bytes: 1024, Max poll records: 10, Time taken: 0.500 sec  (100000 records/s,"
                           " 500.0 records/fetch, 3 FAILED; fetch hold ms p50 0.000 p95 0.000 p99 0.000 p99.9 0.000"
                           " p99.99 0.000 max 0.000)\n");
    free(s);
}

/* Synthetic results: records/s grows with batch.size and linger, gzip slower. */
static void fake_results(const kw_lab *lab, kw_lab_result *r)
{
    for (int i = 0; i < kw_lab_points(lab); i++) {
        kw_lab_point pt;
        kw_lab_point_at(lab, i, &pt);
        double bs = atof(pt.values[0]), lg = lab->naxes > 2 ? atof(pt.values[2]) : 0;
        double k = lab->naxes > 1 && !strcmp(pt.values[1], "gzip") ? 0.5 : 1.0;
        memset(&r[i], 0, sizeof r[i]);
        r[i].records = lab->records;
        r[i].records_per_sec = k * (bs / 100 + lg * 10 + 1000);
        r[i].seconds = lab->records / r[i].records_per_sec;
        r[i].records_per_batch = bs / 100;
        r[i].requests = (long)(lab->records / r[i].records_per_batch);
        r[i].compression_ratio = k < 1 ? 4.0 : 1.0;
    }
}

static void test_csv_chart_and_reading(void **st)
{
    (void)st;
    const kw_lab *p3 = kw_lab_find("P3");
    kw_lab_result r[27];
    fake_results(p3, r);
    char dir[] = "/tmp/kwire-lab-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char csv[128], png[128], svg[128], gp[128];
    snprintf(csv, sizeof csv, "%s/p3.csv", dir);
    snprintf(png, sizeof png, "%s/p3.png", dir);
    snprintf(svg, sizeof svg, "%s/p3.svg", dir);
    snprintf(gp, sizeof gp, "%s/p3.gp", dir);
    FILE *f = fopen(csv, "w");
    kw_lab_csv_header(f, p3);
    for (int i = 0; i < 27; i++) {
        kw_lab_point pt;
        kw_lab_point_at(p3, i, &pt);
        kw_lab_csv_row(f, &pt, &r[i]);
    }
    fclose(f);
    /* one header and one row per grid point */
    f = fopen(csv, "r");
    char line[512];
    int rows = 0;
    assert_non_null(fgets(line, sizeof line, f));
    assert_memory_equal(line, "lab,run,batch.size,compression.type,linger.ms,records,seconds,records_per_sec,", 78);
    while (fgets(line, sizeof line, f)) rows++;
    fclose(f);
    assert_int_equal(rows, 27);

    const char *outs[] = {png, svg};
    for (int k = 0; k < 2; k++) {
        f = fopen(gp, "w");
        assert_int_equal(kw_lab_chart_script(f, p3, r, 27, outs[k]), 0);
        fclose(f);
        if (access("/usr/bin/gnuplot", X_OK) == 0) {
            char cmd[300];
            snprintf(cmd, sizeof cmd, "gnuplot %s 2>&1", gp);
            assert_int_equal(system(cmd), 0);
            struct stat sb;
            assert_int_equal(stat(outs[k], &sb), 0);
            assert_true(sb.st_size > 2000);
        }
    }
    f = fopen(gp, "w");
    assert_int_equal(kw_lab_chart_script(f, p3, r, 27, "/tmp/x.gif"), -1);
    fclose(f);

    char *text = NULL;
    size_t len = 0;
    f = open_memstream(&text, &len);
    kw_lab_reading(f, p3, r, 27);
    fclose(f);
    assert_non_null(strstr(text, "Fastest: batch.size=65536, compression.type=none, linger.ms=50"));
    assert_non_null(strstr(text, "Slowest: batch.size=16384, compression.type=gzip, linger.ms=0"));
    assert_non_null(strstr(text, "records per batch went from 163.8 to 655.4"));
    assert_non_null(strstr(text, "(best on average: 65536)"));
    assert_non_null(strstr(text, "(best on average: none)"));
    free(text);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* Repeated runs: the median run by records/s, the range, failures kept. */
static void test_median_and_spread(void **st)
{
    (void)st;
    kw_lab_result runs[3] = {{.records_per_sec = 300, .seconds = 1.0 / 3, .records_per_batch = 3, .lat_p50_ms = 9},
                             {.records_per_sec = 100, .seconds = 1, .records_per_batch = 1, .lat_p50_ms = 4},
                             {.records_per_sec = 200, .seconds = 0.5, .records_per_batch = 2, .lat_p50_ms = 7}};
    kw_lab_result m;
    kw_lab_median(runs, 3, &m);
    assert_true(m.records_per_sec == 200 && m.records_per_batch == 2); /* one real run, all its figures */
    assert_int_equal(m.runs, 3);
    assert_true(m.rps_min == 100 && m.rps_max == 300);
    assert_true(m.lat_min == 4 && m.lat_max == 9);
    assert_int_equal(m.failed, 0);
    runs[0].failed = 5; /* a failed run counts as 0 records/s and is reported */
    kw_lab_median(runs, 3, &m);
    assert_true(m.records_per_sec == 100 && m.rps_min == 0 && m.rps_max == 200);
    assert_int_equal(m.failed, 5);
    kw_lab_median(runs + 1, 1, &m);
    assert_true(m.records_per_sec == 100 && m.runs == 1);

    kw_lab_result pts[3] = {{.records_per_sec = 100, .rps_min = 90, .rps_max = 110, .runs = 3},
                            {.records_per_sec = 200, .rps_min = 190, .rps_max = 250, .runs = 3},
                            {.records_per_sec = 50, .rps_min = 50, .rps_max = 50, .runs = 3}};
    double med, max;
    kw_lab_spread(pts, 3, &med, &max);
    assert_true(fabs(med - 0.2) < 1e-9 && fabs(max - 0.3) < 1e-9);
    pts[1].failed = 1;
    kw_lab_spread(pts, 3, &med, &max);
    assert_true(fabs(med - 0.1) < 1e-9 && fabs(max - 0.2) < 1e-9);
}

static char *reading_of(const kw_lab *lab, const kw_lab_result *r, int n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    kw_lab_reading(f, lab, r, n);
    fclose(f);
    return text;
}

/* The reading claims a winner only above the run-to-run spread. */
static void test_reading_respects_spread(void **st)
{
    (void)st;
    const kw_lab *p1 = kw_lab_find("P1");
    kw_lab_result r[4];
    for (int i = 0; i < 4; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].records = 50000;
        r[i].runs = 3;
        r[i].records_per_sec = 1000 + 10 * i; /* 1000..1030, each run +-100: all overlap */
        r[i].rps_min = r[i].records_per_sec - 100;
        r[i].rps_max = r[i].records_per_sec + 100;
        r[i].seconds = 50;
        r[i].records_per_batch = 10 * (i + 1);
    }
    char *text = reading_of(p1, r, 4);
    assert_non_null(strstr(text, "3 runs per setting after a warm-up run"));
    assert_non_null(strstr(text, "Their runs overlap: no setting of this lab is faster"));
    assert_null(strstr(text, "Why:"));
    assert_null(strstr(text, "best on average"));
    assert_non_null(strstr(text, "(no value better than the noise of these means, 121/s, can tell)"));
    free(text);
    /* now batch.size 8192 is clear of the others */
    r[3].records_per_sec = 5000;
    r[3].rps_min = 4800;
    r[3].rps_max = 5200;
    r[3].requests = 10;
    r[0].requests = 100;
    text = reading_of(p1, r, 4);
    assert_null(strstr(text, "Their runs overlap"));
    assert_non_null(strstr(text, "No run of the one reached the other"));
    assert_non_null(strstr(text, "Fastest: batch.size=8192 at 5000 records/s"));
    assert_non_null(strstr(text, "Why: records per batch went from 10.0 to 40.0, requests from 100 to 10"));
    assert_non_null(strstr(text, "(best on average: 8192, by 3980/s over 4096 against a noise of 191/s)"));
    free(text);
}

/* Consumer labs: what the broker did, and why a backlog read shows no hold. */
static void test_reading_consumer(void **st)
{
    (void)st;
    const kw_lab *c1 = kw_lab_find("C1");
    kw_lab_result r[9];
    for (int i = 0; i < 9; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].records = 50000;
        r[i].records_per_sec = 2e6 + 1000 * i;
        r[i].p50_ms = 3;
        r[i].records_per_batch = 10000;
        r[i].bytes_per_fetch = 1e6;
        r[i].requests = 5;
        r[i].records_per_poll = i % 3 == 0 ? 10 : i % 3 == 1 ? 100 : 500;
    }
    char *text = reading_of(c1, r, 9);
    assert_non_null(strstr(text, "What the broker did:"));
    assert_non_null(strstr(text, "5 fetches, 10000.0 records (1000000 bytes) each, broker hold p50 3.0 ms"));
    assert_non_null(strstr(text, "The broker answered every fetch at once"));
    assert_non_null(strstr(text, "10 -> 2003000/s (hold 3.0 ms, 10000/fetch, 10/poll)"));
    free(text);
    /* live: ranked by latency; fetch.min.bytes 51200 holds fetches and records wait */
    for (int i = 0; i < 9; i++) {
        kw_lab_point pt;
        kw_lab_point_at(c1, i, &pt);
        double mb = atof(pt.values[0]);
        r[i].live_rate = 10000;
        r[i].records = 20000;
        r[i].seconds = 2.0 + (mb > 50000 ? 0.5 : 0);
        r[i].p50_ms = mb / 1000;
        r[i].lat_p50_ms = mb / 2000 + 3;
        r[i].requests = (long)(20000 * 100 / mb);
    }
    text = reading_of(c1, r, 9);
    assert_non_null(strstr(text, "Records were written at 10000/s in every run"));
    assert_non_null(strstr(text, "Lowest latency: fetch.min.bytes=1024"));
    assert_non_null(strstr(text, "Highest latency: fetch.min.bytes=51200"));
    assert_non_null(strstr(text, "fetch.min.bytes: 1024 -> 4 ms (hold 1.0 ms"));
    assert_non_null(strstr(text, "ended up to 500 ms after the producer"));
    assert_null(strstr(text, "answered every fetch at once"));
    free(text);
}

/* Issue 14 row 15: P1 at 2000 records, rates close together: the y tick labels differ
 * and the title says the count run. */
static void test_chart_ticks_and_title(void **st)
{
    (void)st;
    const kw_lab *p1 = kw_lab_find("P1");
    kw_lab_result r[4];
    const double rps[4] = {812345, 1034567, 1123456, 1187654};
    for (int i = 0; i < 4; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].records = 2000;
        r[i].records_per_sec = rps[i];
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(kw_lab_chart_script(f, p1, r, 4, "/tmp/p1.png"), 0);
    fclose(f);
    assert_non_null(strstr(text, "(2000 records)"));
    assert_null(strstr(text, "(50000 records"));
    const char *yt = strstr(text, "set ytics (");
    assert_non_null(yt);
    char labels[16][16];
    int nl = 0;
    for (const char *q = yt; (q = strchr(q, '\'')) && nl < 16; nl++) {
        const char *e = strchr(q + 1, '\'');
        assert_non_null(e);
        assert_true(e - q - 1 < 16);
        memcpy(labels[nl], q + 1, (size_t)(e - q - 1));
        labels[nl][e - q - 1] = 0;
        q = strchr(e, ')') < strchr(e, ',') || !strchr(e, ',') ? NULL : e + 1;
        if (!q) { nl++; break; }
    }
    assert_true(nl >= 4);
    for (int i = 0; i < nl; i++)
        for (int j = i + 1; j < nl; j++) assert_string_not_equal(labels[i], labels[j]);
    assert_string_equal(labels[0], "0");
    assert_string_equal(labels[1], "250k");
    assert_string_equal(labels[4], "1M");
    assert_string_equal(labels[5], "1.25M");
    free(text);
    if (access("/usr/bin/gnuplot", X_OK) == 0) { /* gnuplot takes it */
        char gp[] = "/tmp/kwire-lab-gp-XXXXXX";
        int fd = mkstemp(gp);
        assert_true(fd >= 0);
        f = fdopen(fd, "w");
        assert_int_equal(kw_lab_chart_script(f, p1, r, 4, "/tmp/kwire-lab-p1-test.png"), 0);
        fclose(f);
        char cmd[200];
        snprintf(cmd, sizeof cmd, "gnuplot %s 2>&1", gp);
        assert_int_equal(system(cmd), 0);
        unlink(gp);
        unlink("/tmp/kwire-lab-p1-test.png");
    }
}

/* B1's chart: a panel per (network threads, io threads), each with its own title. */
static void test_chart_four_axes(void **st)
{
    (void)st;
    const kw_lab *b1 = kw_lab_find("B1");
    kw_lab_result r[81];
    for (int i = 0; i < 81; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].records = 50000;
        r[i].records_per_sec = 1000 + i;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(kw_lab_chart_script(f, b1, r, 81, "/tmp/b1.svg"), 0);
    fclose(f);
    assert_non_null(strstr(text, "set multiplot layout 3,3"));
    assert_non_null(strstr(text, "set title 'num.network.threads = 8, num.io.threads = 8'"));
    assert_non_null(strstr(text, "$d8_2 << EOD"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payload_is_the_labs),
        cmocka_unit_test(test_grids_match_labs_md),
        cmocka_unit_test(test_lab_line_format),
        cmocka_unit_test(test_csv_chart_and_reading),
        cmocka_unit_test(test_median_and_spread),
        cmocka_unit_test(test_reading_respects_spread),
        cmocka_unit_test(test_reading_consumer),
        cmocka_unit_test(test_chart_ticks_and_title),
        cmocka_unit_test(test_chart_four_axes),
    };
    return cmocka_run_group_tests_name("lab", tests, NULL, NULL);
}
