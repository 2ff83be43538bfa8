/*
 * client/produce/producer.c — the Kafka producer's event loop (see producer.h): topics and their
 * accumulators, metadata (asynchronous Metadata requests, leaders per partition),
 * InitProducerId, draining ready batches into Produce requests per broker, response
 * handling (success, retry in order, failure), delivery timeouts and reports.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/conn/net.h"
#include "kwire.h"
#include "producer.h"
#include "client/conn/metadata.h"
#include "client/produce/partitioner.h"
#include "codec/compress.h"
#include "codec/grow.h"
#include "proto/msg_initproducerid.h"
#include "proto/msg_metadata.h"
#include "proto/msg_produce.h"
#include "proto/proto.h"
#include "client/core/clock.h"

#define MAX_TOPICS_PER_META 64
#define STEP_BYTES (256u << 10) /* run the loop after this many bytes accepted */

/* Per partition of a topic. */
typedef struct ppart {
    int leader;           /* kw_net index of the leader, -1 unknown */
    int32_t next_seq;     /* idempotence: next base sequence */
    int32_t acked_seq;    /* idempotence: last sequence acknowledged under the current id, -1 none */
    int inflight;         /* batches of this partition in flight */
    int64_t retry_at_ms;  /* a requeued batch waits until then */
    int retry_pending;    /* the queue's head is a retry: wait for in-flight ones */
} ppart;

typedef struct ptopic {
    char *name;
    int32_t nparts;       /* 0 until metadata known */
    int16_t meta_err;     /* last metadata error for the topic */
    kw_uuid id;           /* topic id (Metadata v10+), zero when unknown */
    ppart *parts;
    kw_accum acc;
    int acc_ready;
    kw_sticky sticky;
} ptopic;

/* One Produce request in flight. */
typedef struct preq {
    kw_producer *p;
    int broker;
    int nb, cap;
    kw_pbatch **b;
    ptopic **t;
    int64_t pid;          /* producer id the batches carry (-1: none) */
    size_t bytes;
} preq;

struct kw_producer {
    kw_config *cfg;
    kw_net *net;
    kw_delivery_cb cb;
    void *cb_ud;
    /* settings */
    int acks, idempotent, max_in_flight, retries;
    int meta_req_err; /* error of the last Metadata request (0: answered) */
    char last_why[256]; /* the last whole-request failure, as the connection saw it */
    char send_why[768];  /* why kw_producer_send last refused a record */
    const volatile sig_atomic_t *intr; /* kw_producer_set_interrupt */
    int64_t linger_ms, max_block_ms, delivery_timeout_ms, request_timeout_ms, backoff_ms, backoff_max_ms;
    int64_t meta_max_age_ms;
    size_t batch_size, buffer_memory, max_request_size;
    int codec, level;
    int part_mode; /* 0 default, 1 murmur2, 2 sticky, 3 round_robin */
    int ignore_keys;
    uint32_t rr;
    /* topics */
    ptopic **topics;
    int ntopics, captopics;
    ptopic *last;
    /* brokers: Produce requests in flight per kw_net index */
    int *bin; int nbin;
    uint8_t *bsent;       /* acks=0: Produce sent since the last barrier */
    int barriers;         /* barrier requests outstanding */
    preq **building; int nbuilding;
    /* metadata */
    int meta_inflight, meta_wanted, meta_broker;
    int64_t meta_next_ms, meta_last_ms;
    /* idempotence */
    int64_t pid; int16_t epoch;
    int pid_inflight, pid_wanted;
    int64_t pid_next_ms;
    /* state */
    uint64_t outstanding;
    int delivered_now;
    int closing;
    int booted;           /* bootstrap list added to the net */
    size_t since_step;    /* bytes accepted since the loop last ran */
    kw_producer_stats st;
    kw_arena arena;
};

static int64_t now_ms(void) { return kw_net_now() / 1000; }

/* ------------------------------------------------------------------ pure parts */

int kw__produce_action(int err, int idempotent)
{
    if (err == 0) return KW_PACT_OK;
    if (err == KW_KAFKA_DUPLICATE_SEQUENCE_NUMBER) return idempotent ? KW_PACT_OK : KW_PACT_FAIL;
    if (err == KW_KAFKA_OUT_OF_ORDER_SEQUENCE_NUMBER) return idempotent ? KW_PACT_RETRY : KW_PACT_FAIL;
    if (err == KW_ERR_TIMEOUT || err == KW_ERR_DISCONNECTED || err == KW_ERR_CONNECT || err == KW_ERR_IO ||
        err == KW_ERR_RESOLVE || err == KW_ERR_CORRELATION || err == KW_ERR_NOT_KAFKA)
        return KW_PACT_RETRY;
    if (err > 0 && kw_err_retriable(err)) return KW_PACT_RETRY;
    return KW_PACT_FAIL;
}

void kw__produce_requeue(kw_accum *a, kw_pbatch *b)
{
    int32_t p = b->partition;
    kw_pbatch **pp = &a->head[p];
    while (*pp && (*pp)->base_seq >= 0 && (*pp)->base_seq < b->base_seq) pp = &(*pp)->next;
    b->next = *pp;
    *pp = b;
    if (!b->next) a->tail[p] = b;
}

int64_t kw__produce_backoff_ms(int64_t base_ms, int64_t max_ms, int attempts)
{
    int64_t d = base_ms;
    for (int i = 1; i < attempts && d < max_ms; i++) d *= 2;
    return d > max_ms ? max_ms : d;
}

/* ------------------------------------------------------------------ reports */

static void report_batch(kw_producer *p, ptopic *t, kw_pbatch *b, int err, int64_t base_offset)
{
    int64_t now_us = kw_net_now();
    kw_delivery d = {.topic = t->name, .partition = b->partition, .err = err,
                     .cause = err == KW_ERR_MSG_TIMED_OUT ? b->last_err : 0};
    for (int32_t i = 0; i < b->count; i++) {
        d.offset = err || base_offset < 0 ? -1 : base_offset + i;
        d.opaque = b->opaque[i];
        d.send_us = b->enq_us[i];
        d.latency_us = now_us - d.send_us < 0 ? 0 : now_us - d.send_us;
        d.latency_ms = d.latency_us / 1000;
        kw_hdr_record(p->st.latency_us, d.latency_us);
        if (d.latency_ms > p->st.lat_max_ms) p->st.lat_max_ms = d.latency_ms;
        if (p->cb) p->cb(p->cb_ud, &d);
    }
    if (err) p->st.records_failed += (uint64_t)b->count;
    else p->st.records_acked += (uint64_t)b->count;
    p->outstanding -= (uint64_t)b->count;
    p->delivered_now += b->count;
    kw_accum_release(&t->acc, b);
}

/* A batch failed for good; with idempotence its sequence leaves a gap: take a new id. */
static void fail_batch(kw_producer *p, ptopic *t, kw_pbatch *b, int err)
{
    if (p->idempotent && b->base_seq >= 0) {
        p->pid_wanted = 1;
        p->pid = -1;
    }
    report_batch(p, t, b, err, -1);
}

/* ------------------------------------------------------------------ topics */

static ptopic *topic_find(kw_producer *p, const char *name)
{
    if (p->last && !strcmp(p->last->name, name)) return p->last;
    for (int i = 0; i < p->ntopics; i++)
        if (!strcmp(p->topics[i]->name, name)) return p->last = p->topics[i];
    return NULL;
}

static ptopic *topic_add(kw_producer *p, const char *name)
{
    ptopic **n = kw__grow(p->topics, sizeof *n, (size_t)p->ntopics + 1, &p->captopics, 8);
    if (!n) return NULL;
    p->topics = n;
    ptopic *t = calloc(1, sizeof *t);
    if (!t || !(t->name = strdup(name))) { free(t); return NULL; }
    kw_sticky_init(&t->sticky, (uint64_t)now_ms() ^ (uint64_t)(uintptr_t)t);
    p->topics[p->ntopics++] = t;
    p->meta_wanted = 1;
    p->meta_next_ms = 0;
    return p->last = t;
}

static int topic_set_parts(kw_producer *p, ptopic *t, int32_t n)
{
    if (n <= t->nparts) return 0;
    ppart *np = realloc(t->parts, (size_t)n * sizeof *np);
    if (!np) return KW_ERR_NOMEM;
    t->parts = np;
    for (int32_t i = t->nparts; i < n; i++) t->parts[i] = (ppart){.leader = -1, .acked_seq = -1};
    int rc;
    if (!t->acc_ready) {
        kw_accum_opts o = {.batch_size = p->batch_size, .linger_ms = p->linger_ms,
                           .buffer_memory = p->buffer_memory, .codec = p->codec, .level = p->level};
        rc = kw_accum_init(&t->acc, &o, n);
        t->acc_ready = rc == 0;
    } else {
        rc = kw_accum_set_partitions(&t->acc, n);
    }
    if (rc) return rc;
    t->nparts = n;
    return 0;
}

/* Memory held by every topic's accumulator. */
static size_t mem_used(const kw_producer *p)
{
    size_t m = 0;
    for (int i = 0; i < p->ntopics; i++) m += p->topics[i]->acc.mem_used;
    return m;
}

/* ------------------------------------------------------------------ metadata */

static int meta_encode(void *ud, int16_t version, kw_buf *out)
{
    kw_producer *p = ud;
    const char *names[MAX_TOPICS_PER_META];
    int n = p->ntopics < MAX_TOPICS_PER_META ? p->ntopics : MAX_TOPICS_PER_META;
    for (int i = 0; i < n; i++) names[i] = p->topics[i]->name;
    /* a producer's Metadata lets the broker create a topic it names, as Kafka's does */
    return kw_meta_encode(names, n, 1, version, out);
}

static void meta_done(void *ud, int err, const kw_conn_resp *resp)
{
    kw_producer *p = ud;
    p->meta_inflight = 0;
    p->meta_last_ms = now_ms();
    kw_meta m = {0};
    if (!err) err = kw_meta_apply(p->net, NULL, resp->version, resp->body, resp->len, &m, NULL, 0);
    p->meta_req_err = err;
    if (err) {
        p->meta_broker++;
        p->meta_next_ms = p->meta_last_ms + p->backoff_ms;
        return;
    }
    int again = 0;
    for (int i = 0; i < p->ntopics; i++) {
        ptopic *t = p->topics[i];
        const kw_meta_topic *mt = kw_meta_topic_find(&m, t->name);
        if (!mt) continue;
        t->meta_err = mt->error;
        t->id = mt->id;
        if (mt->error || mt->nparts <= 0) { again = 1; continue; }
        /* parts are sorted by partition */
        if (topic_set_parts(p, t, mt->parts[mt->nparts - 1].partition + 1)) continue;
        for (int32_t k = 0; k < mt->nparts; k++) {
            const kw_meta_part *mp = &mt->parts[k];
            if (mp->partition < 0) continue;
            int idx = mp->leader >= 0 ? kw_net_find(p->net, mp->leader) : -1;
            t->parts[mp->partition].leader = idx >= 0 ? idx : -1;
            if (idx < 0) again = 1;
        }
    }
    kw_meta_free(&m);
    p->meta_wanted = again;
    p->meta_next_ms = p->meta_last_ms + (again ? p->backoff_ms : 0);
}

/* When meta_maybe will send (ms), INT64_MAX when nothing will make it: what it checks. */
static int64_t meta_due_ms(const kw_producer *p)
{
    if (p->meta_inflight || !p->ntopics) return INT64_MAX;
    int64_t due = p->meta_wanted ? p->meta_next_ms : p->meta_last_ms + p->meta_max_age_ms;
    return due > p->meta_next_ms ? due : p->meta_next_ms;
}

static void meta_maybe(kw_producer *p, int64_t now)
{
    if (now < meta_due_ms(p)) return;
    int idx = kw_net_pick(p->net, p->meta_broker);
    if (idx < 0) return;
    kw_conn_req q = {.api_key = KW_API_Metadata, .min_version = 1, .max_version = -1,
                     .fail_fast = 1, .encode = meta_encode, .done = meta_done, .ud = p};
    if (kw_net_submit(p->net, idx, &q) == 0) {
        p->meta_inflight = 1;
        p->st.metadata_requests++;
    }
}

static void want_meta(kw_producer *p)
{
    p->meta_wanted = 1;
}

/* ------------------------------------------------------------------ InitProducerId */

int kw__initproducerid_encode(const char *transactional_id, int32_t transaction_timeout_ms, int16_t version,
                              kw_buf *out)
{
    kw_initproducerid_req r;
    kw_msg_defaults(KW_API_InitProducerId, KW_REQ, &r);
    r.transactional_id = transactional_id ? kw_s(transactional_id) : KW_STR_NULL;
    r.transaction_timeout_ms = transaction_timeout_ms;
    return kw_msg_encode(KW_API_InitProducerId, version, KW_REQ, &r, out);
}

static int pid_encode(void *ud, int16_t version, kw_buf *out)
{
    (void)ud;
    /* idempotence without transactions: no transactional id; the timeout Kafka's producer
     * sends by default (transaction.timeout.ms) */
    return kw__initproducerid_encode(NULL, 60000, version, out);
}

static void pid_done(void *ud, int err, const kw_conn_resp *resp)
{
    kw_producer *p = ud;
    p->pid_inflight = 0;
    kw_initproducerid_resp r;
    if (!err) {
        kw_arena_reset(&p->arena);
        err = kw_msg_decode(KW_API_InitProducerId, resp->version, KW_RESP, resp->body, resp->len, &r, &p->arena,
                            NULL);
    }
    if (!err) err = r.error_code;
    if (err || r.producer_id < 0) {
        p->meta_broker++;
        p->pid_next_ms = now_ms() + p->backoff_ms;
        return;
    }
    p->pid = r.producer_id;
    p->epoch = r.producer_epoch;
    p->pid_wanted = 0;
    for (int i = 0; i < p->ntopics; i++)
        for (int32_t k = 0; k < p->topics[i]->nparts; k++) {
            p->topics[i]->parts[k].next_seq = 0;
            p->topics[i]->parts[k].acked_seq = -1;
        }
}

/* When pid_maybe will send (ms), INT64_MAX when it waits for an answer: what it checks. */
static int64_t pid_due_ms(const kw_producer *p)
{
    if (!p->idempotent || !p->pid_wanted || p->pid_inflight) return INT64_MAX;
    /* a new id only once nothing is in flight under the old one (their answers wake us) */
    for (int i = 0; i < p->nbin; i++)
        if (p->bin[i]) return INT64_MAX;
    return p->pid_next_ms;
}

static void pid_maybe(kw_producer *p, int64_t now)
{
    if (now < pid_due_ms(p)) return;
    int idx = kw_net_pick(p->net, p->meta_broker);
    if (idx < 0) return;
    kw_conn_req q = {.api_key = KW_API_InitProducerId, .min_version = -1, .max_version = -1, .fail_fast = 1,
                     .encode = pid_encode, .done = pid_done, .ud = p};
    if (kw_net_submit(p->net, idx, &q) == 0) {
        p->pid_inflight = 1;
        p->st.pid_requests++;
    }
}

/* ------------------------------------------------------------------ Produce */

static void preq_free(preq *r)
{
    if (!r) return;
    free(r->b);
    free(r->t);
    free(r);
}

static int ref_slice(void *ud, kw_buf *out, const void *p, size_t len)
{
    return kw_conn_ref(ud, out, p, len);
}

static int produce_encode_ids(kw_buf *out, kw_conn_refs *refs, int16_t version, int16_t acks, int32_t timeout_ms,
                              const char *const *topics, const kw_uuid *ids, kw_pbatch *const *b, int n, int zero_ok)
{
    /* batches of one topic stand together (drain order) */
    kw_produce_topic *tt = calloc(n ? (size_t)n : 1, sizeof *tt);
    kw_produce_partition *pp = calloc(n ? (size_t)n : 1, sizeof *pp);
    if (!tt || !pp) { free(tt); free(pp); return KW_ERR_NOMEM; }
    static const kw_uuid zero;
    int nt = 0, rc = 0;
    for (int i = 0; i < n; i++) {
        if (!nt || strcmp(topics[i], topics[i - 1])) {
            tt[nt].name = kw_s(topics[i]);
            tt[nt].topic_id = ids ? ids[i] : zero;
            /* from v13 a topic is named by its id only */
            if (version >= 13 && !zero_ok && !memcmp(&tt[nt].topic_id, &zero, sizeof zero)) rc = KW_ERR_VERSION;
            tt[nt].partition_data = &pp[i];
            nt++;
        }
        tt[nt - 1].n_partition_data++;
        pp[i].index = b[i]->partition;
        pp[i].records = kw_b(b[i]->buf.data, b[i]->buf.len);
    }
    kw_produce_req q;
    kw_msg_defaults(KW_API_Produce, KW_REQ, &q);
    q.transactional_id = KW_STR_NULL;
    q.acks = acks;
    q.timeout_ms = timeout_ms;
    q.topic_data = tt;
    q.n_topic_data = nt;
    if (!rc) rc = kw_msg_encode_ref(KW_API_Produce, version, KW_REQ, &q, out, ref_slice, refs);
    free(tt);
    free(pp);
    return rc;
}

int kw__produce_encode(kw_buf *out, kw_conn_refs *refs, int16_t version, int16_t acks, int32_t timeout_ms,
                       const char *const *topics, const kw_uuid *ids, kw_pbatch *const *b, int n)
{
    return produce_encode_ids(out, refs, version, acks, timeout_ms, topics, ids, b, n, 0);
}

int kw__produce_encode_any_id(kw_buf *out, int16_t version, int16_t acks, int32_t timeout_ms,
                              const char *const *topics, const kw_uuid *ids, kw_pbatch *const *b, int n)
{
    return produce_encode_ids(out, NULL, version, acks, timeout_ms, topics, ids, b, n, 1);
}

int kw__produce_result(const kw_produce_resp *r, int16_t version, const char *topic, const kw_uuid *id,
                       int32_t partition, int64_t *base_offset)
{
    *base_offset = -1;
    int32_t tl = (int32_t)strlen(topic);
    for (int32_t k = 0; k < r->n_responses; k++) {
        const kw_produce_topic_resp *tr = &r->responses[k];
        if (version >= 13 ? !id || memcmp(&tr->topic_id, id, sizeof *id)
                          : tr->name.len != tl || memcmp(tr->name.p, topic, (size_t)tl))
            continue;
        for (int32_t j = 0; j < tr->n_partition_responses; j++) {
            const kw_produce_partition_resp *pr = &tr->partition_responses[j];
            if (pr->index != partition) continue;
            *base_offset = pr->base_offset;
            return pr->error_code == -1 ? KW_KAFKA_UNKNOWN_SERVER_ERROR : pr->error_code;
        }
    }
    return KW_ERR_NOT_FOUND;
}

static int produce_encode(void *ud, int16_t version, kw_buf *out, kw_conn_refs *refs)
{
    preq *r = ud;
    const char *names[r->nb ? r->nb : 1];
    kw_uuid ids[r->nb ? r->nb : 1];
    for (int i = 0; i < r->nb; i++) {
        names[i] = r->t[i]->name;
        ids[i] = r->t[i]->id;
    }
    return kw__produce_encode(out, refs, version, (int16_t)r->p->acks, (int32_t)r->p->request_timeout_ms, names, ids,
                              r->b, r->nb);
}

/* The producer id a batch was last sent with (-1 before its first send). */
static int64_t batch_pid(const kw_pbatch *b)
{
    kw_batch_head h;
    return kw_batch_head_read(b->buf.data, b->buf.len, &h) == 1 ? h.producer_id : -1;
}

/* The batch b of topic t came back with err (after its request). */
static void batch_outcome(kw_producer *p, ptopic *t, kw_pbatch *b, int err, int64_t base_offset, int64_t now)
{
    ppart *pp = &t->parts[b->partition];
    if (pp->inflight > 0) pp->inflight--;
    int act = kw__produce_action(err, p->idempotent);
    int current = p->idempotent && b->base_seq >= 0 && batch_pid(b) == p->pid;
    /* Out of order although every batch before it was acknowledged: no retry can fill
     * the gap (the broker lost or never had what came before, or another writer used the
     * id). As Kafka's Java producer does, fail this batch and continue under a new
     * producer id; an out-of-order batch with an earlier one still pending is retried. */
    if (err == KW_KAFKA_OUT_OF_ORDER_SEQUENCE_NUMBER && current && b->base_seq == pp->acked_seq + 1)
        act = KW_PACT_FAIL;
    if (act == KW_PACT_OK) {
        if (current && b->base_seq + b->count - 1 > pp->acked_seq) pp->acked_seq = b->base_seq + b->count - 1;
        report_batch(p, t, b, 0, err ? -1 : base_offset);
        return;
    }
    int64_t oldest = b->created_ms; /* its first record's append */
    b->last_err = err;
    /* KW_ERR_CONNECT: the request waited for a connection that could not be made (the
       leader is down) and was never written: not a send, so not a retry either */
    if (err == KW_ERR_CONNECT && b->attempts > 0) b->attempts--;
    if (act == KW_PACT_RETRY && b->attempts <= p->retries && now - oldest < p->delivery_timeout_ms &&
        !p->closing) {
        p->st.record_retries += (uint64_t)b->count;
        kw__produce_requeue(&t->acc, b);
        int64_t at = now + kw__produce_backoff_ms(p->backoff_ms, p->backoff_max_ms, b->attempts);
        if (at > pp->retry_at_ms) pp->retry_at_ms = at;
        pp->retry_pending = 1;
        if (err != KW_KAFKA_OUT_OF_ORDER_SEQUENCE_NUMBER) want_meta(p);
        return;
    }
    if (act == KW_PACT_RETRY && now - oldest >= p->delivery_timeout_ms) err = KW_ERR_MSG_TIMED_OUT;
    fail_batch(p, t, b, err);
}

static void produce_done(void *ud, int err, const kw_conn_resp *resp)
{
    preq *r = ud;
    kw_producer *p = r->p;
    int64_t now = now_ms();
    if (r->broker < p->nbin && p->bin[r->broker] > 0) p->bin[r->broker]--;
    if (!err && resp) {
        p->st.rtt_sum_us += (uint64_t)resp->rtt_us;
        if ((uint64_t)resp->rtt_us > p->st.rtt_max_us) p->st.rtt_max_us = (uint64_t)resp->rtt_us;
    }
    if (err) {
        p->st.request_errors++;
        /* the socket layer's reason already names the broker */
        int known = r->broker < kw_net_count(p->net);
        const char *why = known ? kw_net_last_error(p->net, r->broker) : NULL;
        if (why && why[0]) snprintf(p->last_why, sizeof p->last_why, "%s", why);
        else snprintf(p->last_why, sizeof p->last_why, "%s: %s", known ? kw_net_name(p->net, r->broker) : "?", kw_strerror(err));
    }
    if (err || !resp || resp->len == 0) {
        /* whole request failed, or acks=0 (written: success without offsets) */
        for (int i = 0; i < r->nb; i++) batch_outcome(p, r->t[i], r->b[i], err, -1, now);
        if (err) want_meta(p);
        preq_free(r);
        return;
    }
    kw_produce_resp pr;
    kw_arena_reset(&p->arena);
    int rc = kw_msg_decode(KW_API_Produce, resp->version, KW_RESP, resp->body, resp->len, &pr, &p->arena, NULL);
    for (int i = 0; i < r->nb; i++) {
        int64_t off = -1;
        int e = rc ? rc : kw__produce_result(&pr, resp->version, r->t[i]->name, &r->t[i]->id, r->b[i]->partition, &off);
        batch_outcome(p, r->t[i], r->b[i], e, off, now);
    }
    preq_free(r);
}

static int preq_add(preq *r, ptopic *t, kw_pbatch *b)
{
    if (r->nb == r->cap) {
        /* two arrays, one capacity (codec/grow.h) */
        int cb = r->cap, ct = r->cap;
        kw_pbatch **nb = kw__grow(r->b, sizeof *nb, (size_t)r->nb + 1, &cb, 8);
        if (!nb) return KW_ERR_NOMEM;
        r->b = nb;
        ptopic **nt = kw__grow(r->t, sizeof *nt, (size_t)r->nb + 1, &ct, 8);
        if (!nt) return KW_ERR_NOMEM;
        r->t = nt;
        r->cap = cb;
    }
    r->b[r->nb] = b;
    r->t[r->nb] = t;
    r->nb++;
    r->bytes += b->buf.len;
    return 0;
}

static int grow_brokers(kw_producer *p)
{
    int n = kw_net_count(p->net);
    if (n <= p->nbin) return 0;
    int *nb = realloc(p->bin, (size_t)n * sizeof *nb);
    if (!nb) return KW_ERR_NOMEM;
    p->bin = nb;
    preq **bl = realloc(p->building, (size_t)n * sizeof *bl);
    if (!bl) return KW_ERR_NOMEM;
    p->building = bl;
    uint8_t *bs = realloc(p->bsent, (size_t)n);
    if (!bs) return KW_ERR_NOMEM;
    p->bsent = bs;
    for (int i = p->nbin; i < n; i++) { nb[i] = 0; bl[i] = NULL; bs[i] = 0; }
    p->bin = nb;
    p->building = bl;
    p->nbin = p->nbuilding = n;
    return 0;
}

/* Batches waiting in a partition's queue past delivery.timeout.ms fail now. */
static void expire(kw_producer *p, ptopic *t, int32_t k, int64_t now)
{
    kw_accum *a = &t->acc;
    while (a->head[k]) {
        kw_pbatch *b = a->head[k];
        if (now - b->created_ms < p->delivery_timeout_ms) break;
        a->head[k] = b->next;
        if (!a->head[k]) a->tail[k] = NULL;
        b->next = NULL;
        fail_batch(p, t, b, KW_ERR_MSG_TIMED_OUT);
    }
    kw_pbatch *o = a->open[k];
    if (o && o->count && now - o->created_ms >= p->delivery_timeout_ms) {
        /* seal it by draining through the accumulator's flush path */
        int f = a->flushing;
        a->flushing = 1;
        kw_pbatch *b = NULL;
        if (!a->head[k]) b = kw_accum_drain(a, k, now);
        a->flushing = f;
        if (b) fail_batch(p, t, b, KW_ERR_MSG_TIMED_OUT);
    }
}

/* Drain ready batches into Produce requests, one per broker per pass. */
static void drain(kw_producer *p, int64_t now)
{
    if (grow_brokers(p)) return;
    int idem_ready = !p->idempotent || (p->pid >= 0 && !p->pid_wanted);
    for (int pass = 0; pass < 64; pass++) {
        int any = 0;
        for (int i = 0; i < p->ntopics; i++) {
            ptopic *t = p->topics[i];
            if (!t->acc_ready) continue;
            for (int32_t k = 0; k < t->nparts; k++) {
                ppart *pp = &t->parts[k];
                if (pass == 0 && (t->acc.head[k] || t->acc.open[k])) expire(p, t, k, now);
                if (!kw_accum_ready(&t->acc, k, now)) continue;
                if (pp->leader < 0) { want_meta(p); continue; }
                if (pp->retry_pending) {
                    if (now < pp->retry_at_ms || pp->inflight > 0) continue;
                    pp->retry_pending = 0;
                }
                if (!idem_ready) continue;
                /* idempotence: one batch in flight per partition, so a retry can never
                 * land behind a later batch, even on a broker that does not check
                 * sequence numbers (librdkafka's mock does not) */
                if (p->idempotent && pp->inflight > 0) continue;
                if (pp->leader >= p->nbin && grow_brokers(p)) continue;
                int bi = pp->leader;
                if (p->bin[bi] >= p->max_in_flight) continue;
                preq *r = p->building[bi];
                if (r) {
                    /* one batch per partition per request; stay under max.request.size */
                    int dup = 0;
                    for (int j = 0; j < r->nb; j++)
                        if (r->t[j] == t && r->b[j]->partition == k) { dup = 1; break; }
                    if (dup) continue;
                    const kw_pbatch *h = t->acc.head[k] ? t->acc.head[k] : t->acc.open[k];
                    if (h && r->bytes + h->buf.len + 64 > p->max_request_size) continue;
                }
                kw_pbatch *b = kw_accum_drain(&t->acc, k, now);
                if (!b) continue;
                if (!r) {
                    r = calloc(1, sizeof *r);
                    if (!r) { kw__produce_requeue(&t->acc, b); continue; }
                    r->p = p;
                    r->broker = bi;
                    r->pid = -1;
                    p->building[bi] = r;
                }
                if (b->first_send_ms < 0) {
                    /* first send: statistics */
                    p->st.batches++;
                    p->st.batch_records += (uint64_t)b->count;
                    kw_hist_record(&p->st.batch_records_hist, (uint64_t)b->count);
                    p->st.batch_raw_bytes += b->raw_bytes;
                    p->st.batch_wire_bytes += b->buf.len;
                    p->st.batch_fill_sum += (double)b->raw_bytes / (double)p->batch_size;
                    if (b->seal_reason >= 0 && b->seal_reason < 4) p->st.sealed[b->seal_reason]++;
                    b->first_send_ms = now;
                }
                if (p->idempotent) {
                    if (b->base_seq < 0 || batch_pid(b) != p->pid) {
                        b->base_seq = pp->next_seq;
                        pp->next_seq += b->count;
                        kw_batch_set_producer(b->buf.data, b->buf.len, p->pid, p->epoch, b->base_seq);
                    }
                } else if (b->base_seq < 0) {
                    b->base_seq = pp->next_seq;
                    pp->next_seq += b->count;
                }
                b->attempts++;
                pp->inflight++;
                if (preq_add(r, t, b)) {
                    pp->inflight--;
                    b->attempts--;
                    kw__produce_requeue(&t->acc, b);
                    continue;
                }
                any = 1;
            }
        }
        /* submit what was built */
        for (int bi = 0; bi < p->nbuilding; bi++) {
            preq *r = p->building[bi];
            if (!r) continue;
            p->building[bi] = NULL;
            /* Produce v13+ names topics by id: without every id (a broker before Metadata
               v10 does not say) the request stays at v12. fail_fast: when the leader cannot
               be reached, the request fails at the first failed connect (KW_ERR_CONNECT:
               retried after a metadata refresh, which finds the new leader once the cluster
               has elected one) instead of waiting out request.timeout.ms in the dead
               connection's queue */
            int16_t vmax = -1;
            static const kw_uuid zero;
            for (int i = 0; i < r->nb; i++)
                if (!memcmp(&r->t[i]->id, &zero, sizeof zero)) vmax = 12;
            kw_conn_req q = {.api_key = KW_API_Produce, .min_version = 3, .max_version = vmax,
                             .no_response = p->acks == 0, .fail_fast = 1, .encode_ref = produce_encode,
                             .done = produce_done, .ud = r};
            p->st.requests++;
            p->st.request_batches += (uint64_t)r->nb;
            p->st.request_bytes += r->bytes;
            p->bin[bi]++;
            if (p->acks == 0) p->bsent[bi] = 1;
            int rc = kw_net_submit(p->net, bi, &q);
            if (rc) {
                p->bin[bi]--;
                produce_done(r, rc, NULL);
            }
        }
        if (!any) break;
    }
}

/* One round of the loop: requests to send, then at most timeout_ms in poll(). */
static void step(kw_producer *p, int64_t timeout_ms)
{
    if (!p->booted) {
        p->booted = 1;
        kw_net_add_list(p->net, kw_config_str(p->cfg, KW_CONF_BOOTSTRAP_SERVERS));
    }
    int64_t now = now_ms();
    meta_maybe(p, now);
    pid_maybe(p, now);
    drain(p, now);
    int64_t wake = now + (timeout_ms < 0 ? 1000 : timeout_ms);
    for (int i = 0; i < p->ntopics; i++) {
        ptopic *t = p->topics[i];
        if (!t->acc_ready) continue;
        /* a linger deadline already past belongs to a batch that is ready but may not go
           yet (no slot, no leader, no producer id): what frees it wakes the loop (an
           answer, a conn deadline, retry_at_ms, meta_due_ms, pid_due_ms) */
        int64_t l = kw_accum_next_linger_ms(&t->acc, now);
        if (l < wake) wake = l;
        for (int32_t k = 0; k < t->nparts; k++)
            if (t->parts[k].retry_pending && t->parts[k].retry_at_ms < wake) wake = t->parts[k].retry_at_ms;
    }
    /* exactly when meta_maybe / pid_maybe will act: an earlier wake would spin (a
       request waiting in a connection's backoff left pid_next_ms in the past) */
    int64_t md = meta_due_ms(p), pd = pid_due_ms(p);
    if (md < wake) wake = md;
    if (pd < wake) wake = pd;
    int64_t wait = wake - now;
    if (wait < 0) wait = 0;
    if (wait > 1000) wait = 1000;
    p->st.loop_polls++;
    kw_net_poll(p->net, (int)wait);
    now = now_ms();
    meta_maybe(p, now);
    pid_maybe(p, now);
    drain(p, now);
}

/* ------------------------------------------------------------------ API */

kw_producer *kw_producer_new(const kw_config *cfg, kw_delivery_cb cb, void *cb_ud, char *err, size_t errlen)
{
    if (err && errlen) err[0] = 0;
    kw_producer *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->cfg = kw_config_dup(cfg);
    p->st.latency_us = kw_hdr_new_default();
    if (!p->cfg || !p->st.latency_us) {
        kw_config_free(p->cfg);
        kw_hdr_free(p->st.latency_us);
        free(p);
        return NULL;
    }
    p->cb = cb;
    p->cb_ud = cb_ud;
    p->acks = kw_config_acks(cfg);
    p->idempotent = kw_config_bool(cfg, KW_CONF_ENABLE_IDEMPOTENCE);
    p->max_in_flight = (int)kw_config_int(cfg, KW_CONF_MAX_IN_FLIGHT);
    p->retries = (int)kw_config_int(cfg, KW_CONF_RETRIES);
    p->linger_ms = kw_config_int(cfg, KW_CONF_LINGER_MS);
    p->max_block_ms = kw_config_int(cfg, KW_CONF_MAX_BLOCK_MS);
    p->delivery_timeout_ms = kw_config_int(cfg, KW_CONF_DELIVERY_TIMEOUT_MS);
    p->request_timeout_ms = kw_config_int(cfg, KW_CONF_REQUEST_TIMEOUT_MS);
    p->backoff_ms = kw_config_int(cfg, KW_CONF_RETRY_BACKOFF_MS);
    p->backoff_max_ms = kw_config_int(cfg, KW_CONF_RETRY_BACKOFF_MAX_MS);
    p->meta_max_age_ms = kw_config_int(cfg, KW_CONF_METADATA_MAX_AGE_MS);
    p->batch_size = (size_t)kw_config_int(cfg, KW_CONF_BATCH_SIZE);
    if (p->batch_size == 0) p->batch_size = 1; /* Kafka: 0 disables batching (one record each) */
    p->buffer_memory = (size_t)kw_config_int(cfg, KW_CONF_BUFFER_MEMORY);
    p->max_request_size = (size_t)kw_config_int(cfg, KW_CONF_MAX_REQUEST_SIZE);
    p->codec = kw_config_enum(cfg, KW_CONF_COMPRESSION_TYPE);
    p->level = KW_LEVEL_DEFAULT;
    if (p->codec == KW_CODEC_GZIP && kw_config_is_set(cfg, KW_CONF_COMPRESSION_GZIP_LEVEL))
        p->level = (int)kw_config_int(cfg, KW_CONF_COMPRESSION_GZIP_LEVEL);
    if (p->codec == KW_CODEC_LZ4 && kw_config_is_set(cfg, KW_CONF_COMPRESSION_LZ4_LEVEL))
        p->level = (int)kw_config_int(cfg, KW_CONF_COMPRESSION_LZ4_LEVEL);
    if (p->codec == KW_CODEC_ZSTD && kw_config_is_set(cfg, KW_CONF_COMPRESSION_ZSTD_LEVEL))
        p->level = (int)kw_config_int(cfg, KW_CONF_COMPRESSION_ZSTD_LEVEL);
    p->part_mode = kw_config_enum(cfg, KW_CONF_PARTITIONER);
    p->ignore_keys = kw_config_bool(cfg, KW_CONF_PARTITIONER_IGNORE_KEYS);
    p->pid = -1;
    p->epoch = -1;
    p->pid_wanted = p->idempotent;
    p->meta_broker = 0;
    kw_arena_init(&p->arena);
    if (p->buffer_memory == 0) p->buffer_memory = 1;
    /* the list is checked now, and added on first use (so a tap set after this call
     * sees the bootstrap connections too) */
    p->net = kw_net_new(p->cfg);
    if (p->net && kw_net_setup_error(p->net)[0]) {
        if (err) snprintf(err, errlen, "%s", kw_net_setup_error(p->net));
        kw_producer_close(p);
        return NULL;
    }
    kw_net *probe = kw_net_new(NULL); /* checks the list's form only */
    const char *bs = kw_config_str(p->cfg, KW_CONF_BOOTSTRAP_SERVERS);
    int ok = p->net && probe && bs && *bs && kw_net_add_list(probe, bs) > 0;
    if (probe) kw_net_free(probe);
    if (!ok) {
        if (err) snprintf(err, errlen, "bootstrap.servers: %s", bs && *bs ? "malformed list" : "not set");
        kw_producer_close(p);
        return NULL;
    }
    return p;
}

kw_net *kw_producer_net(kw_producer *p) { return p->net; }

void kw_producer_set_tap(kw_producer *p, void (*tap)(void *, int, int16_t, int16_t, const uint8_t *, size_t),
                         void *ud)
{
    kw_net_set_tap(p->net, tap, ud);
}

int kw_producer_set_dump(kw_producer *p, FILE *out, int flags) { return kw_net_set_dump(p->net, out, flags); }

static int32_t choose_partition(kw_producer *p, ptopic *t, const kw_producer_record *rec)
{
    if (rec->partition >= 0) return rec->partition;
    int keyed = rec->key && rec->key_len >= 0 && !p->ignore_keys;
    if ((p->part_mode == 0 && keyed) || p->part_mode == 1) {
        if (rec->key && rec->key_len >= 0) return kw_partition_for_key(rec->key, (size_t)rec->key_len, t->nparts);
    }
    if (p->part_mode == 3) return (int32_t)(p->rr++ % (uint32_t)t->nparts);
    return kw_sticky_partition(&t->sticky, t->nparts);
}

/* Refuse a record: err, with why (printf-style) kept for kw_producer_send_error. */
static int refuse(kw_producer *p, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(kw_producer *p, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->send_why, sizeof p->send_why, fmt, ap);
    va_end(ap);
    return err;
}

static int interrupted(const kw_producer *p) { return p->intr && *p->intr; }

/* Why the topic's metadata did not come within max.block.ms. */
static int meta_refusal(kw_producer *p, const ptopic *t, int err)
{
    char tried[512] = "";
    if (err < 0 && err != KW_ERR_INTERRUPTED) kw_net_errors(p->net, tried, sizeof tried);
    if (err == KW_ERR_INTERRUPTED) return refuse(p, err, "interrupted while waiting for topic %s's metadata", t->name);
    if (err == KW_ERR_NOT_KAFKA) return refuse(p, err, "no Kafka broker to ask for topic %s: %s", t->name, tried);
    int idx = 0;
    if (err < 0 && kw_net_fatal(p->net, &idx) == err)
        return refuse(p, err, "no broker can be used for topic %s: %s", t->name, kw_net_last_error(p->net, idx));
    if (err > 0) return refuse(p, err, "topic %s: %s", t->name, kw_strerror(err));
    return refuse(p, err, "no metadata for topic %s within max.block.ms (%lld ms): %s%s%s", t->name,
                  (long long)p->max_block_ms, kw_strerror(err), tried[0] ? "; tried " : "", tried);
}

int kw_producer_send(kw_producer *p, const kw_producer_record *rec)
{
    if (!p || !rec || !rec->topic || !*rec->topic || p->closing) return KW_ERR_INVALID_ARG;
    ptopic *t = topic_find(p, rec->topic);
    if (!t && !(t = topic_add(p, rec->topic))) return KW_ERR_NOMEM;
    int64_t entry_us = kw_net_now(); /* the record's send time in its report */
    int64_t start = entry_us / 1000;
    while (t->nparts == 0) {
        int64_t now = now_ms();
        if (interrupted(p)) return meta_refusal(p, t, KW_ERR_INTERRUPTED);
        /* every bootstrap broker answered in another protocol: nothing to wait for */
        if (p->meta_req_err == KW_ERR_NOT_KAFKA && kw_net_not_kafka(p->net)) return meta_refusal(p, t, KW_ERR_NOT_KAFKA);
        if (now - start >= p->max_block_ms)
            return meta_refusal(p, t, t->meta_err > 0 ? t->meta_err : p->meta_req_err ? p->meta_req_err : KW_ERR_TIMEOUT);
        int fe = kw_net_fatal(p->net, NULL); /* every broker given up: nothing to wait for */
        if (fe) return meta_refusal(p, t, fe);
        step(p, p->max_block_ms - (now - start));
    }
    if (rec->partition >= t->nparts)
        return refuse(p, KW_ERR_INVALID_ARG, "partition %d does not exist: topic %s has %d partition%s (0..%d)",
                      rec->partition, t->name, t->nparts, t->nparts == 1 ? "" : "s", t->nparts - 1);
    kw_record r = {0};
    r.timestamp = rec->timestamp > 0 ? rec->timestamp : kw__wall_ms();
    r.key = rec->key;
    r.key_len = rec->key ? rec->key_len : -1;
    r.value = rec->value;
    r.value_len = rec->value ? rec->value_len : -1;
    r.headers = rec->headers;
    r.header_count = rec->header_count;
    size_t approx = (size_t)(r.key_len > 0 ? r.key_len : 0) + (size_t)(r.value_len > 0 ? r.value_len : 0);
    size_t hbytes = 0;
    for (int32_t i = 0; i < r.header_count; i++)
        hbytes += (size_t)r.headers[i].key_len + (size_t)(r.headers[i].value_len > 0 ? r.headers[i].value_len : 0);
    approx += hbytes;
    if (approx + KW_BATCH_HEADER_SIZE > p->max_request_size)
        return refuse(p, KW_ERR_TOO_LARGE,
                      "a record of %zu bytes (key %d + value %d + headers %zu) does not fit max.request.size "
                      "(%zu bytes, %d of them the batch header)",
                      approx, r.key_len > 0 ? r.key_len : 0, r.value_len > 0 ? r.value_len : 0, hbytes,
                      p->max_request_size, KW_BATCH_HEADER_SIZE);
    int32_t part = choose_partition(p, t, rec);
    int sealed = 0;
    int64_t now = now_ms();
    for (;;) {
        int rc = KW_ERR_QUEUE_FULL;
        /* buffer.memory bounds all topics together */
        if (mem_used(p) - t->acc.mem_used < p->buffer_memory) {
            size_t save = t->acc.o.buffer_memory;
            t->acc.o.buffer_memory = p->buffer_memory - (mem_used(p) - t->acc.mem_used);
            rc = kw_accum_append(&t->acc, part, &r, rec->opaque, entry_us, now, &sealed);
            t->acc.o.buffer_memory = save;
        }
        if (rc == 0) break;
        if (rc != KW_ERR_QUEUE_FULL) return refuse(p, rc, "%s", kw_strerror(rc));
        if (interrupted(p)) return refuse(p, KW_ERR_INTERRUPTED, "interrupted while waiting for buffer.memory");
        if (now - start >= p->max_block_ms)
            return refuse(p, KW_ERR_QUEUE_FULL, "buffer.memory (%zu bytes) still full after max.block.ms (%lld ms)",
                          p->buffer_memory, (long long)p->max_block_ms);
        step(p, 10);
        now = now_ms();
    }
    p->outstanding++;
    p->st.records_sent++;
    if (t->acc.mem_used > p->st.mem_peak) p->st.mem_peak = mem_used(p);
    int full = sealed || !t->acc.open[part];
    /* sticky: move on once this partition's batch is sealed */
    if (rec->partition < 0 && full && part == t->sticky.current)
        kw_sticky_next(&t->sticky, t->nparts);
    /* the loop runs without waiting every STEP_BYTES accepted: sealed batches go out,
     * the socket keeps taking what is written and responses give batches back while the
     * caller is still sending (a sender thread's job in Kafka's client). Not at every
     * seal: with small batches that sends a request per batch or two, and the broker's
     * per-request cost then slows everything; 256 KiB lets a request carry several. */
    p->since_step += approx;
    if (p->since_step >= STEP_BYTES) {
        p->since_step = 0;
        step(p, 0);
    }
    return 0;
}

int kw_producer_poll(kw_producer *p, int timeout_ms)
{
    p->delivered_now = 0;
    step(p, timeout_ms);
    return p->delivered_now;
}

uint64_t kw_producer_outstanding(const kw_producer *p) { return p->outstanding; }

size_t kw_producer_queued_bytes(const kw_producer *p)
{
    size_t n = 0;
    for (int i = 0; i < p->ntopics; i++) n += kw_accum_queued_bytes(&p->topics[i]->acc);
    return n;
}

/*
 * acks=0 barrier: a broker answers the requests of a connection in order, so once it
 * answers a (topic-less) Metadata request sent after the last Produce, it has taken
 * every Produce before it. Without this, closing the connection right after writing
 * could lose requests the broker has not read yet.
 */
static int barrier_encode(void *ud, int16_t version, kw_buf *out)
{
    (void)ud;
    return kw_meta_encode(NULL, KW_META_NO_TOPICS, 0, version, out);
}

static void barrier_done(void *ud, int err, const kw_conn_resp *resp)
{
    (void)err;
    (void)resp;
    kw_producer *p = ud;
    if (p->barriers > 0) p->barriers--;
}

static void barrier(kw_producer *p, int64_t start, int64_t timeout_ms)
{
    for (int i = 0; i < p->nbin; i++) {
        if (!p->bsent[i]) continue;
        p->bsent[i] = 0;
        kw_conn_req q = {.api_key = KW_API_Metadata, .min_version = 1, .max_version = -1,
                         .encode = barrier_encode, .done = barrier_done, .ud = p};
        if (kw_net_submit(p->net, i, &q) == 0) p->barriers++;
    }
    while (p->barriers > 0) {
        int64_t el = now_ms() - start;
        if (timeout_ms >= 0 && el >= timeout_ms) break;
        kw_net_poll(p->net, 100);
    }
}

int kw_producer_flush(kw_producer *p, int64_t timeout_ms)
{
    int64_t start = now_ms();
    for (int i = 0; i < p->ntopics; i++)
        if (p->topics[i]->acc_ready) kw_accum_flush_begin(&p->topics[i]->acc);
    int rc = 0;
    while (p->outstanding > 0) {
        int64_t el = now_ms() - start;
        if (timeout_ms >= 0 && el >= timeout_ms) { rc = KW_ERR_TIMEOUT; break; }
        if (interrupted(p)) { rc = KW_ERR_INTERRUPTED; break; }
        step(p, timeout_ms >= 0 ? timeout_ms - el : 1000);
    }
    if (!rc && p->acks == 0) barrier(p, start, timeout_ms);
    for (int i = 0; i < p->ntopics; i++)
        if (p->topics[i]->acc_ready) kw_accum_flush_end(&p->topics[i]->acc);
    return rc;
}

void kw_producer_close(kw_producer *p)
{
    if (!p) return;
    if (p->outstanding) kw_producer_flush(p, p->delivery_timeout_ms);
    p->closing = 1;
    /* what is still queued fails now; in-flight requests fail as the net closes */
    for (int i = 0; i < p->ntopics; i++) {
        ptopic *t = p->topics[i];
        if (!t->acc_ready) continue;
        kw_accum_flush_begin(&t->acc);
        for (int32_t k = 0; k < t->nparts; k++) {
            kw_pbatch *b;
            while ((b = kw_accum_drain(&t->acc, k, INT64_MAX / 2))) report_batch(p, t, b, KW_ERR_DESTROYED, -1);
        }
    }
    if (p->net) kw_net_free(p->net); /* in-flight requests: done(KW_ERR_DESTROYED) -> reported */
    p->net = NULL;
    for (int i = 0; i < p->ntopics; i++) {
        ptopic *t = p->topics[i];
        if (t->acc_ready) kw_accum_free(&t->acc);
        free(t->parts);
        free(t->name);
        free(t);
    }
    free(p->topics);
    free(p->bin);
    free(p->bsent);
    free(p->building);
    kw_arena_free(&p->arena);
    kw_config_free(p->cfg);
    kw_hdr_free(p->st.latency_us);
    free(p);
}

const kw_producer_stats *kw_producer_stats_get(const kw_producer *p) { return &p->st; }

const char *kw_producer_last_error(const kw_producer *p) { return p->last_why; }

const char *kw_producer_send_error(const kw_producer *p) { return p->send_why; }

void kw_producer_set_interrupt(kw_producer *p, const volatile sig_atomic_t *flag) { p->intr = flag; }

int64_t kw_producer_latency_quantile(const kw_producer_stats *s, double q)
{
    return kw_hdr_value_at(s->latency_us, q * 100.0) / 1000;
}

int64_t kw_producer_id(const kw_producer *p) { return p->idempotent ? p->pid : -1; }
