/*
 * bench/lab_run.c — one run of a lab's grid point (see lab_run.h): the producer run
 * (optionally paced), the consumer run (optionally live, with a producer thread), and
 * the run's figures from the clients' statistics.
 */
#include "bench/lab_run.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "client/conn/net.h"
#include "client/consume/consumer.h"
#include "client/produce/producer.h"
#include "client/core/clock.h"

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void warnf(kw_lab_warn_fn warn, void *ud, const char *fmt, ...)
{
    if (!warn) return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    warn(ud, text);
}

void kw_lab_fill_produce(kw_lab_result *r, const kw_producer_stats *s, long records, long failed)
{
    r->records = records;
    r->failed = failed;
    r->records_per_batch = s->batches ? (double)s->batch_records / (double)s->batches : 0;
    r->batch_fill_pct = s->batches ? 100.0 * s->batch_fill_sum / (double)s->batches : 0;
    r->compression_ratio = s->batch_wire_bytes ? (double)s->batch_raw_bytes / (double)s->batch_wire_bytes : 1;
    r->wire_bytes_per_record = records ? (double)s->request_bytes / (double)records : 0;
    r->requests += (long)s->requests;
    kw_lab_latency(r, s->latency_us);
}

void kw_lab_fill_consume(kw_lab_result *r, const kw_consumer_stats *s, long records, long got)
{
    r->records = records;
    if (got < records) r->failed = records - got; /* the topic held fewer, or a partition stopped */
    uint64_t full = s->fetches - s->empty_fetches;
    r->records_per_batch = full ? (double)s->records / (double)full : 0;
    r->wire_bytes_per_record = s->records ? (double)s->bytes / (double)s->records : 0;
    r->requests += (long)s->fetches;
    r->empty_fetches += (long)s->empty_fetches;
    kw_lab_latency(r, s->fetch_hold_us);
    r->compression_ratio = 1;
    r->bytes_per_fetch = kw_hist_mean(&s->fetch_records_bytes);
    r->records_per_poll = s->polls > s->empty_polls ? (double)s->records / (double)(s->polls - s->empty_polls) : 0;
    r->over_limit_first_batch = (long)(s->part_over_first_batch + s->fetch_over_first_batch);
}

typedef struct pctx { long failed; int first_err; } pctx;

static void on_delivery(void *ud, const kw_delivery *d)
{
    pctx *c = ud;
    if (d->err) {
        if (!c->failed) c->first_err = d->err;
        c->failed++;
    }
}

int kw_lab_run_produce(const kw_config *cfg, const char *topic, long records, long rate, kw_lab_result *r,
                       kw_lab_warn_fn warn, void *ud)
{
    char err[256] = "";
    pctx ctx = {0, 0};
    kw_producer *p = kw_producer_new(cfg, on_delivery, &ctx, err, sizeof err);
    if (!p) { warnf(warn, ud, "%s", err); return -1; }
    kw_producer_record rec = {.topic = topic, .partition = -1, .key_len = -1,
                              .value = KW_LAB_PAYLOAD, .value_len = KW_LAB_PAYLOAD_LEN};
    double t0 = kw__mono_s();
    long refused = 0;
    for (long i = 0; i < records; i++) {
        while (rate > 0) { /* record i goes at t0 + i / rate */
            double wait = t0 + (double)i / (double)rate - kw__mono_s();
            if (wait <= 0) break;
            kw_producer_poll(p, (int)(wait * 1000.0) + 1);
        }
        int rc = kw_producer_send(p, &rec);
        if (rc == KW_ERR_TIMEOUT) { /* no metadata within max.block.ms: the rest would wait too */
            warnf(warn, ud, "%s: no metadata within max.block.ms (is the broker reachable?)", topic);
            refused += records - i;
            break;
        }
        int idx = 0;
        if (rc && kw_net_fatal(kw_producer_net(p), &idx)) { /* no broker can be used: stop */
            warnf(warn, ud, "send: %s (%s)", kw_strerror(rc), kw_net_last_error(kw_producer_net(p), idx));
            refused += records - i;
            break;
        }
        if (rc) {
            if (!refused) warnf(warn, ud, "send: %s", kw_strerror(rc));
            refused++;
        }
    }
    int frc = kw_producer_flush(p, -1);
    r->seconds += kw__mono_s() - t0;
    kw_lab_fill_produce(r, kw_producer_stats_get(p), records,
                        ctx.failed + refused + (frc ? (long)kw_producer_outstanding(p) : 0));
    if (ctx.failed) warnf(warn, ud, "%ld records failed: %s", ctx.failed, kw_strerror(ctx.first_err));
    kw_producer_close(p);
    return 0;
}

/* The live consumer runs' producer, on a thread of its own. */
typedef struct live_prod {
    const kw_config *cfg;
    const char *topic;
    long records, rate;
    kw_lab_warn_fn warn;
    void *ud;
    kw_lab_result r;
    int rc;
    atomic_int done; /* set last by the producer thread */
} live_prod;

static void *live_producer(void *arg)
{
    live_prod *lp = arg;
    lp->rc = kw_lab_run_produce(lp->cfg, lp->topic, lp->records, lp->rate, &lp->r, lp->warn, lp->ud);
    atomic_store(&lp->done, 1);
    return NULL;
}

int kw_lab_run_consume(const kw_config *cfg, const kw_config *pcfg, const char *topic, long records, long live,
                       kw_lab_result *r, kw_lab_warn_fn warn, void *ud)
{
    char err[256] = "";
    kw_consumer *c = kw_consumer_new(cfg, NULL, err, sizeof err);
    if (!c) { warnf(warn, ud, "%s", err); return -1; }
    kw_start start = {live ? KW_START_END : KW_START_BEGINNING, 0};
    double t0 = kw__mono_s();
    if (kw_consumer_assign(c, topic, -1, &start)) {
        warnf(warn, ud, "%s: %s", topic, kw_consumer_error(c));
        kw_consumer_free(c);
        return -1;
    }
    live_prod lp = {pcfg, topic, records, live, warn, ud, {0}, 0, 0};
    pthread_t th;
    int started = 0;
    kw_hist lat;
    kw_hist_init(&lat);
    if (live) {
        t0 = kw__mono_s();
        if (pthread_create(&th, NULL, live_producer, &lp)) {
            warnf(warn, ud, "cannot start the producer thread");
            kw_consumer_free(c);
            return -1;
        }
        started = 1;
    }
    long got = 0;
    int stalls = 0;
    while (got < records) {
        const kw_msg *m;
        int n = 0;
        int rc = kw_consumer_poll(c, 1000, &m, &n);
        if (rc) {
            warnf(warn, ud, "%s", kw_consumer_error(c));
            break;
        }
        got += n;
        if (live && n) {
            int64_t now = kw__wall_ms();
            for (int i = 0; i < n; i++) kw_hist_record(&lat, (uint64_t)(now > m[i].timestamp ? now - m[i].timestamp : 0));
        }
        /* the topic holds fewer (live: the producer is done and nothing more came) */
        if (n == 0 && kw_consumer_at_end(c) && (!live || atomic_load(&lp.done)) && ++stalls > 5) break;
    }
    double secs = kw__mono_s() - t0;
    if (started) {
        pthread_join(th, NULL);
        if (lp.rc || lp.r.failed) warnf(warn, ud, "the live producer failed to write %ld records", lp.r.failed);
        r->live_rate = (double)live;
        r->lat_p50_ms = (double)kw_hist_quantile(&lat, 0.5);
        r->lat_p99_ms = (double)kw_hist_quantile(&lat, 0.99);
    }
    r->seconds += secs;
    kw_lab_fill_consume(r, kw_consumer_stats_get(c), records, got);
    kw_consumer_free(c);
    return 0;
}
