/*
 * bench/lab_grid.c — a lab's whole grid run (see lab_grid.h): the points, each point's
 * settings, a run's parts combined, the order of the runs, medians and the JSON.
 */
#include "bench/lab_grid.h"

#include <stdarg.h>
#include <string.h>

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void say(const kw__lab_grid *g, const char *fmt, ...)
{
    if (!g->warn) return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    g->warn(g->ud, text);
}

int kw__lab_select(const kw_lab *lab, int quick, int *pts)
{
    int total = kw_lab_points(lab), n = 0;
    for (int i = 0; i < total; i++) {
        int in = !quick;
        for (int q = 0; quick && q < 4 && lab->quick[q]; q++) in |= lab->quick[q] == i + 1;
        if (in) pts[n++] = i;
    }
    return n;
}

int kw__lab_apply_point(kw_config *cfg, int role, const kw_lab_point *pt)
{
    const char *names[16], *values[16];
    int n = kw_lab_point_settings(pt, names, values, 16);
    for (int i = 0; i < n; i++) {
        /* a consumer lab's producer-side settings (and the reverse) do not apply */
        int id = kw_config_lookup(names[i]);
        if (id >= 0 && !(kw_config_desc((kw_conf_id)id)->roles & role)) continue;
        if (kw_config_set(cfg, names[i], values[i])) return -1;
    }
    return kw_config_validate(cfg) ? -1 : 0;
}

int kw__lab_run_point(const kw__lab_grid *g, const kw_lab_point *pt, kw_lab_result *r)
{
    int kind = g->lab->kind, e = 0;
    memset(r, 0, sizeof *r);
    if (kind != KW_LAB_CONSUME) e = g->run(g->ud, KW_ROLE_PRODUCER, pt, 0, r);
    if (!e && kind != KW_LAB_PRODUCE) {
        double prod_s = r->seconds;
        kw_lab_result c;
        memset(&c, 0, sizeof c);
        e = g->run(g->ud, KW_ROLE_CONSUMER, pt, kind == KW_LAB_CONSUME ? g->live : 0, &c);
        if (kind == KW_LAB_CONSUME) *r = c;
        else { r->seconds = prod_s + c.seconds; r->failed += c.failed; r->requests += c.requests; }
    }
    long delivered = r->records - r->failed;
    r->records_per_sec = r->seconds > 0 && delivered > 0 ? (double)delivered / r->seconds : 0;
    r->mb_per_sec = r->records_per_sec * KW_LAB_PAYLOAD_LEN / (1024.0 * 1024.0);
    return e;
}

int kw__lab_grid_runs(const kw__lab_grid *g)
{
    return g->npts * g->repeat + (g->restarts ? g->npts : 1);
}

static void progress(const kw__lab_grid *g, int done, int total)
{
    if (g->progress) g->progress(g->ud, done, total);
}

int kw__lab_grid_run(kw__lab_grid *g)
{
    const kw_lab *lab = g->lab;
    int rc = 0, done = 0, nruns = kw__lab_grid_runs(g), npts = g->npts, repeat = g->repeat;
    g->ran = 0;
    progress(g, 0, nruns);
    kw_lab_point pt;
    kw_lab_result warm;
    if (!g->restarts && npts) { /* one unrecorded warm-up run: connections, JIT and page cache settle */
        kw_lab_point_at(lab, g->pts[0], &pt);
        if (kw__lab_run_point(g, &pt, &warm)) {
            rc = -1;
            npts = 0;
        } else if (warm.failed >= warm.records) {
            say(g, "the warm-up run delivered no record: stopping the lab");
            rc = -1;
            npts = 0;
        }
        progress(g, ++done, nruns);
    }
    /* without restarts the runs go round the grid, repeat times over, so that a drift of
     * the machine touches every setting alike; a broker restart holds a point's runs together */
    int rounds = g->restarts ? 1 : repeat, per = g->restarts ? repeat : 1;
    for (int round = 0; round < rounds && rc == 0; round++) {
        for (int j = 0; j < npts; j++) {
            kw_lab_point_at(lab, g->pts[j], &pt);
            if (g->restarts) {
                if (g->start_broker(g->ud, &pt)) { rc = -1; break; }
                int e = kw__lab_run_point(g, &pt, &warm); /* warm-up on the fresh broker */
                progress(g, ++done, nruns);
                if (e) { g->stop_broker(g->ud); rc = -1; break; }
            }
            int e = 0;
            for (int k = 0; k < per && !e; k++) {
                kw_lab_result *one = &g->runs[j * repeat + (g->restarts ? k : round)];
                e = kw__lab_run_point(g, &pt, one);
                progress(g, ++done, nruns);
                if (!e && one->failed >= one->records) {
                    say(g, "a run of setting %d delivered no record: stopping the lab", g->pts[j] + 1);
                    e = -1;
                }
            }
            if (g->restarts) g->stop_broker(g->ud);
            if (e) { rc = -1; break; }
            if (round == rounds - 1) {
                kw_lab_result *r = &g->res[j];
                kw_lab_median(&g->runs[j * repeat], repeat, r);
                if (r->failed) rc = -1;
                if (g->point_done) g->point_done(g->ud, &pt, r);
                g->ran = j + 1;
            }
        }
    }
    return rc;
}

void kw__lab_grid_fill(const kw_lab *lab, const kw_lab_result *res, const int *pts, int ran, kw_lab_result *grid)
{
    int total = kw_lab_points(lab);
    memset(grid, 0, (size_t)total * sizeof *grid);
    for (int j = 0; j < ran; j++) grid[pts[j]] = res[j];
    for (int i = 0; i < total; i++)
        if (!grid[i].records) grid[i].failed = 1; /* not run: no figure */
}

void kw__lab_progress(FILE *f, const kw_lab *lab, int done, int total)
{
    int w = 30, fill = total ? done * w / total : w;
    fprintf(f, "\r%s [", lab->name);
    for (int i = 0; i < w; i++) fputc(i < fill ? '#' : '.', f);
    fprintf(f, "] %d/%d runs%s", done, total, done == total ? "\n" : "");
}

void kw__lab_json(FILE *f, const kw_lab *lab, const kw_lab_result *res, const int *pts, int n, long records, long live,
                  const char *broker)
{
    fprintf(f,
            "{\"lab\":\"%s\",\"title\":\"%s\",\"records\":%ld,\"lab_records\":%ld,\"live_rate\":%ld,"
            "\"broker\":\"%s\",\"fixed\":{",
            lab->name, lab->title, records, lab->records, live, broker);
    for (int i = 0; i < lab->nfixed; i++) fprintf(f, "%s\"%s\":\"%s\"", i ? "," : "", lab->fixed[i][0], lab->fixed[i][1]);
    fprintf(f, "},\"runs\":[");
    for (int i = 0; i < n; i++) {
        kw_lab_point pt;
        kw_lab_point_at(lab, pts[i], &pt);
        const kw_lab_result *r = &res[i];
        fprintf(f, "%s{\"run\":%d,\"settings\":{", i ? "," : "", pts[i] + 1);
        for (int a = 0; a < lab->naxes; a++)
            fprintf(f, "%s\"%s\":\"%s\"", a ? "," : "", lab->axes[a].setting, pt.values[a]);
        fprintf(f,
                "},\"records\":%ld,\"seconds\":%.6f,\"records_per_sec\":%.1f,\"mb_per_sec\":%.3f,"
                "\"records_per_batch\":%.2f,\"batch_fill_pct\":%.1f,\"wire_bytes_per_record\":%.2f,"
                "\"compression_ratio\":%.3f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,"
                "\"p9999_ms\":%.3f,\"max_ms\":%.3f,\"requests\":%ld,\"empty_fetches\":%ld,\"failed\":%ld,"
                "\"repeats\":%d,\"records_per_sec_min\":%.1f,\"records_per_sec_max\":%.1f,"
                "\"bytes_per_fetch\":%.1f,\"records_per_poll\":%.2f,\"over_limit_first_batch\":%ld,"
                "\"latency_p50_ms\":%.1f,\"latency_p99_ms\":%.1f}",
                r->records, r->seconds, r->records_per_sec, r->mb_per_sec, r->records_per_batch, r->batch_fill_pct,
                r->wire_bytes_per_record, r->compression_ratio, r->p50_ms, r->p95_ms, r->p99_ms, r->p999_ms,
                r->p9999_ms, r->max_ms, r->requests, r->empty_fetches, r->failed, r->runs, r->rps_min, r->rps_max,
                r->bytes_per_fetch, r->records_per_poll, r->over_limit_first_batch, r->lat_p50_ms, r->lat_p99_ms);
    }
    fprintf(f, "]}\n");
}
