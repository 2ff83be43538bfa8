/*
 * bench/e2e.c — end-to-end latency, one record at a time: send and wait for the ack,
 * then read it back from the log end and take the time in its payload (bench/e2e.h).
 */
#include "bench/e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/consume/consumer.h"
#include "client/conn/net.h"
#include "client/produce/producer.h"

typedef struct report { int n, err; } report;

static void on_report(void *ud, const kw_delivery *d)
{
    report *r = ud;
    r->n++;
    if (d->err && !r->err) r->err = d->err;
}

/* Wait for record seq to come back; its latency in *lat_us. 0, or -1 with e->err set. */
static int read_back(kw_e2e *e, kw_consumer *c, long seq, int64_t *lat_us, int64_t *now_us)
{
    int64_t deadline = kw_net_now() + (int64_t)e->timeout_ms * 1000;
    for (;;) {
        int64_t left = deadline - kw_net_now();
        if (left <= 0) {
            snprintf(e->err, sizeof e->err, "record %ld not read back within %d ms", seq, e->timeout_ms);
            return -1;
        }
        const kw_msg *m;
        int n = 0;
        int rc = kw_consumer_poll_n(c, (int)((left + 999) / 1000), 1, &m, &n);
        int64_t now = kw_net_now();
        if (rc) {
            snprintf(e->err, sizeof e->err, "fetch: %s", kw_consumer_error(c));
            return -1;
        }
        if (n == 0) continue;
        if (m->value_len < KW_E2E_HEADER) {
            snprintf(e->err, sizeof e->err, "read a record of %d bytes at offset %lld: not one of this run's",
                     m->value_len, (long long)m->offset);
            return -1;
        }
        long got = (long)kw_ld64(m->value);
        if (got != seq) {
            snprintf(e->err, sizeof e->err, "read record %ld at offset %lld, expected record %ld", got,
                     (long long)m->offset, seq);
            return -1;
        }
        *lat_us = now - (int64_t)kw_ld64(m->value + 8);
        *now_us = now;
        return 0;
    }
}

int kw_e2e_run(kw_e2e *e, const kw_config *pcfg, const kw_config *ccfg)
{
    e->done = 0;
    e->total_ms = 0;
    e->err[0] = 0;
    if (e->record_size < KW_E2E_HEADER || e->records < 1 || !e->lat) {
        snprintf(e->err, sizeof e->err, "record size below %d bytes, no records, or no histogram", KW_E2E_HEADER);
        return -1;
    }
    uint8_t *payload = malloc((size_t)e->record_size);
    report rep = {0, 0};
    char err[256] = "";
    kw_producer *p = payload ? kw_producer_new(pcfg, on_report, &rep, err, sizeof err) : NULL;
    kw_consumer *c = p ? kw_consumer_new(ccfg, NULL, err, sizeof err) : NULL;
    int rc = -1;
    if (!c) {
        snprintf(e->err, sizeof e->err, "%s", payload ? err : "out of memory");
        goto out;
    }
    kw_start end = {KW_START_END, 0};
    if (kw_consumer_assign(c, e->topic, e->partition, &end)) {
        snprintf(e->err, sizeof e->err, "%s: %s", e->topic, kw_consumer_error(c));
        goto out;
    }
    memset(payload + KW_E2E_HEADER, 'A', (size_t)e->record_size - KW_E2E_HEADER);
    kw_producer_record rec = {.topic = e->topic, .partition = e->partition, .key_len = -1,
                              .value = payload, .value_len = e->record_size};
    for (long i = 0; i < e->records; i++) {
        kw_be64(payload, (uint64_t)i);
        kw_be64(payload + 8, (uint64_t)kw_net_now());
        int src = kw_producer_send(p, &rec);
        if (src) {
            snprintf(e->err, sizeof e->err, "send: %s", kw_strerror(src));
            goto out;
        }
        if (kw_producer_flush(p, e->timeout_ms) || rep.err) {
            snprintf(e->err, sizeof e->err, "record %ld: %s", i,
                     rep.err ? kw_strerror(rep.err) : "no acknowledgement in time");
            goto out;
        }
        int64_t lat, now;
        if (read_back(e, c, i, &lat, &now)) goto out;
        kw_lat_record(e->lat, 0, lat);
        if (e->whole_ms) e->whole_ms[i] = (int32_t)(lat / 1000);
        e->total_ms += (double)lat / 1000.0;
        e->done++;
        if (e->progress) e->progress(e->ud, i, lat, now);
    }
    rc = 0;
out:
    kw_consumer_free(c);
    kw_producer_close(p);
    free(payload);
    return rc;
}
