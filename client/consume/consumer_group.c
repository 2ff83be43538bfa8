/*
 * client/consume/consumer_group.c — the consumer's group membership driver (see
 * consumer_group.h): requests of client/group submitted on client/net (the coordinator
 * on a connection of its own, JoinGroup allowed its rebalance timeout), assignment
 * events applied to the consumer's partitions with the application's callbacks,
 * committed offsets as start positions, and commits as the member.
 */
#include "client/consume/consumer_group.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/grow.h"
#include "proto/proto.h"

/* The coordinator's own connection, under the node id Kafka's clients give it too. */
#define COORD_NODE(id) (INT32_MAX - (id))

/* A request in flight (heap: a shared net may answer after the consumer is gone; then
 * cg is NULL and the callback only frees it). */
typedef struct gcall {
    struct gcall *next;
    struct kw__cgroup *cg;
    uint32_t id;        /* the group's request id; 0: an auto commit */
    kw_tpo_list l;      /* auto commit: what it commits */
    kw_commit_id cid;   /* auto commit: as whom (member id copied) */
    char *member;
} gcall;

struct kw__cgroup {
    kw_consumer *c;
    kw_net *net;
    kw_group *g;
    char *group_id;
    kw_offsets_opts oo;
    int subscribed;
    int coord_idx;
    uint32_t coord_gen;
    gcall *calls;
    int commit_inflight;
    int auto_commit;
    int64_t commit_every_us, next_commit_us;
    int64_t join_timeout_ms;
    kw_tp *pending; /* assigned, waiting for their committed offsets (topics owned) */
    int npending, cappending;
    int64_t pending_at;
    int pending_fail;
    kw_rebalance_fn cb;
    void *cb_ud;
    int closing;
    kw_consumer_group_stats st;
};

/* ---- the group's metadata lookups, over the consumer's metadata ---- */

static int32_t m_partitions(void *ud, const char *topic)
{
    kw__cgroup *cg = ud;
    const kw_meta_topic *t = kw_meta_topic_find(kw__consumer_meta(cg->c), topic);
    return t && !t->error && t->nparts > 0 ? t->nparts : -1;
}

static const char *m_topic_name(void *ud, const kw_uuid *id)
{
    kw__cgroup *cg = ud;
    const kw_meta *m = kw__consumer_meta(cg->c);
    for (int32_t i = 0; i < m->ntopics; i++)
        if (m->topics[i].name && !memcmp(&m->topics[i].id, id, sizeof *id)) return m->topics[i].name;
    return NULL;
}

static int m_topic_id(void *ud, const char *topic, kw_uuid *id)
{
    kw__cgroup *cg = ud;
    const kw_meta_topic *t = kw_meta_topic_find(kw__consumer_meta(cg->c), topic);
    if (!t) return -1;
    *id = t->id;
    return 0;
}

/* ---- life ---- */

kw__cgroup *kw__cg_new(kw_consumer *c, kw_net *net, const kw_config *cfg, char *errbuf, size_t errlen)
{
    kw_group_opts o;
    if (kw_group_opts_from_config(&o, cfg, errbuf, errlen)) return NULL;
    kw__cgroup *cg = calloc(1, sizeof *cg);
    if (!cg) return NULL;
    cg->c = c;
    cg->net = net;
    cg->coord_idx = -1;
    o.meta = (kw_group_meta_fns){m_partitions, m_topic_name, m_topic_id, cg};
    cg->g = kw_group_new(&o);
    cg->group_id = strdup(o.group_id);
    kw_offsets_opts_from_config(&cg->oo, cfg);
    /* the member's synchronous calls (OffsetFetch for new partitions, a commit before
     * revoking) run inside poll, where nothing heartbeats: they give up well within the
     * session (a failed OffsetFetch is asked again later; a failed commit is reported) */
    int64_t cap = o.protocol == KW_GROUP_CLASSIC ? o.session_timeout_ms / 3 : 5000;
    if (cap < 1000) cap = 1000;
    if (cg->oo.timeout_ms > cap) cg->oo.timeout_ms = cap;
    cg->auto_commit = kw_config_bool(cfg, KW_CONF_ENABLE_AUTO_COMMIT);
    cg->commit_every_us = kw_config_int(cfg, KW_CONF_AUTO_COMMIT_INTERVAL_MS) * 1000;
    /* JoinGroup may be held for the whole rebalance timeout (Kafka's clients allow 5 s more) */
    cg->join_timeout_ms = (int64_t)o.max_poll_interval_ms + 5000;
    if (!cg->g || !cg->group_id) {
        if (errbuf) snprintf(errbuf, errlen, "out of memory");
        kw__cg_free(cg);
        return NULL;
    }
    return cg;
}

static void gcall_free(gcall *q)
{
    kw_tpo_free(&q->l);
    free(q->member);
    free(q);
}

void kw__cg_free(kw__cgroup *cg)
{
    if (!cg) return;
    for (gcall *q = cg->calls; q; q = q->next) q->cg = NULL; /* the net still owes them an outcome */
    kw_group_free(cg->g);
    for (int i = 0; i < cg->npending; i++) free((char *)cg->pending[i].topic);
    free(cg->pending);
    free(cg->group_id);
    free(cg);
}

int kw__cg_subscribe(kw__cgroup *cg, const char *const *topics, int n)
{
    int e = kw_group_subscribe(cg->g, topics, n);
    if (!e) cg->subscribed = 1;
    return e;
}

int kw__cg_subscribed(const kw__cgroup *cg) { return cg->subscribed; }
kw_group *kw__cg_group(kw__cgroup *cg) { return cg->g; }

void kw__cg_set_rebalance_cb(kw__cgroup *cg, kw_rebalance_fn fn, void *ud)
{
    cg->cb = fn;
    cg->cb_ud = ud;
}

/* ---- requests ---- */

static void unlink_call(kw__cgroup *cg, gcall *q)
{
    for (gcall **pp = &cg->calls; *pp; pp = &(*pp)->next)
        if (*pp == q) { *pp = q->next; return; }
}

static int g_encode(void *ud, int16_t version, kw_buf *out)
{
    gcall *q = ud;
    if (!q->cg) return KW_ERR_DESTROYED;
    if (!q->id) return kw_offsets_commit_encode(q->cg->group_id, &q->cid, &q->l, version, out);
    return kw_group_encode(q->cg->g, q->id, version, out);
}

static void commit_done(kw__cgroup *cg, gcall *q, int err, const kw_conn_resp *resp)
{
    cg->commit_inflight = 0;
    if (!err) err = kw_offsets_commit_apply(&q->l, resp->version, resp->body, resp->len);
    if (!err) {
        cg->st.commits++;
        return;
    }
    cg->st.commit_failures++;
    kw__consumer_set_error(cg->c, "auto commit for group %s: %s", cg->group_id, kw_strerror(err));
    kw_group_commit_failed(cg->g, kw_net_now(), err);
}

static void g_done(void *ud, int err, const kw_conn_resp *resp)
{
    gcall *q = ud;
    kw__cgroup *cg = q->cg;
    if (cg) {
        unlink_call(cg, q);
        if (!q->id) commit_done(cg, q, err, resp);
        else if (err || !resp) kw_group_response(cg->g, kw_net_now(), q->id, err ? err : KW_ERR_IO, -1, NULL, 0);
        else kw_group_response(cg->g, kw_net_now(), q->id, 0, resp->version, resp->body, resp->len);
    }
    gcall_free(q);
}

static int submit_call(kw__cgroup *cg, gcall *q, int16_t api, int idx)
{
    kw_conn_req r = {.api_key = api, .min_version = -1, .max_version = -1, .fail_fast = 1,
                     .encode = g_encode, .done = g_done, .ud = q};
    if (api == KW_API_JoinGroup) r.response_timeout_ms = cg->join_timeout_ms;
    if (!q->id) r.max_version = kw_offsets_max_version(&q->l); /* an auto commit: v10 needs topic ids */
    int e = idx < 0 ? KW_ERR_NOT_FOUND : kw_net_submit(cg->net, idx, &r);
    if (e) return e;
    q->next = cg->calls;
    cg->calls = q;
    return 0;
}

static void submit(kw__cgroup *cg, const kw_group_req *rq)
{
    int idx = rq->to == KW_GROUP_TO_COORD ? cg->coord_idx : kw_net_pick(cg->net, 0);
    gcall *q = calloc(1, sizeof *q);
    int e = q ? 0 : KW_ERR_NOMEM;
    if (q) {
        q->cg = cg;
        q->id = rq->id;
        kw_tpo_init(&q->l);
        e = submit_call(cg, q, rq->api_key, idx);
    }
    if (e) {
        if (q) gcall_free(q);
        kw_group_response(cg->g, kw_net_now(), rq->id, e, -1, NULL, 0);
    }
}

/* ---- synchronous coordinator calls ---- */

/* OffsetFetch / OffsetCommit for the member go first to the coordinator's own
 * connection (a fetch held on the broker's other one for fetch.max.wait.ms would hold
 * them up); when that fails, client/admin/offsets.c looks the coordinator up and retries. */
typedef struct sync_ud {
    kw__cgroup *cg;
    const kw_commit_id *id; /* commit: as whom; NULL: an OffsetFetch */
    const kw_tpo_list *l;
} sync_ud;

static int sync_encode(void *ud, int16_t version, kw_buf *out)
{
    const sync_ud *q = ud;
    return q->id ? kw_offsets_commit_encode(q->cg->group_id, q->id, q->l, version, out)
                 : kw_offsets_fetch_encode(q->cg->group_id, q->l, version, out);
}

static int coord_sync(kw__cgroup *cg, const kw_commit_id *id, kw_tpo_list *l)
{
    if (cg->coord_idx < 0) return KW_ERR_NOT_FOUND;
    sync_ud q = {cg, id, l};
    kw_conn_req r = {.api_key = id ? KW_API_OffsetCommit : KW_API_OffsetFetch, .min_version = -1,
                     .max_version = kw_offsets_max_version(l), .fail_fast = 1, .encode = sync_encode, .ud = &q};
    kw_buf body;
    kw_buf_init(&body);
    int16_t version = -1;
    int e = kw_net_request(cg->net, cg->coord_idx, &r, &body, &version);
    if (!e) e = id ? kw_offsets_commit_apply(l, version, body.data, body.len)
                   : kw_offsets_fetch_apply(l, version, body.data, body.len);
    kw_buf_free(&body);
    return e;
}

/* ---- commits ---- */

static void identity(kw__cgroup *cg, kw_commit_id *id)
{
    kw_group_commit_identity(cg->g, &id->generation, &id->member_id, &id->instance_id);
}

/* Errors a commit as the member must not retry elsewhere: the coordinator's verdict on
 * the member itself. */
static int member_err(int e)
{
    return e == KW_KAFKA_UNKNOWN_MEMBER_ID || e == KW_KAFKA_ILLEGAL_GENERATION || e == KW_KAFKA_FENCED_INSTANCE_ID ||
           e == KW_KAFKA_STALE_MEMBER_EPOCH || e == KW_KAFKA_FENCED_MEMBER_EPOCH || e == KW_KAFKA_REBALANCE_IN_PROGRESS ||
           e == KW_KAFKA_GROUP_AUTHORIZATION_FAILED || e == KW_KAFKA_TOPIC_AUTHORIZATION_FAILED;
}

int kw__cg_commit(kw__cgroup *cg, kw_tpo_list *l, char *errbuf, size_t errlen)
{
    if (!l->n) return 0;
    kw_commit_id id;
    identity(cg, &id);
    int e = coord_sync(cg, &id, l);
    if (e && !member_err(e)) e = kw_offsets_commit_as(cg->net, &cg->oo, cg->group_id, &id, l);
    if (!e) {
        cg->st.commits++;
        return 0;
    }
    cg->st.commit_failures++;
    if (errbuf)
        snprintf(errbuf, errlen, "OffsetCommit for group %s (generation %d, member %s): %s", cg->group_id,
                 id.generation, id.member_id && *id.member_id ? id.member_id : "-", kw_strerror(e));
    kw_group_commit_failed(cg->g, kw_net_now(), e);
    return e;
}

/* Auto commit: the positions of what earlier polls handed out, without waiting. */
static void auto_commit(kw__cgroup *cg)
{
    if (cg->commit_inflight || cg->coord_idx < 0 || !kw_group_stable(cg->g)) return;
    gcall *q = calloc(1, sizeof *q);
    if (!q) return;
    q->cg = cg;
    kw_tpo_init(&q->l);
    kw_commit_id id;
    identity(cg, &id);
    q->member = strdup(id.member_id ? id.member_id : "");
    q->cid = (kw_commit_id){id.generation, q->member, id.instance_id};
    int e = q->member ? kw__consumer_positions(cg->c, NULL, 0, &q->l) : KW_ERR_NOMEM;
    if (e || !q->l.n || submit_call(cg, q, KW_API_OffsetCommit, cg->coord_idx)) {
        gcall_free(q);
        return;
    }
    cg->commit_inflight = 1;
    cg->st.auto_commits++;
}

void kw__cg_polled(kw__cgroup *cg)
{
    if (!cg->subscribed) return;
    int64_t now = kw_net_now();
    kw_group_polled(cg->g, now);
    if (!cg->auto_commit) return;
    if (!cg->next_commit_us) cg->next_commit_us = now + cg->commit_every_us;
    if (now >= cg->next_commit_us) {
        cg->next_commit_us = now + cg->commit_every_us;
        auto_commit(cg);
    }
}

/* ---- events ---- */

static void pending_remove(kw__cgroup *cg, const kw_tp *parts, int n)
{
    for (int k = 0; k < n; k++)
        for (int i = 0; i < cg->npending; i++)
            if (cg->pending[i].partition == parts[k].partition && !strcmp(cg->pending[i].topic, parts[k].topic)) {
                free((char *)cg->pending[i].topic);
                cg->pending[i] = cg->pending[--cg->npending];
                break;
            }
}

static int pending_add(kw__cgroup *cg, const kw_tp *parts, int n)
{
    for (int i = 0; i < n; i++) {
        kw_tp *v = kw__grow(cg->pending, sizeof *v, (size_t)cg->npending + 1, &cg->cappending, 16);
        if (!v) return KW_ERR_NOMEM;
        cg->pending = v;
        char *t = strdup(parts[i].topic);
        if (!t) return KW_ERR_NOMEM;
        cg->pending[cg->npending++] = (kw_tp){t, parts[i].partition};
    }
    cg->pending_at = 0;
    cg->pending_fail = 0;
    return 0;
}

static void on_event(kw__cgroup *cg, const kw_group_event *ev)
{
    kw_consumer *c = cg->c;
    switch (ev->kind) {
    case KW_GROUP_EV_ASSIGNED:
        if (ev->n && (kw__consumer_take_parts(c, ev->parts, ev->n) || pending_add(cg, ev->parts, ev->n)))
            kw__consumer_set_error(c, "group %s: out of memory taking the assignment", cg->group_id);
        cg->st.rebalances++;
        if (cg->cb) cg->cb(cg->cb_ud, c, KW_REBALANCE_ASSIGNED, ev->parts, ev->n);
        break;
    case KW_GROUP_EV_REVOKED:
        /* enable.auto.commit: what was handed out of them is committed before they go */
        if (cg->auto_commit && !cg->closing && ev->n) {
            kw_tpo_list l;
            kw_tpo_init(&l);
            char why[300];
            if (!kw__consumer_positions(c, ev->parts, ev->n, &l) && kw__cg_commit(cg, &l, why, sizeof why))
                kw__consumer_set_error(c, "commit on revocation: %s", why);
            kw_tpo_free(&l);
        }
        if (cg->cb) cg->cb(cg->cb_ud, c, KW_REBALANCE_REVOKED, ev->parts, ev->n);
        pending_remove(cg, ev->parts, ev->n);
        kw__consumer_drop_parts(c, ev->parts, ev->n);
        break;
    case KW_GROUP_EV_LOST:
        if (cg->cb) cg->cb(cg->cb_ud, c, KW_REBALANCE_LOST, ev->parts, ev->n);
        pending_remove(cg, ev->parts, ev->n);
        kw__consumer_drop_parts(c, ev->parts, ev->n);
        break;
    }
}

/* Start positions of newly assigned partitions: their committed offsets (OffsetFetch),
 * else auto.offset.reset. Retried with backoff while the coordinator cannot answer. */
static void resolve_pending(kw__cgroup *cg, int64_t now)
{
    if (!cg->npending || now < cg->pending_at) return;
    kw_tpo_list l;
    kw_tpo_init(&l);
    int e = 0;
    for (int i = 0; i < cg->npending && !e; i++) e = kw_tpo_add(&l, cg->pending[i].topic, cg->pending[i].partition, -1);
    kw_tpo_set_ids(&l, kw__consumer_meta(cg->c)); /* OffsetFetch v10 names topics by id */
    if (!e && coord_sync(cg, NULL, &l)) {
        for (size_t i = 0; i < l.n; i++) { l.v[i].offset = -1; l.v[i].error = 0; }
        e = kw_offsets_fetch(cg->net, &cg->oo, cg->group_id, &l);
    }
    if (e == KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION || e == KW_KAFKA_UNKNOWN_TOPIC_ID || e == KW_KAFKA_GROUP_ID_NOT_FOUND)
        e = 0; /* UNKNOWN_TOPIC_ID: v10's answer for a topic deleted since the metadata */
    if (e) {
        cg->pending_fail++;
        int64_t b = cg->oo.backoff_ms;
        for (int i = 1; i < cg->pending_fail && b < cg->oo.backoff_max_ms; i++) b *= 2;
        cg->pending_at = now + (b > cg->oo.backoff_max_ms ? cg->oo.backoff_max_ms : b) * 1000;
        kw__consumer_set_error(cg->c, "committed offsets of group %s: %s; retrying", cg->group_id, kw_strerror(e));
    } else {
        for (size_t i = 0; i < l.n; i++) kw__consumer_set_start(cg->c, l.v[i].topic, l.v[i].partition, l.v[i].offset);
        for (int i = 0; i < cg->npending; i++) free((char *)cg->pending[i].topic);
        cg->npending = 0;
    }
    kw_tpo_free(&l);
}

/* ---- the drive ---- */

int kw__cg_drive(kw__cgroup *cg)
{
    if (!cg->subscribed) return 0;
    kw_group *g = cg->g;
    int64_t now = kw_net_now();
    kw_group_tick(g, now);
    for (int round = 0; round < 16; round++) {
        int did = 0;
        int32_t node, port;
        const char *host;
        if (kw_group_coordinator(g, &node, &host, &port) && kw_group_coord_gen(g) != cg->coord_gen) {
            cg->coord_gen = kw_group_coord_gen(g);
            cg->coord_idx = kw_net_add_exact(cg->net, COORD_NODE(node), host, port);
        }
        kw_group_event ev;
        while (kw_group_next_event(g, &ev)) {
            on_event(cg, &ev);
            kw_group_event_done(g, kw_net_now());
            did = 1;
        }
        kw_group_req rq;
        while (kw_group_next_request(g, kw_net_now(), &rq)) {
            submit(cg, &rq);
            did = 1;
        }
        if (!did) break;
    }
    resolve_pending(cg, kw_net_now());
    if (kw_group_wants_metadata(g)) kw__consumer_want_meta(cg->c);
    int e = kw_group_error(g);
    if (e) kw__consumer_set_error(cg->c, "%s", kw_group_error_text(g));
    return e;
}

int64_t kw__cg_deadline(const kw__cgroup *cg)
{
    if (!cg->subscribed) return INT64_MAX;
    int64_t d = kw_group_deadline(cg->g);
    if (cg->auto_commit && cg->next_commit_us && cg->next_commit_us < d) d = cg->next_commit_us;
    if (cg->npending && cg->pending_at < d) d = cg->pending_at;
    return d;
}

int kw__cg_meta_topics(const kw__cgroup *cg, const char *const **names)
{
    return kw_group_wanted_topics(cg->g, names);
}

int kw__cg_wants_meta(const kw__cgroup *cg) { return cg->subscribed && kw_group_wants_metadata(cg->g); }

void kw__cg_meta_updated(kw__cgroup *cg)
{
    if (cg->subscribed) kw_group_metadata_updated(cg->g, kw_net_now());
}

int kw__cg_settled(const kw__cgroup *cg) { return cg->subscribed && kw_group_stable(cg->g) && !cg->npending; }

int kw__cg_close(kw__cgroup *cg, int timeout_ms)
{
    if (!cg->subscribed) return 0;
    int64_t deadline = kw_net_now() + (int64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000;
    int err = 0;
    if (cg->auto_commit && kw_group_stable(cg->g)) {
        kw_tpo_list l;
        kw_tpo_init(&l);
        char why[300];
        if (!kw__consumer_positions(cg->c, NULL, 0, &l) && (err = kw__cg_commit(cg, &l, why, sizeof why)))
            kw__consumer_set_error(cg->c, "commit on close: %s", why);
        kw_tpo_free(&l);
    }
    cg->closing = 1;
    kw_group_leave(cg->g, kw_net_now());
    for (;;) {
        kw__cg_drive(cg);
        if (kw_group_left(cg->g)) break;
        int64_t left = deadline - kw_net_now();
        if (left <= 0) break;
        if (kw_net_poll(cg->net, (int)(left / 1000 > 50 ? 50 : left / 1000 + 1)) < 0) break;
    }
    return err;
}

const kw_consumer_group_stats *kw__cg_stats(const kw__cgroup *cg)
{
    kw__cgroup *m = (kw__cgroup *)cg;
    const kw_group_stats *gs = kw_group_stats_get(cg->g);
    m->st.joins = gs->joins;
    m->st.syncs = gs->syncs;
    m->st.heartbeats = gs->heartbeats;
    m->st.assigned = gs->assigned;
    m->st.revoked = gs->revoked;
    m->st.lost = gs->lost;
    m->st.coordinator_lookups = gs->coordinator_lookups;
    m->st.last_rebalance_us = gs->last_rebalance_us;
    return &m->st;
}

/* ---- the consumer's public group calls (client/consume/consumer.h) ---- */

int kw_consumer_subscribe(kw_consumer *c, const char *const *topics, int n)
{
    kw__cgroup *cg = kw__consumer_cg(c);
    if (!cg) {
        kw__consumer_set_error(c, "subscribing needs group.id");
        return KW_ERR_CONFIG;
    }
    if (n < 1) {
        kw__consumer_set_error(c, "subscribe: no topic");
        return KW_ERR_INVALID_ARG;
    }
    char why[400];
    kw_meta *m = kw__consumer_meta(c);
    int e = kw_meta_fetch_why(cg->net, topics, n, 0, m, why, sizeof why);
    if (e) {
        kw__consumer_set_error(c, "metadata: %s%s%s%s", kw_strerror(e), why[0] ? " (" : "", why, why[0] ? ")" : "");
        return e;
    }
    kw__consumer_meta_fresh(c);
    for (int i = 0; i < n; i++) {
        const kw_meta_topic *t = kw_meta_topic_find(m, topics[i]);
        if (!t || (t->error && !t->nparts)) {
            e = t ? t->error : KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
            kw__consumer_set_error(c, "topic %s: %s", topics[i], kw_strerror(e));
            return e;
        }
    }
    e = kw__cg_subscribe(cg, topics, n);
    if (e) kw__consumer_set_error(c, "subscribe: %s", kw_strerror(e));
    return e;
}

void kw_consumer_set_rebalance_cb(kw_consumer *c, kw_rebalance_fn fn, void *ud)
{
    kw__cgroup *cg = kw__consumer_cg(c);
    if (cg) kw__cg_set_rebalance_cb(cg, fn, ud);
}

int kw_consumer_keepalive(kw_consumer *c, int timeout_ms)
{
    kw__cgroup *cg = kw__consumer_cg(c);
    int64_t deadline = kw_net_now() + (int64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000;
    for (;;) {
        if (cg) {
            int e = kw__cg_drive(cg);
            if (e) return e;
        }
        int64_t now = kw_net_now(), left = deadline - now;
        if (left <= 0) return 0;
        int64_t wait = left;
        if (cg) {
            int64_t gd = kw__cg_deadline(cg);
            if (gd != INT64_MAX && gd - now < wait) wait = gd <= now ? 0 : gd - now;
        }
        int e = kw_net_poll(kw_consumer_net(c), (int)(wait / 1000 + (wait % 1000 ? 1 : 0)));
        if (e < 0) return e;
    }
}

int kw_consumer_close(kw_consumer *c, int timeout_ms)
{
    kw__cgroup *cg = kw__consumer_cg(c);
    return cg ? kw__cg_close(cg, timeout_ms) : 0;
}

struct kw_group *kw_consumer_group(kw_consumer *c)
{
    kw__cgroup *cg = kw__consumer_cg(c);
    return cg ? cg->g : NULL;
}

const kw_consumer_group_stats *kw_consumer_group_stats_get(const kw_consumer *c)
{
    kw__cgroup *cg = kw__consumer_cg(c);
    return cg ? kw__cg_stats(cg) : NULL;
}
