/*
 * bench/worker_run.c — running a Trogdor workload (bench/worker.h): the topics created,
 * then a producer or a consumer of client/ driven until maxMessages, durationMs or a
 * stop, with a status line every statusIntervalMs (bench/worker.c writes it).
 */
#include "bench/worker.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/lab.h"
#include "bench/latency.h"
#include "client/admin/admin.h"
#include "client/core/config.h"
#include "client/consume/consumer.h"
#include "client/conn/net.h"
#include "client/produce/producer.h"
#include "client/core/clock.h"

typedef struct wrun {
    kw_wk_run *r;
    const kw_workload *w;
    kw_wk_status st;
    kw_hdr *win;               /* the open interval's latencies */
    int64_t t0_us;             /* kw_net_now() at the start */
    int64_t win_start_us, last_status_us;
    uint64_t win_records, win_bytes, win_errors;
    FILE *latlog;
    int64_t first_err;         /* the first delivery error */
    int64_t rec_bytes;         /* key + value bytes of one record */
    kw_pace pace;
    kw_buf line;
} wrun;

static void errf(kw_wk_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void errf(kw_wk_run *r, const char *fmt, ...)
{
    if (r->err[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
}

static void record(wrun *x, int64_t lat_us, int64_t bytes)
{
    if (lat_us < 0) lat_us = 0;
    kw_hdr_record(x->win, lat_us);
    x->win_records++;
    x->win_bytes += (uint64_t)bytes;
    if (x->latlog) fprintf(x->latlog, "%lld\n", (long long)lat_us);
}

/* Close the open interval at now and write a status line with state. */
static void status(wrun *x, int64_t now, const char *state)
{
    kw_wk_status *s = &x->st;
    kw_hdr_add(s->h, x->win);
    s->records += x->win_records;
    s->bytes += x->win_bytes;
    s->errors += x->win_errors;
    s->elapsed_ms = (now - x->t0_us) / 1000;
    s->int_start_ms = (x->win_start_us - x->t0_us) / 1000;
    s->int_len_ms = (now - x->win_start_us) / 1000;
    s->int_records = x->win_records;
    s->int_bytes = x->win_bytes;
    s->int_errors = x->win_errors;
    s->int_h = x->win;
    snprintf(s->state, sizeof s->state, "%s", state);
    if (!strcmp(state, "failed")) snprintf(s->error, sizeof s->error, "%.255s", x->r->err);
    x->line.len = 0;
    if (!kw_wk_status_line(&x->line, s) && x->r->emit) x->r->emit(x->r->ud, (const char *)x->line.data, x->line.len);
    s->int_h = NULL;
    kw_hdr_reset(x->win);
    x->win_records = x->win_bytes = x->win_errors = 0;
    x->win_start_us = x->last_status_us = now;
    if (x->latlog) fflush(x->latlog);
}

static int status_due(wrun *x, int64_t now)
{
    return now - x->last_status_us >= x->w->status_interval_ms * 1000;
}

/* A config for role with the workload's settings: common ones that apply to the role,
 * then the role's own (src). NULL with r->err. */
static kw_config *make_config(wrun *x, int role, int src)
{
    const kw_workload *w = x->w;
    kw_config *c = kw_config_new(role);
    if (!c) { errf(x->r, "out of memory"); return NULL; }
    int bad = kw_config_set(c, "bootstrap.servers", w->bootstrap);
    for (int pass = 0; pass < 2 && !bad; pass++)
        for (int i = 0; i < w->nconf && !bad; i++) {
            if (pass == 0 ? w->conf_src[i] != KW_WK_CONF_COMMON : w->conf_src[i] != src) continue;
            int id = kw_config_lookup(w->conf_names[i]);
            if (pass == 0 && id >= 0 && !(kw_config_desc((kw_conf_id)id)->roles & role)) continue;
            bad = kw_config_set(c, w->conf_names[i], w->conf_values[i]);
        }
    if (bad || kw_config_validate(c)) {
        errf(x->r, "settings: %s", kw_config_error(c));
        kw_config_free(c);
        return NULL;
    }
    return c;
}

/* Why the brokers of n could not be used, for a message. */
static const char *net_why(kw_net *n)
{
    for (int i = 0; n && i < kw_net_count(n); i++) {
        const char *why = kw_net_last_error(n, i);
        if (why && *why) return why;
    }
    return "no broker answered";
}

static int create_topics(wrun *x)
{
    const kw_workload *w = x->w;
    kw_config *c = make_config(x, KW_ROLE_ANY, KW_WK_CONF_ADMIN);
    if (!c) return -1;
    kw_net *n = kw_net_new(c);
    kw_topic_spec *specs = calloc((size_t)w->ntopics, sizeof *specs);
    kw_topic_result *res = calloc((size_t)w->ntopics, sizeof *res);
    int rc = -1;
    if (!n || !specs || !res) {
        errf(x->r, "out of memory");
        goto out;
    }
    if (kw_net_setup_error(n)[0]) {
        errf(x->r, "settings: %s", kw_net_setup_error(n));
        goto out;
    }
    if (kw_net_add_list(n, w->bootstrap) <= 0) {
        errf(x->r, "bootstrapServers: bad list '%s' (HOST:PORT,...)", w->bootstrap);
        goto out;
    }
    for (int i = 0; i < w->ntopics; i++)
        specs[i] = (kw_topic_spec){w->topics[i].name, w->topics[i].partitions, w->topics[i].replication_factor,
                                   (const char *const *)w->topics[i].configs, w->topics[i].nconfigs};
    int e = kw_create_topics(n, specs, w->ntopics, (int32_t)kw_config_int(c, KW_CONF_REQUEST_TIMEOUT_MS), 0, res);
    if (e == KW_ERR_VERSION) { /* a cluster without CreateTopics (a mock): the topics must exist */
        x->line.len = 0;
        kw_wk_log_line(&x->line, "the cluster does not take CreateTopics: the topics must exist");
        if (x->r->emit) x->r->emit(x->r->ud, (const char *)x->line.data, x->line.len);
        rc = 0;
        goto out;
    }
    if (e) {
        errf(x->r, "cannot reach the cluster at %s: %s (%s)", w->bootstrap, kw_strerror(e), net_why(n));
        goto out;
    }
    for (int i = 0; i < w->ntopics; i++)
        if (res[i].error && res[i].error != KW_KAFKA_TOPIC_ALREADY_EXISTS) {
            errf(x->r, "topic %s: %s", w->topics[i].name, res[i].message[0] ? res[i].message : kw_strerror(res[i].error));
            goto out;
        }
    rc = 0;
out:
    free(specs);
    free(res);
    kw_net_free(n);
    kw_config_free(c);
    return rc;
}

static void on_delivery(void *ud, const kw_delivery *d)
{
    wrun *x = ud;
    if (d->err) {
        if (!x->first_err) x->first_err = d->err;
        x->win_errors++;
        return;
    }
    int64_t done = d->send_us + d->latency_us;
    int64_t lat = x->w->target_per_sec > 0 ? done - kw_pace_due(&x->pace, (long)(uintptr_t)d->opaque) : d->latency_us;
    record(x, lat, x->rec_bytes);
}

static int time_up(wrun *x, int64_t now)
{
    return x->w->duration_ms && now - x->t0_us >= x->w->duration_ms * 1000;
}

static int run_produce(wrun *x)
{
    const kw_workload *w = x->w;
    kw_wk_run *r = x->r;
    if (create_topics(x)) return -1;
    kw_config *c = make_config(x, KW_ROLE_PRODUCER, KW_WK_CONF_PRODUCER);
    if (!c) return -1;
    char perr[256] = "";
    kw_producer *p = kw_producer_new(c, on_delivery, x, perr, sizeof perr);
    kw_config_free(c);
    if (!p) { errf(r, "producer: %s", perr); return -1; }
    const char **act = calloc((size_t)w->ntopics, sizeof *act);
    int32_t vlen = w->lab_payload ? KW_LAB_PAYLOAD_LEN : w->value_size;
    uint8_t *value = calloc(1, (size_t)vlen + 1);
    if (!act || !value) { free(act); free(value); kw_producer_close(p); errf(r, "out of memory"); return -1; }
    if (w->lab_payload) memcpy(value, KW_LAB_PAYLOAD, KW_LAB_PAYLOAD_LEN);
    int nact = 0;
    for (int i = 0; i < w->ntopics; i++)
        if (!w->topics[i].inactive) act[nact++] = w->topics[i].name;
    x->rec_bytes = vlen + w->key_size;
    int64_t now = kw_net_now();
    x->t0_us = x->win_start_us = x->last_status_us = now;
    x->st.start_ms = kw__wall_us() / 1000;
    x->pace = (kw_pace){now, (double)w->target_per_sec};
    int failed = 0;
    long i = 0;
    for (; !*r->stop && (!w->max_messages || i < w->max_messages); i++) {
        now = kw_net_now();
        if (time_up(x, now)) break;
        if (status_due(x, now)) status(x, now, "running");
        if (w->target_per_sec > 0) { /* record i is due at t0 + i / rate */
            int64_t due = kw_pace_due(&x->pace, i);
            while (!*r->stop && (now = kw_net_now()) < due && !status_due(x, now) && !time_up(x, now)) {
                int64_t wait = due - now, to_status = x->last_status_us + w->status_interval_ms * 1000 - now;
                if (to_status < wait) wait = to_status;
                kw_producer_poll(p, (int)((wait + 999) / 1000));
            }
            if (*r->stop || time_up(x, now)) break;
            if (now < due) { i--; continue; } /* a status came due first */
        }
        uint8_t key[8];
        uint64_t k = (uint64_t)(w->key_start + i);
        for (int b = 0; b < w->key_size; b++) key[b] = (uint8_t)(k >> (8 * b)); /* little-endian, as Trogdor's */
        kw_producer_record rec = {.topic = act[i % nact], .partition = -1, .key = w->key_size ? key : NULL,
                                  .key_len = w->key_size ? w->key_size : -1, .value = value, .value_len = vlen,
                                  .opaque = (void *)(uintptr_t)i};
        int rc = kw_producer_send(p, &rec);
        if (rc == KW_ERR_TIMEOUT) {
            errf(r, "%s: no metadata within max.block.ms (is the cluster at %s reachable? %s)", rec.topic, w->bootstrap,
                 net_why(kw_producer_net(p)));
            failed = 1;
            break;
        }
        if (rc && kw_net_fatal(kw_producer_net(p), NULL)) {
            errf(r, "send: %s (%s)", kw_strerror(rc), net_why(kw_producer_net(p)));
            failed = 1;
            break;
        }
        if (rc) {
            if (!x->first_err) x->first_err = rc;
            x->win_errors++;
        }
    }
    /* everything accepted reported: without bound when the run ended by itself, for
     * flush_ms after a stop (Trogdor's grace period is 5 s by default) */
    while (!failed && !*r->stop && kw_producer_outstanding(p)) {
        kw_producer_flush(p, 200);
        now = kw_net_now();
        if (status_due(x, now)) status(x, now, "running");
    }
    int left = kw_producer_flush(p, *r->stop || failed ? r->flush_ms : 0) != 0;
    if (x->first_err && !failed) {
        errf(r, "%llu records not delivered (first: %s)", (unsigned long long)(x->st.errors + x->win_errors),
             kw_strerror((int)x->first_err));
        failed = 1;
    }
    status(x, kw_net_now(), failed ? "failed" : *r->stop ? "stopped" : "done");
    if (!left) kw_producer_close(p); /* else records in flight: close would wait delivery.timeout.ms */
    free(act);
    free(value);
    return failed ? -1 : 0;
}

static int run_consume(wrun *x)
{
    const kw_workload *w = x->w;
    kw_wk_run *r = x->r;
    kw_config *c = make_config(x, KW_ROLE_CONSUMER, KW_WK_CONF_CONSUMER);
    if (!c) return -1;
    if (w->group && kw_config_set(c, "group.id", w->group)) {
        errf(r, "consumerGroup: %s", kw_config_error(c));
        kw_config_free(c);
        return -1;
    }
    if (w->group && w->from_latest && kw_config_set(c, "auto.offset.reset", "latest")) {
        errf(r, "consumeFrom: %s", kw_config_error(c));
        kw_config_free(c);
        return -1;
    }
    if (w->group && !w->from_latest && !kw_config_is_set(c, KW_CONF_AUTO_OFFSET_RESET))
        kw_config_set(c, "auto.offset.reset", "earliest");
    char cerr[256] = "";
    kw_consumer *cons = kw_consumer_new(c, NULL, cerr, sizeof cerr);
    kw_config_free(c);
    if (!cons) { errf(r, "consumer: %s", cerr); return -1; }
    int rc = 0;
    if (w->group) {
        const char **names = calloc((size_t)w->ntopics, sizeof *names);
        if (!names) { kw_consumer_free(cons); errf(r, "out of memory"); return -1; }
        for (int i = 0; i < w->ntopics; i++) names[i] = w->topics[i].name;
        rc = kw_consumer_subscribe(cons, names, w->ntopics);
        free(names);
        if (rc) errf(r, "subscribe: %s", kw_consumer_error(cons));
    } else {
        kw_start start = {w->from_latest ? KW_START_END : KW_START_BEGINNING, 0};
        for (int i = 0; i < w->ntopics && !rc; i++) {
            rc = kw_consumer_assign(cons, w->topics[i].name, w->topics[i].partition, &start);
            if (rc) errf(r, "%s: %s (cluster at %s)", w->topics[i].name, kw_consumer_error(cons), w->bootstrap);
        }
    }
    if (rc) { kw_consumer_free(cons); return -1; }
    int64_t now = kw_net_now();
    x->t0_us = x->win_start_us = x->last_status_us = now;
    x->st.start_ms = kw__wall_us() / 1000;
    uint64_t got = 0;
    int failed = 0;
    while (!*r->stop && (!w->max_messages || got < (uint64_t)w->max_messages)) {
        now = kw_net_now();
        if (time_up(x, now)) break;
        if (status_due(x, now)) status(x, now, "running");
        const kw_msg *m;
        int n = 0;
        int prc = kw_consumer_poll(cons, 100, &m, &n);
        int64_t arrival = kw__wall_us();
        for (int i = 0; i < n && (!w->max_messages || got < (uint64_t)w->max_messages); i++, got++) {
            int64_t bytes = (m[i].key_len > 0 ? m[i].key_len : 0) + (m[i].value_len > 0 ? m[i].value_len : 0);
            record(x, arrival - m[i].timestamp * 1000, bytes);
        }
        if (prc) {
            errf(r, "poll: %s", kw_consumer_error(cons));
            failed = 1;
            break;
        }
    }
    status(x, kw_net_now(), failed ? "failed" : *r->stop ? "stopped" : "done");
    if (w->group) kw_consumer_close(cons, (int)r->flush_ms);
    kw_consumer_free(cons);
    return failed ? -1 : 0;
}

int kw_worker_run(kw_wk_run *r)
{
    static volatile sig_atomic_t never;
    wrun x = {.r = r, .w = r->w};
    r->err[0] = 0;
    if (!r->stop) r->stop = &never;
    if (r->flush_ms <= 0) r->flush_ms = 2000;
    snprintf(x.st.task, sizeof x.st.task, "%s", r->w->task_id ? r->w->task_id : "");
    x.st.kind = r->w->kind;
    x.st.h = kw_hdr_new_default();
    x.win = kw_hdr_new_default();
    kw_buf_init(&x.line);
    int rc = -1;
    if (!x.st.h || !x.win) {
        errf(r, "out of memory");
        goto out;
    }
    if (r->w->latency_log && !(x.latlog = fopen(r->w->latency_log, "w"))) {
        errf(r, "latencyLog %s: %s", r->w->latency_log, strerror(errno));
        goto out;
    }
    x.t0_us = x.win_start_us = x.last_status_us = kw_net_now();
    x.st.start_ms = kw__wall_us() / 1000;
    rc = r->w->kind == KW_WK_CONSUME ? run_consume(&x) : run_produce(&x);
    if (x.latlog && fclose(x.latlog) && !rc) {
        errf(r, "latencyLog %s: %s", r->w->latency_log, strerror(errno));
        rc = -1;
    }
    x.latlog = NULL;
out:
    if (x.latlog) fclose(x.latlog);
    kw_buf_free(&x.line);
    kw_hdr_free(x.st.h);
    kw_hdr_free(x.win);
    return rc;
}
