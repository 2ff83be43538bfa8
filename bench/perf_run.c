/*
 * bench/perf_run.c — the run of `kwire bench produce` (see perf_run.h): the paced or
 * unpaced send loop, the delivery reports' latencies, the progress windows and the
 * interval log, and the frame tap counting Produce bytes.
 */
#include "bench/perf_run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "bench/hlog.h"
#include "bench/perf.h"
#include "client/conn/net.h"
#include "client/produce/producer.h"
#include "proto/proto.h"
#include "client/core/clock.h"

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void warnf(const kw_perf_produce_opts *o, const char *fmt, ...)
{
    if (!o->warn) return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    o->warn(o->ud, text);
}

/* Frame tap: the bytes Produce requests and responses really take on the wire. */
static void on_frame(void *ud, int dir, int16_t api_key, int16_t version, const uint8_t *payload, size_t len)
{
    kw_perf_produce_run *s = ud;
    (void)version;
    (void)payload;
    if (api_key != KW_API_Produce) return;
    if (dir == KW_REQ) {
        s->req_frames++;
        s->req_frame_bytes += 4 + (uint64_t)len;
    } else {
        s->resp_frame_bytes += 4 + (uint64_t)len;
    }
}

/* Close the latency window: its interval lines to the --hlog file. */
static void lat_window_end(kw_perf_produce_run *s, int64_t now)
{
    int rc = kw_lat_window_end(&s->lat, now, s->o->hlog ? &s->hbuf : NULL);
    if (rc && !s->hlog_err) s->hlog_err = rc;
    if (s->o->hlog && s->hbuf.len) {
        if (fwrite(s->hbuf.data, 1, s->hbuf.len, s->o->hlog) != s->hbuf.len && !s->hlog_err) s->hlog_err = errno;
        s->hbuf.len = 0;
    }
}

/* The Kafka tool's progress line for the window, then (paced) the corrected figures. */
static void window_line(kw_perf_produce_run *s, int64_t now)
{
    double secs = (double)(now - s->win_start) / 1e6;
    if (s->o->progress && s->win_count > 0 && secs > 0) {
        double rps = (double)s->win_count / secs;
        fprintf(s->o->progress, "%ld records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.\n",
                s->win_count, rps, rps * s->o->plen / (1024.0 * 1024.0), s->win_lat_sum / (double)s->win_count,
                (double)s->win_lat_max);
        if (s->paced) {
            kw_buf b;
            kw_buf_init(&b);
            kw_lat_window_line(&s->lat, &b);
            fwrite(b.data, 1, b.len, s->o->progress);
            kw_buf_free(&b);
        }
        fflush(s->o->progress);
    }
    lat_window_end(s, now);
    s->win_start = now;
    s->win_count = 0;
    s->win_lat_sum = 0;
    s->win_lat_max = 0;
}

static void on_report(void *ud, const kw_delivery *d)
{
    kw_perf_produce_run *s = ud;
    if (d->err) {
        if (!s->failed) s->first_err = d->err;
        s->failed++;
        return;
    }
    int64_t l = d->latency_ms < 0 ? 0 : d->latency_ms;
    s->ok++;
    s->lat_sum += (double)l;
    if (l > s->lat_max) s->lat_max = l;
    if (s->reports++ % s->every == 0 && s->nsamples < s->cap) s->samples[s->nsamples++] = (int32_t)l;
    s->win_count++;
    s->win_lat_sum += (double)l;
    if (l > s->win_lat_max) s->win_lat_max = l;
    int64_t done = d->send_us + d->latency_us;
    if (s->paced) kw_lat_record_paced(&s->lat, kw_pace_due(&s->pace, (long)(uintptr_t)d->opaque), d->send_us, done);
    else kw_lat_record(&s->lat, 0, d->latency_us);
    if (done - s->win_start >= s->window_us) window_line(s, done);
}

void kw_perf_produce_free(kw_perf_produce_run *r)
{
    if (r->p) kw_producer_close(r->p);
    kw_buf_free(&r->hbuf);
    kw_lat_free(&r->lat);
    free(r->samples);
    memset(r, 0, sizeof *r);
}

int kw_perf_produce(const kw_config *cfg, const kw_perf_produce_opts *o, kw_perf_produce_run *r)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->every = o->records / KW_PERF_MAX_SAMPLES + 1;
    r->paced = o->throughput > 0;
    r->window_us = o->interval_ms * 1000;
    r->cap = o->records / r->every + 1;
    r->samples = malloc((size_t)r->cap * sizeof *r->samples);
    static const char *const paced_tags[] = {KW_LAT_TAG_RESPONSE, KW_LAT_TAG_SERVICE, KW_LAT_TAG_DELAY};
    static const char *const plain_tags[] = {KW_LAT_TAG_SERVICE};
    if (r->samples && kw_lat_init(&r->lat, r->paced ? KW_LAT_PACED_SERIES : 1, r->paced ? paced_tags : plain_tags, 0)) {
        free(r->samples);
        r->samples = NULL;
    }
    char err[256] = "";
    r->p = r->samples ? kw_producer_new(cfg, on_report, r, err, sizeof err) : NULL;
    if (!r->p) {
        warnf(o, "%s", r->samples ? err : "out of memory");
        kw_perf_produce_free(r);
        return -1;
    }
    kw_producer_set_tap(r->p, on_frame, r);
    kw_producer *p = r->p;
    kw_producer_record rec = {.topic = o->topic, .partition = -1, .key_len = -1, .value = o->payload,
                              .value_len = o->plen};
    double t0 = kw__mono_s();
    int64_t t0_us = kw_net_now();
    r->pace = (kw_pace){t0_us, (double)o->throughput};
    r->lat.t0_us = r->lat.win_start_us = r->win_start = t0_us;
    if (o->hlog) {
        char note[300];
        snprintf(note, sizeof note, "kwire bench produce -t %s -n %ld%s: values in microseconds, Interval_Max in ms",
                 o->topic, o->records, r->paced ? " (paced)" : "");
        kw_hlog_header(&r->hbuf, kw__wall_ms(), note);
    }
    for (long i = 0; i < o->records; i++) {
        if (r->paced) { /* record i is due at t0 + i / throughput */
            int64_t due = kw_pace_due(&r->pace, i), now;
            while ((now = kw_net_now()) < due) kw_producer_poll(p, (int)((due - now + 999) / 1000));
        }
        rec.opaque = (void *)(uintptr_t)i;
        int rc = kw_producer_send(p, &rec);
        if (rc == KW_ERR_TIMEOUT) {
            warnf(o, "%s: no metadata within max.block.ms (is the broker reachable?)", o->topic);
            r->refused += o->records - i;
            break;
        }
        int idx = 0;
        if (rc && kw_net_fatal(kw_producer_net(p), &idx)) { /* no broker can be used: stop */
            warnf(o, "send: %s (%s)", kw_strerror(rc), kw_net_last_error(kw_producer_net(p), idx));
            r->refused += o->records - i;
            break;
        }
        if (rc) {
            if (!r->refused) warnf(o, "send: %s", kw_strerror(rc));
            r->refused++;
        }
    }
    int frc = kw_producer_flush(p, -1);
    r->seconds = kw__mono_s() - t0;
    r->lost = frc ? (long)kw_producer_outstanding(p) : 0;
    lat_window_end(r, kw_net_now()); /* the last, partial window */
    kw_perf_sort_samples(r->samples, r->nsamples);
    return 0;
}
