/* tests/test_compare.c — bench/compare: figures of a run, kwire's ratios to each peer
 * against the targets (taken against the right kwire row, none against a peer that did not
 * run), a lab grid's summary, and the text, JSON and CSV forms (never a zero for a run
 * that has no figures). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/compare.h"

static void ok(kw_cmp_run *r, long records, double seconds, double cpu, double rss)
{
    memset(r, 0, sizeof *r);
    r->status = KW_CMP_OK;
    r->expected = r->records = records;
    r->held = records;
    r->seconds = seconds;
    r->cpu_s = cpu;
    r->rss_mb = rss;
    snprintf(r->topic, sizeof r->topic, "t");
    for (int i = 0; i < KW_LAT_N; i++) r->latency_ms[i] = -1;
}

static void missing(kw_cmp_run *r, const char *why)
{
    memset(r, 0, sizeof *r);
    r->status = KW_CMP_MISSING;
    r->expected = 1000;
    snprintf(r->why, sizeof r->why, "%s", why);
}

/* kwire 1000 records in 0.1 s with 0.05 CPU s, 10 MB; java 1000 in 1 s, 2 CPU s, 200 MB;
   kwire-cli 1000 in 0.2 s, 0.1 s, 8 MB; kcat 1000 in 0.4 s, 0.1 s, 16 MB; franz missing */
static void fill(kw_cmp_set *s)
{
    memset(s, 0, sizeof *s);
    for (int d = 0; d < KW_DIR_N; d++) {
        ok(&s->r[KW_PEER_KWIRE][d], 1000, 0.1, 0.05, 10);
        ok(&s->r[KW_PEER_JAVA][d], 1000, 1.0, 2.0, 200);
        ok(&s->r[KW_PEER_KWIRE_CLI][d], 1000, 0.2, 0.1, 8);
        ok(&s->r[KW_PEER_KCAT][d], 1000, 0.4, 0.1, 16);
        missing(&s->r[KW_PEER_FRANZ][d], "Go not found");
    }
}

#define PEERS ((1u << KW_PEER_KWIRE) | (1u << KW_PEER_JAVA) | (1u << KW_PEER_FRANZ) | (1u << KW_PEER_KWIRE_CLI) | (1u << KW_PEER_KCAT))

static const kw_cmp_ratio *find(const kw_cmp_ratio *q, int n, int dir, int peer, int metric)
{
    for (int i = 0; i < n; i++)
        if (q[i].dir == dir && q[i].peer == peer && q[i].metric == metric) return &q[i];
    return NULL;
}

static void test_figures(void **st)
{
    (void)st;
    kw_cmp_run r;
    ok(&r, 1000000, 2.0, 0.5, 12);
    assert_true(fabs(kw_cmp_rps(&r) - 500000) < 1e-6);
    assert_true(fabs(kw_cmp_cpu_per_m(&r) - 0.5) < 1e-9);
    assert_true(fabs(kw_cmp_mbps(&r) - 1e6 * 92 / 1048576.0 / 2) < 1e-9);
    missing(&r, "x");
    assert_true(kw_cmp_rps(&r) == 0 && kw_cmp_cpu_per_m(&r) == 0);
    assert_string_equal(kw_cmp_status_name(KW_CMP_MISSING), "missing");
    assert_string_equal(kw_cmp_status_name(KW_CMP_FAILED), "failed");
}

static void test_targets(void **st)
{
    (void)st;
    int ge;
    double b;
    assert_int_equal(kw_cmp_target(KW_PEER_JAVA, KW_DIR_CONSUME, KW_M_RSS, &ge, &b), 0);
    assert_true(!ge && b == 0.25);
    assert_int_equal(kw_cmp_target(KW_PEER_JAVA, KW_DIR_PRODUCE, KW_M_RPS, &ge, &b), 0);
    assert_true(ge && b == 1.0);
    assert_int_equal(kw_cmp_target(KW_PEER_FRANZ, KW_DIR_PRODUCE, KW_M_CPU, &ge, &b), 0);
    assert_true(!ge && b == 0.8);
    assert_int_equal(kw_cmp_target(KW_PEER_FRANZ, KW_DIR_PRODUCE, KW_M_RSS, &ge, &b), -1);
    assert_int_equal(kw_cmp_target(KW_PEER_KCAT, KW_DIR_PRODUCE, KW_M_RSS, &ge, &b), 0);
    assert_int_equal(kw_cmp_target(KW_PEER_KCAT, KW_DIR_CONSUME, KW_M_RSS, &ge, &b), -1);
    assert_int_equal(kw_cmp_target(KW_PEER_KPY_DEB, KW_DIR_CONSUME, KW_M_RPS, &ge, &b), 0);
    assert_true(ge && b == 30);
    assert_int_equal(kw_cmp_target(KW_PEER_KPY, KW_DIR_CONSUME, KW_M_CPU, &ge, &b), -1);
    assert_int_equal(kw_cmp_target(KW_PEER_KWIRE, KW_DIR_CONSUME, KW_M_RPS, &ge, &b), -1);
    kw_cmp_ratio q = {.has_target = 1, .at_least = 0, .bound = 0.25};
    char t[32];
    kw_cmp_target_text(&q, t, sizeof t);
    assert_string_equal(t, "<= 0.25");
    q.at_least = 1;
    q.bound = 30;
    kw_cmp_target_text(&q, t, sizeof t);
    assert_string_equal(t, ">= 30");
    q.bound = 1.0;
    kw_cmp_target_text(&q, t, sizeof t);
    assert_string_equal(t, ">= 1.0");
}

static void test_ratios(void **st)
{
    (void)st;
    kw_cmp_set s;
    fill(&s);
    kw_cmp_ratio q[KW_CMP_MAX_RATIOS];
    int n = kw_cmp_ratios(&s, PEERS, 3u, q);
    assert_int_equal(n, 2 * 3 * 3); /* 2 directions x (java, franz-go, kcat) x 3 metrics */
    const kw_cmp_ratio *r = find(q, n, KW_DIR_PRODUCE, KW_PEER_JAVA, KW_M_RPS);
    assert_non_null(r);
    assert_int_equal(r->base, KW_PEER_KWIRE);
    assert_true(r->have && fabs(r->value - 10.0) < 1e-9 && r->has_target && r->met);
    r = find(q, n, KW_DIR_PRODUCE, KW_PEER_JAVA, KW_M_CPU);
    assert_true(fabs(r->value - 0.025) < 1e-9 && r->met);
    r = find(q, n, KW_DIR_CONSUME, KW_PEER_JAVA, KW_M_RSS);
    assert_true(fabs(r->value - 0.05) < 1e-9 && r->met);
    /* kcat against kwire-cli, not kwire: 2x records/s, CPU 1.0x (target 0.5: not met), RSS 0.5 */
    r = find(q, n, KW_DIR_PRODUCE, KW_PEER_KCAT, KW_M_RPS);
    assert_int_equal(r->base, KW_PEER_KWIRE_CLI);
    assert_true(fabs(r->value - 2.0) < 1e-9 && r->met);
    r = find(q, n, KW_DIR_PRODUCE, KW_PEER_KCAT, KW_M_CPU);
    assert_true(fabs(r->value - 1.0) < 1e-9 && r->has_target && !r->met);
    r = find(q, n, KW_DIR_CONSUME, KW_PEER_KCAT, KW_M_RSS);
    assert_true(r->have && !r->has_target);
    /* franz-go missing: no value, no verdict */
    r = find(q, n, KW_DIR_CONSUME, KW_PEER_FRANZ, KW_M_RPS);
    assert_true(!r->have && r->value == 0 && !r->met && r->has_target);
    /* one direction only; a kwire row that failed: nothing measured against it */
    n = kw_cmp_ratios(&s, PEERS, 1u << KW_DIR_CONSUME, q);
    assert_int_equal(n, 9);
    for (int i = 0; i < n; i++) assert_int_equal(q[i].dir, KW_DIR_CONSUME);
    s.r[KW_PEER_KWIRE_CLI][KW_DIR_CONSUME].status = KW_CMP_FAILED;
    n = kw_cmp_ratios(&s, PEERS, 3u, q);
    assert_false(find(q, n, KW_DIR_CONSUME, KW_PEER_KCAT, KW_M_RPS)->have);
    assert_true(find(q, n, KW_DIR_CONSUME, KW_PEER_JAVA, KW_M_RPS)->have);
}

static void test_summary(void **st)
{
    (void)st;
    kw_cmp_set sets[3];
    for (int i = 0; i < 3; i++) fill(&sets[i]);
    /* java's produce time 0.5, 1, 2 s: kwire/java records/s 5x, 10x, 20x -> geometric mean 10 */
    sets[0].r[KW_PEER_JAVA][KW_DIR_PRODUCE].seconds = 0.5;
    sets[2].r[KW_PEER_JAVA][KW_DIR_PRODUCE].seconds = 2.0;
    /* kcat missing in run 2: that run is left out of its ratios */
    missing(&sets[1].r[KW_PEER_KCAT][KW_DIR_PRODUCE], "kcat not found");
    kw_cmp_sum sums[KW_CMP_MAX_RATIOS];
    int n = kw_cmp_summary(sets, 3, PEERS, 1u << KW_DIR_PRODUCE, sums);
    assert_int_equal(n, 9);
    const kw_cmp_sum *j = NULL, *k = NULL, *f = NULL;
    for (int i = 0; i < n; i++) {
        if (sums[i].first.peer == KW_PEER_JAVA && sums[i].first.metric == KW_M_RPS) j = &sums[i];
        if (sums[i].first.peer == KW_PEER_KCAT && sums[i].first.metric == KW_M_CPU) k = &sums[i];
        if (sums[i].first.peer == KW_PEER_FRANZ && sums[i].first.metric == KW_M_RPS) f = &sums[i];
    }
    assert_non_null(j);
    assert_true(fabs(j->gmean - 10.0) < 1e-9);
    assert_true(j->have == 3 && j->met == 3);
    assert_true(fabs(j->min - 5) < 1e-9 && j->min_run == 1 && fabs(j->max - 20) < 1e-9 && j->max_run == 3);
    assert_non_null(k);
    assert_true(k->have == 2 && k->met == 0); /* CPU 1.0x in both runs measured; target <= 0.5 */
    assert_non_null(f);
    assert_int_equal(f->have, 0);
    assert_int_equal(kw_cmp_summary(sets, 0, PEERS, 3u, sums), 0);
}

/* text of a writer into a malloc'd string */
static char *capture(void (*fn)(FILE *, const kw_cmp_report *, const kw_cmp_set *), const kw_cmp_report *rep,
                     const kw_cmp_set *s)
{
    static char *buf; /* static: open_memstream keeps its address until fclose */
    static size_t len;
    buf = NULL;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fn(f, rep, s);
    fclose(f);
    return buf;
}

static const kw_cmp_report rep = {.records = 1000, .bootstrap = "127.0.0.1:9092", .broker = "Apache Kafka 4.4.0, one node",
                                  .partitions = 6, .peers = PEERS, .dirs = 3u, .settings = "linger.ms=5"};

static void test_text(void **st)
{
    (void)st;
    kw_cmp_set s;
    fill(&s);
    s.r[KW_PEER_JAVA][KW_DIR_PRODUCE].have_latency = 1;
    s.r[KW_PEER_JAVA][KW_DIR_PRODUCE].latency_ms[KW_LAT_P50] = 12.5;
    s.r[KW_PEER_JAVA][KW_DIR_PRODUCE].own_seconds = 0.5;
    snprintf(s.r[KW_PEER_KCAT][KW_DIR_CONSUME].skipped, 256, "max.poll.records");
    char *t = capture(kw_cmp_print_text, &rep, &s);
    assert_non_null(strstr(t, "Apache Kafka 4.4.0, one node at 127.0.0.1:9092; 6 partitions per topic"));
    assert_non_null(strstr(t, "settings linger.ms=5"));
    assert_non_null(strstr(t, "franz-go          produce         -  missing: Go not found"));
    assert_non_null(strstr(t, "java              produce      1000    1.000       1000    0.09  2000.000   200.0"));
    assert_non_null(strstr(t, "       2000     12.5        -        -")); /* own rec/s, p50, no p99/max */
    assert_non_null(strstr(t, "not passed to kcat (consume): max.poll.records"));
    assert_non_null(strstr(t, "produce kwire-cli/kcat             cpu_per_record       1.000x   target <= 0.5  NOT MET"));
    assert_non_null(strstr(t, "consume kwire/franz-go             records_per_sec         n/a   target >= 1.0  (not measured)"));
    free(t);
}

static void test_json(void **st)
{
    (void)st;
    kw_cmp_set s;
    fill(&s);
    char *t = capture(kw_cmp_print_json, &rep, &s);
    assert_non_null(strstr(t, "\"records\": 1000, \"kafka_python_records\": 100, \"payload_bytes\": 92, \"partitions\": 6"));
    assert_non_null(strstr(t, "{\"client\": \"kcat\", \"what\": "));
    assert_non_null(strstr(t, "\"against\": \"kwire-cli\""));
    /* a missing run: its reason, and no figure at all */
    const char *m = strstr(t, "{\"client\": \"franz-go\", \"direction\": \"produce\", \"status\": \"missing\"");
    assert_non_null(m);
    const char *end = strchr(m, '}');
    char *run = strndup(m, (size_t)(end - m));
    assert_non_null(strstr(run, "\"error\": \"Go not found\""));
    assert_null(strstr(run, "records_per_sec"));
    assert_null(strstr(run, "\"records\""));
    free(run);
    assert_non_null(strstr(t, "\"records_per_sec\": 10000.0"));
    assert_non_null(strstr(t, "{\"direction\": \"produce\", \"metric\": \"records_per_sec\", \"kwire\": \"kwire\", "
                              "\"kwire_over\": \"java\", \"value\": 10.0000, \"target\": \">= 1.0\", \"met\": true}"));
    assert_non_null(strstr(t, "\"kwire_over\": \"franz-go\", \"value\": null, \"target\": \">= 1.0\", \"met\": null}"));
    free(t);
}

static void test_lab_forms(void **st)
{
    (void)st;
    const kw_lab *lab = kw_lab_find("P1");
    assert_non_null(lab);
    int n = kw_lab_points(lab);
    kw_cmp_set *sets = calloc((size_t)n, sizeof *sets);
    for (int i = 0; i < n; i++) fill(&sets[i]);
    kw_cmp_report r = rep;
    r.dirs = 1u << KW_DIR_PRODUCE;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    kw_cmp_lab_write_csv(f, &r, lab, sets, n);
    fclose(f);
    /* header, then per run 5 clients x 1 direction */
    int lines = 0;
    for (char *p = buf; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 1 + n * 5);
    assert_non_null(strstr(buf, "lab,run,batch.size,client,direction,status,records,seconds,records_per_sec"));
    assert_non_null(strstr(buf, "P1,1,1024,franz-go,produce,missing,,,,,,,,,,\n"));
    assert_non_null(strstr(buf, "P1,4,8192,java,produce,ok,1000,1.000000,1000.0,"));
    assert_null(strstr(buf, ",consume,"));
    free(buf);
    buf = NULL;
    f = open_memstream(&buf, &len);
    kw_cmp_lab_print_json(f, &r, lab, sets, n);
    fclose(f);
    assert_non_null(strstr(buf, "{\"lab\": \"P1\""));
    assert_non_null(strstr(buf, "\"runs_measured\": 4, \"geometric_mean\": 10.0000"));
    assert_non_null(strstr(buf, "\"kwire_over\": \"franz-go\", \"runs_measured\": 0, \"target\""));
    free(buf);
    buf = NULL;
    f = open_memstream(&buf, &len);
    kw_cmp_lab_print_text(f, &r, lab, sets, n);
    fclose(f);
    assert_non_null(strstr(buf, "--lab P1"));
    assert_non_null(strstr(buf, "run 4: Batch size 8192"));
    assert_non_null(strstr(buf, "summary over 4 runs"));
    assert_non_null(strstr(buf, "n/a (no run measured both)"));
    free(buf);
    free(sets);
}

static void test_repeat_spread(void **st)
{
    (void)st;
    kw_cmp_set sets[4];
    double secs[4] = {0.4, 0.1, 0.2, 0.8}; /* kcat's produce: 2500, 10000, 5000, 1250 records/s */
    for (int i = 0; i < 4; i++) {
        fill(&sets[i]);
        sets[i].r[KW_PEER_KCAT][KW_DIR_PRODUCE].seconds = secs[i];
        sets[i].r[KW_PEER_KCAT][KW_DIR_PRODUCE].rss_mb = 10 + i;
    }
    kw_cmp_spread sp;
    assert_int_equal(kw_cmp_spread_of(sets, 4, KW_PEER_KCAT, KW_DIR_PRODUCE, KW_M_RPS, &sp), 4);
    assert_true(sp.min == 1250 && sp.max == 10000 && sp.median == (2500 + 5000) / 2.0);
    assert_int_equal(kw_cmp_spread_of(sets, 3, KW_PEER_KCAT, KW_DIR_PRODUCE, KW_M_RSS, &sp), 3);
    assert_true(sp.median == 11 && sp.min == 10 && sp.max == 12);
    assert_int_equal(kw_cmp_spread_of(sets, 4, KW_PEER_FRANZ, KW_DIR_PRODUCE, KW_M_RPS, &sp), 0); /* never ran */
    assert_true(sp.n == 0 && sp.median == 0);
    kw_cmp_report r = rep;
    r.dirs = 1u << KW_DIR_PRODUCE;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    kw_cmp_lab_print_text(f, &r, NULL, sets, 4);
    fclose(f);
    assert_non_null(strstr(buf, "--repeat 4"));
    assert_non_null(strstr(buf, "run 2: repeat 2"));
    assert_non_null(strstr(buf, "spread over 4 runs"));
    assert_non_null(strstr(buf, "  kcat              produce      3750 (   1250..  10000)"));
    assert_non_null(strstr(buf, "  franz-go          produce not measured in every run"));
    free(buf);
    buf = NULL;
    f = open_memstream(&buf, &len);
    kw_cmp_lab_print_json(f, &r, NULL, sets, 4);
    fclose(f);
    assert_non_null(strstr(buf, "{\"repeat\": 4, "));
    assert_non_null(strstr(buf, "{\"client\": \"kcat\", \"direction\": \"produce\", \"records_per_sec\": {\"runs\": 4, "
                                "\"median\": 3750.0000, \"min\": 1250.0000, \"max\": 10000.0000}"));
    assert_non_null(strstr(buf, "{\"client\": \"franz-go\", \"direction\": \"produce\"}"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures), cmocka_unit_test(test_targets), cmocka_unit_test(test_ratios),
        cmocka_unit_test(test_summary), cmocka_unit_test(test_text),    cmocka_unit_test(test_json),
        cmocka_unit_test(test_lab_forms), cmocka_unit_test(test_repeat_spread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
