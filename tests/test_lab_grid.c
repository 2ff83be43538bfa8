/* tests/test_lab_grid.c — bench/lab_grid: the points of a grid (all, or the --quick subset),
 * a point's settings applied by role, one run's producer and consumer parts combined, the
 * order of a grid's runs (warm-up, rounds, a broker per point with its own warm-up), the
 * medians handed out, the stops when a run delivers nothing or fails, the grid filled for
 * the reading, the progress bar and the --json document. The runs are fakes that log what
 * was asked of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lab_grid.h"
#include "tests/testutil.h"


static void test_select(void **st)
{
    (void)st;
    int pts[81];
    const kw_lab *p1 = kw_lab_find("P1");
    assert_int_equal(kw__lab_select(p1, 0, pts), 4);
    for (int i = 0; i < 4; i++) assert_int_equal(pts[i], i);
    const kw_lab *b1 = kw_lab_find("B1");
    assert_int_equal(kw_lab_points(b1), 81);
    assert_int_equal(kw__lab_select(b1, 0, pts), 81);
    /* --quick: B1's all-lowest and all-highest points (1 and 81, 1-based) */
    assert_int_equal(kw__lab_select(b1, 1, pts), 2);
    assert_int_equal(pts[0], 0);
    assert_int_equal(pts[1], 80);
}

static void test_apply_point(void **st)
{
    (void)st;
    const kw_lab *c1 = kw_lab_find("C1");
    kw_lab_point pt;
    kw_lab_point_at(c1, 4, &pt); /* fetch.min.bytes 10240, max.poll.records 100 */
    kw_config *cfg = kw_config_new(KW_ROLE_CONSUMER);
    assert_non_null(cfg);
    assert_int_equal(kw_config_set(cfg, "bootstrap.servers", "localhost:9092"), 0);
    assert_int_equal(kw_config_set(cfg, "group.id", "g"), 0);
    assert_int_equal(kw__lab_apply_point(cfg, KW_ROLE_CONSUMER, &pt), 0);
    assert_int_equal(kw_config_int(cfg, (kw_conf_id)kw_config_lookup("fetch.min.bytes")), 10240);
    assert_int_equal(kw_config_int(cfg, (kw_conf_id)kw_config_lookup("max.poll.records")), 100);
    assert_string_equal(kw_config_str(cfg, (kw_conf_id)kw_config_lookup("auto.offset.reset")), "earliest");
    kw_config_free(cfg);

    /* B1C's acks=1 on the consumer of a produce-and-consume lab: left out, not refused */
    kw_lab_point_at(kw_lab_find("B1C"), 0, &pt);
    cfg = kw_config_new(KW_ROLE_CONSUMER);
    assert_non_null(cfg);
    assert_int_equal(kw_config_set(cfg, "bootstrap.servers", "localhost:9092"), 0);
    assert_int_equal(kw_config_set(cfg, "group.id", "g"), 0);
    assert_int_equal(kw__lab_apply_point(cfg, KW_ROLE_CONSUMER, &pt), 0);
    assert_int_equal(kw_config_int(cfg, (kw_conf_id)kw_config_lookup("socket.send.buffer.bytes")), 131072);
    assert_int_equal(kw_config_is_set(cfg, (kw_conf_id)kw_config_lookup("acks")), 0);
    kw_config_free(cfg);
    kw_lab_point_at(c1, 4, &pt);

    /* a consumer lab's settings on the producer of a live run: the consumer's are left out */
    cfg = kw_config_new(KW_ROLE_PRODUCER);
    assert_non_null(cfg);
    assert_int_equal(kw_config_set(cfg, "bootstrap.servers", "localhost:9092"), 0);
    assert_int_equal(kw__lab_apply_point(cfg, KW_ROLE_PRODUCER, &pt), 0);
    assert_int_equal(kw_config_is_set(cfg, (kw_conf_id)kw_config_lookup("fetch.min.bytes")), 0);
    assert_int_equal(kw_config_is_set(cfg, (kw_conf_id)kw_config_lookup("auto.offset.reset")), 0);
    kw_config_free(cfg);

    /* P1's batch.size on a producer; a setting the point's values clash with is refused */
    const kw_lab *p1 = kw_lab_find("P1");
    kw_lab_point_at(p1, 2, &pt);
    cfg = kw_config_new(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_set(cfg, "bootstrap.servers", "localhost:9092"), 0);
    assert_int_equal(kw__lab_apply_point(cfg, KW_ROLE_PRODUCER, &pt), 0);
    assert_int_equal(kw_config_int(cfg, (kw_conf_id)kw_config_lookup("batch.size")), 4096);
    assert_int_equal(kw_config_int(cfg, (kw_conf_id)kw_config_lookup("linger.ms")), 20);
    kw_config_free(cfg);
    cfg = kw_config_new(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_set(cfg, "bootstrap.servers", "localhost:9092"), 0);
    assert_int_equal(kw_config_set(cfg, "enable.idempotence", "true"), 0);
    assert_int_equal(kw__lab_apply_point(cfg, KW_ROLE_PRODUCER, &pt), -1); /* acks=1 */
    assert_non_null(kw_config_error(cfg));
    kw_config_free(cfg);
}

/* ---- a fake runner ---- */

typedef struct fake {
    char log[4096];
    int calls;
    int fail_at;        /* the call (1-based) that fails, 0: none */
    int empty_at;       /* the call (1-based) that delivers nothing */
    int fail_start;     /* start_broker fails */
    long live_seen[64];
    int progress_last, progress_total, progress_calls;
    int done_points[16], ndone;
    char warned[256];
} fake;

static void logf_(fake *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = strlen(f->log);
    vsnprintf(f->log + n, sizeof f->log - n, fmt, ap);
    va_end(ap);
}

/* producer parts take 2 s for 1000 records; consumer parts (point index + 1) s, 3 requests;
 * records/s so differ per call that the median is the middle one */
static int fake_run(void *ud, int role, const kw_lab_point *pt, long live, kw_lab_result *r)
{
    fake *f = ud;
    f->calls++;
    if (f->calls <= 64) f->live_seen[f->calls - 1] = live;
    logf_(f, "%c%d ", role == KW_ROLE_PRODUCER ? 'P' : 'C', pt->index);
    if (f->calls == f->fail_at) return -1;
    r->records = 1000;
    r->failed = f->calls == f->empty_at ? 1000 : 0;
    r->seconds = role == KW_ROLE_PRODUCER ? 2.0 : pt->index + 1.0 + f->calls * 0.001;
    r->requests = 3;
    return 0;
}

static int fake_start(void *ud, const kw_lab_point *pt)
{
    fake *f = ud;
    logf_(f, "start%d ", pt->index);
    return f->fail_start ? -1 : 0;
}

static void fake_stop(void *ud)
{
    logf_((fake *)ud, "stop ");
}

static void fake_progress(void *ud, int done, int total)
{
    fake *f = ud;
    assert_true(done == 0 || done == f->progress_last + 1); /* one at a time */
    f->progress_last = done;
    f->progress_total = total;
    f->progress_calls++;
}

static void fake_done(void *ud, const kw_lab_point *pt, const kw_lab_result *r)
{
    fake *f = ud;
    assert_int_equal(r->runs > 0, 1);
    f->done_points[f->ndone++] = pt->index;
}

static void fake_warn(void *ud, const char *text)
{
    snprintf(((fake *)ud)->warned, sizeof ((fake *)ud)->warned, "%s", text);
}

static void grid_setup(kw__lab_grid *g, fake *f, const char *lab, const int *pts, int npts, int repeat,
                       kw_lab_result *res, kw_lab_result *runs)
{
    memset(f, 0, sizeof *f);
    memset(g, 0, sizeof *g);
    g->lab = kw_lab_find(lab);
    g->pts = pts;
    g->npts = npts;
    g->repeat = repeat;
    g->restarts = kw_lab_has_broker_axes(g->lab);
    g->ud = f;
    g->run = fake_run;
    g->start_broker = fake_start;
    g->stop_broker = fake_stop;
    g->progress = fake_progress;
    g->point_done = fake_done;
    g->warn = fake_warn;
    g->res = res;
    g->runs = runs;
}

static void test_run_point_parts(void **st)
{
    (void)st;
    kw__lab_grid g;
    fake f;
    kw_lab_result r;
    kw_lab_point pt;
    /* produce and consume: seconds, failures and requests added up */
    grid_setup(&g, &f, "B1C", NULL, 0, 1, NULL, NULL);
    g.live = 500; /* not used outside consumer labs */
    kw_lab_point_at(g.lab, 1, &pt);
    assert_int_equal(kw__lab_run_point(&g, &pt, &r), 0);
    assert_string_equal(f.log, "P1 C1 ");
    assert_int_equal(f.live_seen[0], 0);
    assert_int_equal(f.live_seen[1], 0);
    assert_true(r.seconds > 4.0019 && r.seconds < 4.0021); /* 2 + 2.002 */
    assert_int_equal(r.requests, 6);
    assert_int_equal(r.records, 1000);
    assert_true(r.records_per_sec > 249.8 && r.records_per_sec < 249.9);
    assert_true(r.mb_per_sec > 0.02191 && r.mb_per_sec < 0.02193); /* 249.875 * 92 / 2^20 */
    /* a consumer lab: only the consumer part, with the live rate */
    grid_setup(&g, &f, "C1", NULL, 0, 1, NULL, NULL);
    g.live = 500;
    kw_lab_point_at(g.lab, 0, &pt);
    assert_int_equal(kw__lab_run_point(&g, &pt, &r), 0);
    assert_string_equal(f.log, "C0 ");
    assert_int_equal(f.live_seen[0], 500);
    assert_int_equal(r.requests, 3);
    /* a producer lab: the producer part alone; all failed: no throughput */
    grid_setup(&g, &f, "P1", NULL, 0, 1, NULL, NULL);
    f.empty_at = 1;
    assert_int_equal(kw__lab_run_point(&g, &pt, &r), 0);
    assert_string_equal(f.log, "P0 ");
    assert_true(r.records_per_sec == 0 && r.mb_per_sec == 0);
    /* a failed producer part: the consumer part is not run */
    grid_setup(&g, &f, "B1C", NULL, 0, 1, NULL, NULL);
    f.fail_at = 1;
    assert_int_equal(kw__lab_run_point(&g, &pt, &r), -1);
    assert_string_equal(f.log, "P0 ");
}

static void test_grid_rounds(void **st)
{
    (void)st;
    int pts[] = {0, 2, 3};
    kw_lab_result res[3], runs[9];
    kw__lab_grid g;
    fake f;
    grid_setup(&g, &f, "P1", pts, 3, 3, res, runs);
    assert_int_equal(kw__lab_grid_runs(&g), 10);
    assert_int_equal(kw__lab_grid_run(&g), 0);
    /* the warm-up on the first point, then round the grid three times over */
    assert_string_equal(f.log, "P0 P0 P2 P3 P0 P2 P3 P0 P2 P3 ");
    assert_int_equal(f.progress_last, 10);
    assert_int_equal(f.progress_total, 10);
    assert_int_equal(f.progress_calls, 11);
    /* each point's median handed out once, after its last run */
    assert_int_equal(g.ran, 3);
    assert_int_equal(f.ndone, 3);
    assert_int_equal(f.done_points[0], 0);
    assert_int_equal(f.done_points[2], 3);
    for (int j = 0; j < 3; j++) {
        assert_int_equal(res[j].runs, 3);
        assert_true(res[j].records_per_sec == 500.0);
    }
    assert_string_equal(f.warned, "");
}

static void test_grid_medians_consumer(void **st)
{
    (void)st;
    int pts[] = {0, 1};
    kw_lab_result res[2], runs[6];
    kw__lab_grid g;
    fake f;
    grid_setup(&g, &f, "C1", pts, 2, 3, res, runs);
    assert_int_equal(kw__lab_grid_run(&g), 0);
    assert_string_equal(f.log, "C0 C0 C1 C0 C1 C0 C1 ");
    /* point 1's runs were calls 3, 5, 7: 2.003, 2.005, 2.007 s; the median is 2.005 s */
    assert_true(res[1].seconds > 2.0049 && res[1].seconds < 2.0051);
    assert_true(res[1].rps_max > res[1].records_per_sec && res[1].records_per_sec > res[1].rps_min);
    /* the runs are stored per point, one slot per round */
    assert_true(runs[1 * 3 + 0].seconds > 2.0029 && runs[1 * 3 + 0].seconds < 2.0031);
    assert_true(runs[1 * 3 + 2].seconds > 2.0069 && runs[1 * 3 + 2].seconds < 2.0071);
}

static void test_grid_restarts(void **st)
{
    (void)st;
    int pts[] = {0, 80};
    kw_lab_result res[2], runs[4];
    kw__lab_grid g;
    fake f;
    grid_setup(&g, &f, "B1", pts, 2, 2, res, runs);
    assert_int_equal(g.restarts, 1);
    assert_int_equal(kw__lab_grid_runs(&g), 6); /* 2 x 2 runs + a warm-up per broker */
    assert_int_equal(kw__lab_grid_run(&g), 0);
    assert_string_equal(f.log, "start0 P0 C0 P0 C0 P0 C0 stop start80 P80 C80 P80 C80 P80 C80 stop ");
    assert_int_equal(f.progress_last, 6);
    assert_int_equal(g.ran, 2);
    assert_int_equal(res[1].runs, 2);
    /* a broker that does not start: the lab stops there */
    grid_setup(&g, &f, "B1", pts, 2, 2, res, runs);
    f.fail_start = 1;
    assert_int_equal(kw__lab_grid_run(&g), -1);
    assert_string_equal(f.log, "start0 ");
    assert_int_equal(g.ran, 0);
    /* a failed warm-up on the fresh broker: stopped, the lab ends */
    grid_setup(&g, &f, "B1", pts, 2, 2, res, runs);
    f.fail_at = 2;
    assert_int_equal(kw__lab_grid_run(&g), -1);
    assert_string_equal(f.log, "start0 P0 C0 stop ");
}

static void test_grid_stops(void **st)
{
    (void)st;
    int pts[] = {0, 1, 2, 3};
    kw_lab_result res[4], runs[8];
    kw__lab_grid g;
    fake f;
    /* the warm-up delivers nothing: said, no run follows */
    grid_setup(&g, &f, "P1", pts, 4, 2, res, runs);
    f.empty_at = 1;
    assert_int_equal(kw__lab_grid_run(&g), -1);
    assert_string_equal(f.log, "P0 ");
    assert_string_equal(f.warned, "the warm-up run delivered no record: stopping the lab");
    assert_int_equal(f.progress_last, 1);
    assert_int_equal(g.ran, 0);
    /* a run of setting 3 delivers nothing: said with its number, the lab stops */
    grid_setup(&g, &f, "P1", pts, 4, 2, res, runs);
    f.empty_at = 4;
    assert_int_equal(kw__lab_grid_run(&g), -1);
    assert_string_equal(f.log, "P0 P0 P1 P2 ");
    assert_string_equal(f.warned, "a run of setting 3 delivered no record: stopping the lab");
    assert_int_equal(f.ndone, 0);
    /* the last round's run fails (said by the runner): the points before it keep their medians */
    grid_setup(&g, &f, "P1", pts, 4, 2, res, runs);
    f.fail_at = 8;
    assert_int_equal(kw__lab_grid_run(&g), -1);
    assert_int_equal(g.ran, 2);
    assert_int_equal(f.ndone, 2);
    assert_string_equal(f.warned, "");
}

static int partly_failed_run(void *ud, int role, const kw_lab_point *pt, long live, kw_lab_result *r)
{
    int e = fake_run(ud, role, pt, live, r);
    if (pt->index == 1) r->failed = 10;
    return e;
}

static void test_grid_partly_failed(void **st)
{
    (void)st;
    int pts[] = {0, 1, 2};
    kw_lab_result res[3], runs[3];
    kw__lab_grid g;
    fake f;
    grid_setup(&g, &f, "P1", pts, 3, 1, res, runs);
    g.run = partly_failed_run;
    assert_int_equal(kw__lab_grid_run(&g), -1);
    assert_int_equal(g.ran, 3); /* all the points still ran */
    assert_int_equal(res[1].failed, 10);
    assert_int_equal(f.ndone, 3);
}

static void test_grid_fill(void **st)
{
    (void)st;
    const kw_lab *p1 = kw_lab_find("P1");
    int pts[] = {1, 3};
    kw_lab_result res[2], grid[4];
    memset(res, 0, sizeof res);
    res[0].records = 10;
    res[0].records_per_sec = 1.5;
    res[1].records = 20;
    memset(grid, 0x55, sizeof grid);
    kw__lab_grid_fill(p1, res, pts, 2, grid);
    assert_int_equal(grid[1].records, 10);
    assert_true(grid[1].records_per_sec == 1.5);
    assert_int_equal(grid[1].failed, 0);
    assert_int_equal(grid[3].records, 20);
    assert_int_equal(grid[0].records, 0);
    assert_int_equal(grid[0].failed, 1);
    assert_int_equal(grid[2].failed, 1);
    assert_true(grid[2].records_per_sec == 0);
    /* only the points that ran: ran = 1 leaves point 3 empty */
    kw__lab_grid_fill(p1, res, pts, 1, grid);
    assert_int_equal(grid[3].failed, 1);
    assert_int_equal(grid[3].records, 0);
}

static void test_progress(void **st)
{
    (void)st;
    const kw_lab *p1 = kw_lab_find("P1");
    FILE *f = tmpfile();
    assert_non_null(f);
    kw__lab_progress(f, p1, 0, 13);
    kw__lab_progress(f, p1, 5, 13);
    kw__lab_progress(f, p1, 13, 13);
    char *got = tu_drain(f);
    assert_string_equal(got, "\rP1 [..............................] 0/13 runs"
                             "\rP1 [###########...................] 5/13 runs"
                             "\rP1 [##############################] 13/13 runs\n");
    free(got);
}

static void test_json(void **st)
{
    (void)st;
    const kw_lab *p1 = kw_lab_find("P1");
    int pts[] = {2};
    kw_lab_result r;
    memset(&r, 0, sizeof r);
    r.records = 100;
    r.seconds = 0.5;
    r.records_per_sec = 200;
    r.mb_per_sec = 0.0175;
    r.records_per_batch = 12.5;
    r.requests = 8;
    r.runs = 3;
    r.rps_min = 190;
    r.rps_max = 210;
    r.p99_ms = 1.25;
    FILE *f = tmpfile();
    assert_non_null(f);
    kw__lab_json(f, p1, &r, pts, 1, 100, 0, "b:9092");
    char *got = tu_drain(f);
    assert_string_equal(got,
                        "{\"lab\":\"P1\",\"title\":\"batch size\",\"records\":100,\"lab_records\":50000,\"live_rate\":0,"
                        "\"broker\":\"b:9092\",\"fixed\":{\"acks\":\"1\",\"linger.ms\":\"20\"},\"runs\":[{\"run\":3,"
                        "\"settings\":{\"batch.size\":\"4096\"},\"records\":100,\"seconds\":0.500000,"
                        "\"records_per_sec\":200.0,\"mb_per_sec\":0.018,\"records_per_batch\":12.50,"
                        "\"batch_fill_pct\":0.0,\"wire_bytes_per_record\":0.00,\"compression_ratio\":0.000,"
                        "\"p50_ms\":0.000,\"p95_ms\":0.000,\"p99_ms\":1.250,\"p999_ms\":0.000,\"p9999_ms\":0.000,"
                        "\"max_ms\":0.000,\"requests\":8,\"empty_fetches\":0,\"failed\":0,\"repeats\":3,"
                        "\"records_per_sec_min\":190.0,\"records_per_sec_max\":210.0,\"bytes_per_fetch\":0.0,"
                        "\"records_per_poll\":0.00,\"over_limit_first_batch\":0,\"latency_p50_ms\":0.0,"
                        "\"latency_p99_ms\":0.0}]}\n");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_apply_point),
        cmocka_unit_test(test_run_point_parts),
        cmocka_unit_test(test_grid_rounds),
        cmocka_unit_test(test_grid_medians_consumer),
        cmocka_unit_test(test_grid_restarts),
        cmocka_unit_test(test_grid_stops),
        cmocka_unit_test(test_grid_partly_failed),
        cmocka_unit_test(test_grid_fill),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
