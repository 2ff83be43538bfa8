/*
 * bench/latency.c — response time, service time and send delay of paced runs, kept per
 * window and in total; windows as HdrHistogram interval log lines; the latency summary
 * (see bench/latency.h).
 */
#include "bench/latency.h"

#include <string.h>

#include "bench/hlog.h"
#include "client/admin/lag.h" /* kw__lag_printf */

int kw_lat_init(kw_lat *l, int n, const char *const *tags, int64_t t0_us)
{
    memset(l, 0, sizeof *l);
    if (n < 1 || n > KW_LAT_MAX_SERIES) return KW_ERR_INVALID_ARG;
    l->n = n;
    l->t0_us = l->win_start_us = t0_us;
    for (int i = 0; i < n; i++) {
        l->tags[i] = tags[i];
        l->total[i] = kw_hdr_new_default();
        l->win[i] = kw_hdr_new_default();
        if (!l->total[i] || !l->win[i]) {
            kw_lat_free(l);
            return KW_ERR_NOMEM;
        }
    }
    return 0;
}

void kw_lat_free(kw_lat *l)
{
    for (int i = 0; i < KW_LAT_MAX_SERIES; i++) {
        kw_hdr_free(l->total[i]);
        kw_hdr_free(l->win[i]);
    }
    memset(l, 0, sizeof *l);
}

void kw_lat_record(kw_lat *l, int s, int64_t us)
{
    kw_hdr_record(l->win[s], us < 0 ? 0 : us);
}

void kw_lat_record_paced(kw_lat *l, int64_t due_us, int64_t send_us, int64_t done_us)
{
    kw_lat_record(l, KW_LAT_RESPONSE, done_us - due_us);
    kw_lat_record(l, KW_LAT_SERVICE, done_us - send_us);
    kw_lat_record(l, KW_LAT_DELAY, send_us - due_us);
}

uint64_t kw_lat_window_count(const kw_lat *l)
{
    uint64_t n = 0;
    for (int i = 0; i < l->n; i++) n += l->win[i]->total;
    return n;
}

static double ms(int64_t us) { return (double)us / 1000.0; }

int kw_lat_window_line(const kw_lat *l, kw_buf *out)
{
    kw__lag_printf(out, "  corrected, this window (ms):");
    for (int i = 0; i < l->n; i++) {
        const kw_hdr *h = l->win[i];
        kw__lag_printf(out, "%s %s p50 %.3f p99 %.3f max %.3f", i ? " |" : "", l->tags[i], ms(kw_hdr_value_at(h, 50)),
                       ms(kw_hdr_value_at(h, 99)), ms(kw_hdr_max(h)));
    }
    return kw__lag_printf(out, "\n");
}

int kw_lat_window_end(kw_lat *l, int64_t now_us, kw_buf *hlog)
{
    int rc = 0;
    for (int i = 0; i < l->n; i++) {
        if (hlog && !rc)
            rc = kw_hlog_interval(hlog, l->tags[i], (double)(l->win_start_us - l->t0_us) / 1e6,
                                  (double)(now_us - l->win_start_us) / 1e6, l->win[i], 1000.0);
        kw_hdr_add(l->total[i], l->win[i]);
        kw_hdr_reset(l->win[i]);
    }
    l->win_start_us = now_us;
    return rc;
}

static const double pcts[] = {50, 95, 99, 99.9, 99.99};

int kw_lat_summary(kw_buf *out, const char *const *labels, const kw_hdr *const *h, int n)
{
    kw__lag_printf(out, "%-14s %10s %10s %10s %10s %10s %10s %10s %10s\n", "latency (ms)", "count", "mean", "p50", "p95",
                   "p99", "p99.9", "p99.99", "max");
    for (int i = 0; i < n; i++) {
        kw__lag_printf(out, "%-14s %10llu %10.3f", labels[i], (unsigned long long)h[i]->total, kw_hdr_mean(h[i]) / 1000.0);
        for (size_t k = 0; k < sizeof pcts / sizeof pcts[0]; k++)
            kw__lag_printf(out, " %10.3f", ms(kw_hdr_value_at(h[i], pcts[k])));
        kw__lag_printf(out, " %10.3f\n", ms(kw_hdr_max(h[i])));
    }
    for (int i = 0; i < n; i++)
        if (h[i]->saturated)
            kw__lag_printf(out, "%s: %llu values above %.0f s recorded as %.0f s\n", labels[i],
                           (unsigned long long)h[i]->saturated, (double)h[i]->highest / 1e6,
                           (double)h[i]->highest / 1e6);
    return out->err;
}

int kw_lat_json(kw_buf *out, const kw_hdr *h)
{
    return kw__lag_printf(out,
                          "{\"count\":%llu,\"mean\":%.3f,\"p50\":%.3f,\"p95\":%.3f,\"p99\":%.3f,\"p999\":%.3f,"
                          "\"p9999\":%.3f,\"max\":%.3f}",
                          (unsigned long long)h->total, kw_hdr_mean(h) / 1000.0, ms(kw_hdr_value_at(h, 50)),
                          ms(kw_hdr_value_at(h, 95)), ms(kw_hdr_value_at(h, 99)), ms(kw_hdr_value_at(h, 99.9)),
                          ms(kw_hdr_value_at(h, 99.99)), ms(kw_hdr_max(h)));
}
