/*
 * client/admin/offsets.c — ListOffsets by partition leader, FindCoordinator, OffsetFetch,
 * OffsetCommit (with coordinator rediscovery), ListGroups on every broker,
 * DescribeGroups, and the lag snapshot filler (committed offsets first, then log
 * offsets: see client/admin/lag.h for why that order).
 */
#include "client/admin/offsets.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/batch.h"
#include "codec/grow.h"
#include "proto/consumer_protocol.h"
#include "proto/msg_consumergroupdescribe.h"
#include "proto/msg_describegroups.h"
#include "proto/msg_fetch.h"
#include "proto/msg_findcoordinator.h"
#include "proto/msg_listgroups.h"
#include "proto/msg_listoffsets.h"
#include "proto/msg_offsetcommit.h"
#include "proto/msg_offsetfetch.h"
#include "proto/proto.h"

/* ---- lists ---- */

void kw_tpo_init(kw_tpo_list *l) { memset(l, 0, sizeof *l); }

void kw_tpo_free(kw_tpo_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i].topic);
    free(l->v);
    memset(l, 0, sizeof *l);
}

int kw_tpo_add(kw_tpo_list *l, const char *topic, int32_t partition, int64_t offset)
{
    kw_tpo *v = kw__grow_sz(l->v, sizeof *v, l->n + 1, &l->cap, 16);
    if (!v) return KW_ERR_NOMEM;
    l->v = v;
    kw_tpo *t = &l->v[l->n];
    if (!(t->topic = strdup(topic))) return KW_ERR_NOMEM;
    memset(&t->topic_id, 0, sizeof t->topic_id);
    t->partition = partition;
    t->offset = offset;
    t->leader_epoch = -1;
    t->error = 0;
    l->n++;
    return 0;
}

kw_tpo *kw_tpo_find(const kw_tpo_list *l, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].partition == partition && !strcmp(l->v[i].topic, topic)) return &l->v[i];
    return NULL;
}

static int id_zero(const kw_uuid *id)
{
    static const kw_uuid zero;
    return !memcmp(id, &zero, sizeof zero);
}

void kw_tpo_set_ids(kw_tpo_list *l, const kw_meta *m)
{
    for (size_t i = 0; i < l->n; i++) {
        const kw_meta_topic *t = kw_meta_topic_find(m, l->v[i].topic);
        if (t && !id_zero(&t->id)) l->v[i].topic_id = t->id;
    }
}

int16_t kw_offsets_max_version(const kw_tpo_list *l)
{
    if (!l->n) return 9;
    for (size_t i = 0; i < l->n; i++)
        if (id_zero(&l->v[i].topic_id)) return 9;
    return -1;
}

/* The entry for (topic id, partition) or NULL (a zero id matches nothing). */
static kw_tpo *find_by_id(const kw_tpo_list *l, const kw_uuid *id, int32_t partition)
{
    if (id_zero(id)) return NULL;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].partition == partition && !memcmp(&l->v[i].topic_id, id, sizeof *id)) return &l->v[i];
    return NULL;
}

static char *dup_str(kw_str s)
{
    if (s.len < 0) return NULL;
    char *p = malloc((size_t)s.len + 1);
    if (!p) return NULL;
    memcpy(p, s.p, (size_t)s.len);
    p[s.len] = 0;
    return p;
}

static int str_eq(kw_str s, const char *c)
{
    return s.len >= 0 && strlen(c) == (size_t)s.len && !memcmp(s.p, c, (size_t)s.len);
}

void kw_offsets_opts_default(kw_offsets_opts *o)
{
    o->backoff_ms = 100;
    o->backoff_max_ms = 1000;
    o->timeout_ms = 60000;
    o->attempts = 0;
}

void kw_offsets_opts_from_config(kw_offsets_opts *o, const kw_config *c)
{
    kw_offsets_opts_default(o);
    o->backoff_ms = kw_config_int(c, KW_CONF_RETRY_BACKOFF_MS);
    o->backoff_max_ms = kw_config_int(c, KW_CONF_RETRY_BACKOFF_MAX_MS);
    o->timeout_ms = kw_config_int(c, KW_CONF_DEFAULT_API_TIMEOUT_MS);
}

/* The backoff between tries: in net.c's loop, so the brokers' sockets are serviced. */
static void sleep_ms(kw_net *n, int64_t ms)
{
    if (ms > 0) kw_net_sleep(n, (int)(ms > 60000 ? 60000 : ms));
}

static int64_t backoff(const kw_offsets_opts *o, int attempt)
{
    int64_t b = o->backoff_ms;
    for (int i = 0; i < attempt && b < o->backoff_max_ms; i++) b *= 2;
    return b > o->backoff_max_ms ? o->backoff_max_ms : b;
}

static int64_t now_ms(void) { return kw_net_now() / 1000; }

/* After the failed try number attempt (0-based) of a call that started at start_ms: 1 if
 * another try is allowed (o's attempt cap, and its time bound once the backoff is slept). */
static int try_again(const kw_offsets_opts *o, int attempt, int64_t start_ms)
{
    if (o->attempts > 0 && attempt + 1 >= o->attempts) return 0;
    return now_ms() + backoff(o, attempt) - start_ms < o->timeout_ms;
}

/* One synchronous request: body decoded into *out (arena a). */
typedef struct sync_call {
    kw_buf body;
    kw_arena arena;
    int16_t version;
    int16_t vmax; /* the highest version to ask for, -1: kwire's bound */
} sync_call;

static void call_init(sync_call *s)
{
    kw_buf_init(&s->body);
    kw_arena_init(&s->arena);
    s->version = -1;
    s->vmax = -1;
}
static void call_free(sync_call *s)
{
    kw_buf_free(&s->body);
    kw_arena_free(&s->arena);
}

static int call(kw_net *n, int idx, int16_t api, kw_conn_encode_fn enc, void *ud, sync_call *s, void *out)
{
    /* fail_fast: a broker that cannot be reached (a coordinator or leader that died)
       fails the request at the first failed connect, and the caller looks the
       coordinator or leader up again, instead of the request waiting out
       request.timeout.ms in that broker's queue */
    kw_conn_req r = {.api_key = api, .min_version = -1, .max_version = s->vmax, .fail_fast = 1, .encode = enc,
                     .ud = ud};
    for (;;) {
        s->body.len = 0;
        kw_arena_reset(&s->arena);
        int answered = idx;
        int e = idx < 0 ? kw_net_request_any(n, &r, &s->body, &s->version, &answered)
                        : kw_net_request(n, idx, &r, &s->body, &s->version);
        if (e) return e;
        e = kw_msg_decode(api, s->version, KW_RESP, s->body.data, s->body.len, out, &s->arena, NULL);
        /* librdkafka 2.0.2's mock broker answers ListOffsets v4+ with 4 bytes per partition
         * more than the grammar has; v3 carries the same answer without them. Remembered
         * for that broker (its connection caps ListOffsets at v3), not retried each time. */
        if ((e == KW_ERR_CORRUPT || e == KW_ERR_TRUNCATED) && api == KW_API_ListOffsets && s->version > 3 && answered >= 0) {
            kw_conn_cap_version(kw_net_conn(n, answered), KW_API_ListOffsets, 3);
            continue;
        }
        return e;
    }
}

static int is_coord_err(int e)
{
    return e == KW_KAFKA_NOT_COORDINATOR || e == KW_KAFKA_COORDINATOR_NOT_AVAILABLE ||
           e == KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS || e == KW_ERR_CONNECT || e == KW_ERR_DISCONNECTED ||
           e == KW_ERR_TIMEOUT || e == KW_ERR_RESOLVE;
}

static int is_leader_err(int e)
{
    return e == KW_KAFKA_NOT_LEADER_OR_FOLLOWER || e == KW_KAFKA_LEADER_NOT_AVAILABLE ||
           e == KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION || e == KW_KAFKA_FENCED_LEADER_EPOCH ||
           e == KW_KAFKA_UNKNOWN_LEADER_EPOCH || e == KW_KAFKA_REPLICA_NOT_AVAILABLE ||
           e == KW_KAFKA_OFFSET_NOT_AVAILABLE || e == KW_KAFKA_KAFKA_STORAGE_ERROR || e == KW_ERR_CONNECT ||
           e == KW_ERR_DISCONNECTED || e == KW_ERR_TIMEOUT || e == KW_ERR_NOT_FOUND;
}

/* ---- ListOffsets ---- */

typedef struct lo_ud {
    kw_tpo_list *l;
    size_t *sel; size_t nsel; /* entries for this leader (sel NULL: the first nsel) */
    int64_t ts;
    int isolation;
} lo_ud;

static size_t lo_at(const size_t *sel, size_t i) { return sel ? sel[i] : i; }

/* The answer's partitions into the selected entries of l (sel NULL: the first ns): error,
 * and offset and leader epoch when there is none; hit[k] = 1 for each entry answered
 * (hit may be NULL). */
static void lo_fill(const kw_listoffsets_resp *resp, kw_tpo_list *l, const size_t *sel, size_t ns, char *hit)
{
    for (int32_t t = 0; t < resp->n_topics; t++)
        for (int32_t p = 0; p < resp->topics[t].n_partitions; p++) {
            const kw_listoffsets_resp_partition *rp = &resp->topics[t].partitions[p];
            for (size_t k = 0; k < ns; k++) {
                kw_tpo *x = &l->v[lo_at(sel, k)];
                if (x->partition != rp->partition_index || !str_eq(resp->topics[t].name, x->topic)) continue;
                x->error = rp->error_code;
                if (!rp->error_code) {
                    x->offset = rp->offset;
                    x->leader_epoch = rp->leader_epoch;
                }
                if (hit) hit[k] = 1;
            }
        }
}

static int lo_encode(void *ud, int16_t version, kw_buf *out)
{
    lo_ud *q = ud;
    kw_listoffsets_req r;
    kw_msg_defaults(KW_API_ListOffsets, KW_REQ, &r);
    /* -1: a client. The field has no default and 0 names broker 0, a follower, whose
     * "latest" is the log end rather than the high watermark (or, read_committed, the
     * last stable offset): the broker only applies isolation to a client's request */
    r.replica_id = -1;
    r.isolation_level = (int8_t)q->isolation;
    kw_listoffsets_req_topic *tp = calloc(q->nsel, sizeof *tp);
    kw_listoffsets_req_partition *pp = calloc(q->nsel, sizeof *pp);
    if (!tp || !pp) { free(tp); free(pp); return KW_ERR_NOMEM; }
    int32_t nt = 0;
    for (size_t i = 0; i < q->nsel; i++) {
        kw_tpo *e = &q->l->v[lo_at(q->sel, i)];
        kw_listoffsets_req_partition *p = &pp[i];
        p->partition_index = e->partition;
        p->current_leader_epoch = -1;
        p->timestamp = q->ts;
        /* partitions of one topic are contiguous in pp: same topic as the last one? */
        if (nt && str_eq(tp[nt - 1].name, e->topic) && tp[nt - 1].partitions + tp[nt - 1].n_partitions == p) {
            tp[nt - 1].n_partitions++;
        } else {
            tp[nt].name = kw_s(e->topic);
            tp[nt].partitions = p;
            tp[nt].n_partitions = 1;
            nt++;
        }
    }
    r.topics = tp;
    r.n_topics = nt;
    int e = kw_msg_encode(KW_API_ListOffsets, version, KW_REQ, &r, out);
    free(tp);
    free(pp);
    return e;
}

int kw_offsets_retriable(int e) { return is_leader_err(e); }

int kw_list_offsets_encode(const kw_tpo_list *l, int64_t ts, int isolation, int16_t version, kw_buf *out)
{
    if (!l->n) return KW_ERR_INVALID_ARG;
    lo_ud q = {(kw_tpo_list *)l, NULL, l->n, ts, isolation};
    return lo_encode(&q, version, out);
}

int kw_list_offsets_apply(kw_tpo_list *l, int16_t version, const uint8_t *body, size_t len)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_listoffsets_resp resp;
    int e = kw_msg_decode(KW_API_ListOffsets, version, KW_RESP, body, len, &resp, &a, NULL);
    if (!e) lo_fill(&resp, l, NULL, l->n, NULL);
    kw_arena_free(&a);
    return e;
}

int kw_list_offsets(kw_net *n, kw_meta *m, kw_tpo_list *l, int64_t ts, int isolation, const kw_offsets_opts *o)
{
    if (!l->n) return 0;
    kw_offsets_opts def;
    if (!o) { kw_offsets_opts_default(&def); o = &def; }
    int64_t start = now_ms();
    size_t *sel = malloc(l->n * sizeof *sel);
    char *done = calloc(l->n, 1), *hit = malloc(l->n);
    int *route = malloc(l->n * sizeof *route);
    if (!sel || !done || !hit || !route) { free(sel); free(done); free(hit); free(route); return KW_ERR_NOMEM; }
    sync_call sc;
    call_init(&sc);
    int err = 0;
    for (int attempt = 0;; attempt++) {
        int again = 0;
        for (size_t i = 0; i < l->n; i++) {
            if (done[i]) continue;
            route[i] = kw_meta_route(n, m, l->v[i].topic, l->v[i].partition);
            if (route[i] < 0) { l->v[i].error = KW_KAFKA_LEADER_NOT_AVAILABLE; again = 1; }
        }
        for (size_t i = 0; i < l->n; i++) {
            if (done[i] || route[i] < 0) continue;
            int idx = route[i];
            size_t ns = 0;
            for (size_t j = i; j < l->n; j++)
                if (!done[j] && route[j] == idx) sel[ns++] = j;
            lo_ud q = {l, sel, ns, ts, isolation};
            kw_listoffsets_resp resp;
            int e = call(n, idx, KW_API_ListOffsets, lo_encode, &q, &sc, &resp);
            for (size_t k = 0; k < ns; k++) route[sel[k]] = -1000; /* handled this round */
            if (e) {
                for (size_t k = 0; k < ns; k++) l->v[sel[k]].error = (int16_t)(e > 0 ? e : KW_KAFKA_NETWORK_EXCEPTION);
                err = e;
                again = 1;
                continue;
            }
            memset(hit, 0, ns);
            lo_fill(&resp, l, sel, ns, hit);
            for (size_t k = 0; k < ns; k++) {
                if (!hit[k]) continue;
                if (is_leader_err(l->v[sel[k]].error)) again = 1;
                else done[sel[k]] = 1;
            }
        }
        if (!again || !try_again(o, attempt, start)) break;
        sleep_ms(n, backoff(o, attempt));
        kw_meta_fetch(n, NULL, 0, 0, m);
    }
    call_free(&sc);
    err = 0;
    for (size_t i = 0; i < l->n && !err; i++)
        if (l->v[i].error) err = l->v[i].error;
    for (size_t i = 0; i < l->n && !err; i++)
        if (!done[i]) err = KW_ERR_NOT_FOUND;
    free(sel);
    free(done);
    free(hit);
    free(route);
    return err;
}

/* ---- FindCoordinator ---- */

static int fc_encode(void *ud, int16_t version, kw_buf *out)
{
    kw_findcoordinator_req r;
    kw_msg_defaults(KW_API_FindCoordinator, KW_REQ, &r);
    kw_str key = kw_s(ud);
    r.key_type = KW_COORD_GROUP;
    if (version >= 4) {
        r.coordinator_keys = &key;
        r.n_coordinator_keys = 1;
    } else {
        r.key = key;
    }
    return kw_msg_encode(KW_API_FindCoordinator, version, KW_REQ, &r, out);
}

int kw__coord_find_encode(const char *group, int16_t version, kw_buf *out)
{
    return fc_encode((void *)group, version, out);
}

int kw_coord_find(kw_net *n, const char *group, int *idx)
{
    sync_call sc;
    call_init(&sc);
    kw_findcoordinator_resp r;
    int e = call(n, -1, KW_API_FindCoordinator, fc_encode, (void *)group, &sc, &r);
    if (e == KW_ERR_CORRUPT && sc.version >= 0 && sc.version <= 3) {
        /* librdkafka's mock answers an error with a null host, which the grammar does not
         * allow: the error code is what counts */
        int16_t ec = 0;
        if (!kw_msg_peek_error(KW_API_FindCoordinator, sc.version, KW_RESP, sc.body.data, sc.body.len, &ec) && ec)
            e = ec;
    }
    if (!e) {
        int32_t node = r.node_id;
        kw_str host = r.host;
        int32_t port = r.port;
        e = r.error_code;
        if (sc.version >= 4) {
            if (r.n_coordinators < 1) e = KW_ERR_CORRUPT;
            else {
                node = r.coordinators[0].node_id;
                host = r.coordinators[0].host;
                port = r.coordinators[0].port;
                e = r.coordinators[0].error_code;
            }
        }
        if (!e) {
            char *h = dup_str(host);
            if (!h) e = KW_ERR_NOMEM;
            else {
                int i = kw_net_add(n, node, h, port);
                free(h);
                if (i < 0) e = i;
                else *idx = i;
            }
        }
    }
    call_free(&sc);
    return e;
}

/* ---- OffsetFetch ---- */

typedef struct of_ud {
    const char *group;
    kw_tpo_list *l;
    int zero_ok; /* v10+: send a zero topic id as it is (kw__offsets_fetch_encode_any_id) */
} of_ud;

/* Build topics[] for the entries of l (grouped by topic); NULL array when l is empty. */
typedef struct topic_groups {
    kw_str *names;
    kw_uuid *ids;  /* each topic's id (its first entry's), zero when unknown */
    int missing;   /* some entry has no topic id */
    int32_t **parts; int32_t *nparts;
    int32_t *all;
    int32_t n;
} topic_groups;

static void tg_free(topic_groups *g)
{
    free(g->names);
    free(g->ids);
    free(g->parts);
    free(g->nparts);
    free(g->all);
    memset(g, 0, sizeof *g);
}

static int tg_build(topic_groups *g, const kw_tpo_list *l)
{
    memset(g, 0, sizeof *g);
    if (!l->n) return 0;
    g->names = calloc(l->n, sizeof *g->names);
    g->ids = calloc(l->n, sizeof *g->ids);
    g->parts = calloc(l->n, sizeof *g->parts);
    g->nparts = calloc(l->n, sizeof *g->nparts);
    g->all = calloc(l->n, sizeof *g->all);
    if (!g->names || !g->ids || !g->parts || !g->nparts || !g->all) { tg_free(g); return KW_ERR_NOMEM; }
    /* topics in order of first appearance; their partitions laid out contiguously */
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (id_zero(&l->v[i].topic_id)) g->missing = 1;
        int32_t t;
        for (t = 0; t < g->n; t++)
            if (str_eq(g->names[t], l->v[i].topic)) break;
        if (t < g->n) continue;
        g->names[g->n] = kw_s(l->v[i].topic);
        g->ids[g->n] = l->v[i].topic_id;
        g->parts[g->n] = &g->all[k];
        for (size_t j = i; j < l->n; j++)
            if (!strcmp(l->v[j].topic, l->v[i].topic)) { g->all[k++] = l->v[j].partition; g->nparts[g->n]++; }
        g->n++;
    }
    return 0;
}

static int of_encode(void *ud, int16_t version, kw_buf *out)
{
    of_ud *q = ud;
    topic_groups g;
    int e = tg_build(&g, q->l);
    if (e) return e;
    /* from v10 topics are named by id: every entry needs one, and the answer for every
     * committed partition would name topics kwire cannot name (see kw_offsets_max_version) */
    if (version >= 10 && (!g.n || (g.missing && !q->zero_ok))) { tg_free(&g); return KW_ERR_VERSION; }
    kw_offsetfetch_req r;
    kw_msg_defaults(KW_API_OffsetFetch, KW_REQ, &r);
    kw_offsetfetch_req_topic *ts = g.n ? calloc((size_t)g.n, sizeof *ts) : NULL;
    if (g.n && !ts) { tg_free(&g); return KW_ERR_NOMEM; }
    for (int32_t t = 0; t < g.n; t++) {
        ts[t].name = g.names[t];
        ts[t].topic_id = g.ids[t];
        ts[t].partition_indexes = g.parts[t];
        ts[t].n_partition_indexes = g.nparts[t];
    }
    kw_offsetfetch_req_group grp;
    memset(&grp, 0, sizeof grp);
    if (version >= 8) {
        grp.group_id = kw_s(q->group);
        grp.member_id = KW_STR_NULL;
        grp.member_epoch = -1;
        grp.topics = ts;
        grp.n_topics = g.n ? g.n : -1;
        r.groups = &grp;
        r.n_groups = 1;
    } else {
        r.group_id = kw_s(q->group);
        r.topics = ts;
        r.n_topics = g.n ? g.n : -1;
        if (!g.n && version < 2) e = KW_ERR_UNSUPPORTED;
    }
    if (!e) e = kw_msg_encode(KW_API_OffsetFetch, version, KW_REQ, &r, out);
    free(ts);
    tg_free(&g);
    return e;
}

/* What a coordinator request does with its decoded response: 0 or an error (a
 * coordinator error makes coord_request find the coordinator again and retry). */
typedef int (*coord_handler)(void *hud, void *resp, const sync_call *sc, int idx);
/* Optional: 1 if the error the handler returned is worth another attempt as well. */
typedef int (*coord_again_fn)(void *hud, int err);

/*
 * One request to the group's coordinator, retried while the coordinator moves or loads
 * (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, or it
 * could not be reached), or while again() says the handler's error is transient: find
 * it, send (at vmax at most, -1: kwire's bound), decode into resp, hand the response to
 * handle. With o's backoff between tries, as long as o allows (default.api.timeout.ms,
 * and its attempt cap if any).
 */
static int coord_request(kw_net *n, const kw_offsets_opts *o, const char *group, int16_t api, int16_t vmax,
                         kw_conn_encode_fn enc, void *ud, void *resp, coord_handler handle, void *hud,
                         coord_again_fn again)
{
    sync_call sc;
    call_init(&sc);
    sc.vmax = vmax;
    int e = 0;
    int64_t start = now_ms();
    for (int attempt = 0;; attempt++) {
        if (attempt) sleep_ms(n, backoff(o, attempt - 1));
        int idx;
        e = kw_coord_find(n, group, &idx);
        if (!e) e = call(n, idx, api, enc, ud, &sc, resp);
        if (!e) e = handle(hud, resp, &sc, idx);
        if (!e || !(is_coord_err(e) || (again && again(hud, e)))) break;
        if (!try_again(o, attempt, start)) break;
    }
    call_free(&sc);
    return e;
}

typedef struct of_h {
    kw_tpo_list *l;
    int all;   /* the list names nothing: every committed partition is added */
    int again; /* the last answer carried a transient error: ask again */
} of_h;

/* OffsetFetch asks again on a retriable group-level error (e.g. UNKNOWN_TOPIC_OR_PARTITION
 * for the whole request) and on a partition's UNSTABLE_OFFSET_COMMIT (pending
 * transactional offsets), as Kafka's consumer does; a partition-level
 * UNKNOWN_TOPIC_OR_PARTITION alone is an answer (the topic is gone), not retried. */
static int of_again(void *hud, int err)
{
    (void)err;
    return ((of_h *)hud)->again;
}

static int of_handle(void *hud, void *resp, const sync_call *sc, int idx)
{
    (void)idx;
    of_h *h = hud;
    kw_tpo_list *l = h->l;
    const kw_offsetfetch_resp *r = resp;
    if (h->all) { /* a retry starts over with an empty list */
        for (size_t i = 0; i < l->n; i++) free(l->v[i].topic);
        l->n = 0;
    }
    kw_offsetfetch_resp_topic *ts = r->topics;
    int32_t nt = r->n_topics;
    int e = r->error_code;
    if (sc->version >= 8) {
        if (r->n_groups < 1) return KW_ERR_CORRUPT;
        ts = r->groups[0].topics;
        nt = r->groups[0].n_topics;
        e = r->groups[0].error_code;
    }
    h->again = e != 0 && kw_err_retriable(e);
    /* from v10 the answer names topics by id only: nothing to name what it adds */
    if (!e && h->all && sc->version >= 10) return KW_ERR_VERSION;
    int perr = 0;
    for (int32_t t = 0; t < nt && !e; t++) {
        /* v10+: the entry of that topic id (an id not asked about is ignored) */
        int by_id = sc->version >= 10;
        char *name = by_id ? NULL : dup_str(ts[t].name);
        if (!by_id && !name) return KW_ERR_NOMEM;
        for (int32_t p = 0; p < ts[t].n_partitions; p++) {
            const kw_offsetfetch_resp_partition *rp = &ts[t].partitions[p];
            kw_tpo *x = by_id ? find_by_id(l, &ts[t].topic_id, rp->partition_index)
                              : kw_tpo_find(l, name, rp->partition_index);
            if (!x && h->all && name) {
                if (kw_tpo_add(l, name, rp->partition_index, -1)) { e = KW_ERR_NOMEM; break; }
                x = &l->v[l->n - 1];
            }
            if (!x) continue;
            x->offset = rp->committed_offset;
            x->leader_epoch = rp->committed_leader_epoch;
            x->error = rp->error_code;
            if (rp->error_code && !perr) perr = rp->error_code;
            if (rp->error_code == KW_KAFKA_UNSTABLE_OFFSET_COMMIT) {
                h->again = 1;
                perr = rp->error_code;
            }
        }
        free(name);
    }
    return e ? e : perr;
}

int kw_offsets_fetch_encode(const char *group, const kw_tpo_list *l, int16_t version, kw_buf *out)
{
    of_ud q = {group, (kw_tpo_list *)l};
    return of_encode(&q, version, out);
}

int kw__offsets_fetch_encode_any_id(const char *group, const kw_tpo_list *l, int16_t version, kw_buf *out)
{
    of_ud q = {group, (kw_tpo_list *)l, 1};
    return of_encode(&q, version, out);
}

int kw_offsets_fetch_apply(kw_tpo_list *l, int16_t version, const uint8_t *body, size_t len)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_offsetfetch_resp r;
    sync_call sc;
    sc.version = version;
    int e = kw_msg_decode(KW_API_OffsetFetch, version, KW_RESP, body, len, &r, &a, NULL);
    of_h h = {l, l->n == 0, 0};
    if (!e) e = of_handle(&h, &r, &sc, -1);
    if (!e && h.again) e = KW_KAFKA_UNSTABLE_OFFSET_COMMIT;
    kw_arena_free(&a);
    return e;
}

int kw_offsets_fetch(kw_net *n, const kw_offsets_opts *o, const char *group, kw_tpo_list *l)
{
    kw_offsets_opts def;
    if (!o) { kw_offsets_opts_default(&def); o = &def; }
    of_h h = {l, l->n == 0, 0};
    of_ud q = {group, l};
    kw_offsetfetch_resp r;
    return coord_request(n, o, group, KW_API_OffsetFetch, kw_offsets_max_version(l), of_encode, &q, &r, of_handle,
                         &h, of_again);
}

/* ---- OffsetCommit ---- */

typedef struct oc_ud {
    const char *group;
    const kw_commit_id *id;
    const kw_tpo_list *l;
} oc_ud;

static int commit_encode(const char *group, const kw_commit_id *id, const kw_tpo_list *l, int16_t version,
                         kw_buf *out, int zero_ok)
{
    topic_groups g;
    int e = tg_build(&g, l);
    if (e) return e;
    if (version >= 10 && g.missing && !zero_ok) { tg_free(&g); return KW_ERR_VERSION; } /* v10+: topics by id */
    kw_offsetcommit_req r;
    kw_msg_defaults(KW_API_OffsetCommit, KW_REQ, &r);
    r.group_id = kw_s(group);
    /* a member's commit carries its generation (member epoch) and id, so the
     * coordinator refuses it once the member is out of date */
    r.generation_id_or_member_epoch = id ? id->generation : -1;
    r.member_id = kw_s(id && id->member_id ? id->member_id : "");
    r.group_instance_id = id && id->instance_id ? kw_s(id->instance_id) : KW_STR_NULL;
    r.retention_time_ms = -1;
    kw_offsetcommit_req_topic *ts = calloc((size_t)(g.n ? g.n : 1), sizeof *ts);
    kw_offsetcommit_req_partition *ps = calloc(l->n ? l->n : 1, sizeof *ps);
    if (!ts || !ps) { free(ts); free(ps); tg_free(&g); return KW_ERR_NOMEM; }
    size_t k = 0;
    for (int32_t t = 0; t < g.n; t++) {
        ts[t].name = g.names[t];
        ts[t].topic_id = g.ids[t];
        ts[t].partitions = &ps[k];
        for (size_t i = 0; i < l->n; i++) {
            const kw_tpo *x = &l->v[i];
            if (!str_eq(g.names[t], x->topic)) continue; /* by name: the topic's entries */
            ps[k].partition_index = x->partition;
            ps[k].committed_offset = x->offset;
            ps[k].committed_leader_epoch = x->leader_epoch;
            ps[k].committed_metadata = kw_s("");
            k++;
            ts[t].n_partitions++;
        }
    }
    r.topics = ts;
    r.n_topics = g.n;
    e = kw_msg_encode(KW_API_OffsetCommit, version, KW_REQ, &r, out);
    free(ts);
    free(ps);
    tg_free(&g);
    return e;
}

int kw_offsets_commit_encode(const char *group, const kw_commit_id *id, const kw_tpo_list *l, int16_t version,
                             kw_buf *out)
{
    return commit_encode(group, id, l, version, out, 0);
}

int kw__offsets_commit_encode_any_id(const char *group, const kw_commit_id *id, const kw_tpo_list *l,
                                     int16_t version, kw_buf *out)
{
    return commit_encode(group, id, l, version, out, 1);
}

static int oc_encode(void *ud, int16_t version, kw_buf *out)
{
    const oc_ud *q = ud;
    return kw_offsets_commit_encode(q->group, q->id, q->l, version, out);
}

/* The answer's partition errors into l's entries (v10+: matched by topic id; a topic
 * not asked about is ignored): 0 or the first error. */
static int oc_result(kw_tpo_list *l, int16_t version, const kw_offsetcommit_resp *r)
{
    int e = 0;
    for (int32_t t = 0; t < r->n_topics; t++) {
        const kw_offsetcommit_resp_topic *rt = &r->topics[t];
        for (int32_t p = 0; p < rt->n_partitions; p++) {
            const kw_offsetcommit_resp_partition *rp = &rt->partitions[p];
            for (size_t i = 0; i < l->n; i++) {
                kw_tpo *x = &l->v[i];
                if (x->partition != rp->partition_index) continue;
                if (version >= 10 ? !id_zero(&rt->topic_id) && !memcmp(&rt->topic_id, &x->topic_id, sizeof x->topic_id)
                                  : str_eq(rt->name, x->topic)) {
                    x->error = rp->error_code;
                    if (rp->error_code && !e) e = rp->error_code;
                }
            }
        }
    }
    return e;
}

static int oc_handle(void *hud, void *resp, const sync_call *sc, int idx)
{
    (void)idx;
    return oc_result(hud, sc->version, resp);
}

int kw_offsets_commit_apply(kw_tpo_list *l, int16_t version, const uint8_t *body, size_t len)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_offsetcommit_resp r;
    int e = kw_msg_decode(KW_API_OffsetCommit, version, KW_RESP, body, len, &r, &a, NULL);
    if (!e) e = oc_result(l, version, &r);
    kw_arena_free(&a);
    return e;
}

int kw_offsets_commit_as(kw_net *n, const kw_offsets_opts *o, const char *group, const kw_commit_id *id,
                         kw_tpo_list *l)
{
    kw_offsets_opts def;
    if (!o) { kw_offsets_opts_default(&def); o = &def; }
    if (!l->n) return 0;
    oc_ud q = {group, id, l};
    kw_offsetcommit_resp r;
    return coord_request(n, o, group, KW_API_OffsetCommit, kw_offsets_max_version(l), oc_encode, &q, &r, oc_handle, l,
                         NULL);
}

int kw_offsets_commit(kw_net *n, const kw_offsets_opts *o, const char *group, kw_tpo_list *l)
{
    return kw_offsets_commit_as(n, o, group, NULL, l);
}

/* ---- groups ---- */

void kw_group_info_free(kw_group_info *g)
{
    free(g->group);
    free(g->protocol_type);
    free(g->state);
    free(g->type);
    free(g->assignor);
    for (int32_t i = 0; i < g->nmembers; i++) {
        free(g->members[i].member_id);
        free(g->members[i].client_id);
        free(g->members[i].client_host);
        free(g->members[i].instance_id);
        for (int32_t k = 0; k < g->members[i].nassigned; k++) free((char *)g->members[i].assigned[k].topic);
        free(g->members[i].assigned);
    }
    free(g->members);
    memset(g, 0, sizeof *g);
}

void kw_group_list_free(kw_group_list *l)
{
    for (size_t i = 0; i < l->n; i++) kw_group_info_free(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int lg_encode(void *ud, int16_t version, kw_buf *out)
{
    (void)ud;
    kw_listgroups_req r;
    kw_msg_defaults(KW_API_ListGroups, KW_REQ, &r);
    return kw_msg_encode(KW_API_ListGroups, version, KW_REQ, &r, out);
}

int kw__groups_list_encode(int16_t version, kw_buf *out) { return lg_encode(NULL, version, out); }

static int cmp_group(const void *a, const void *b)
{
    return strcmp(((const kw_group_info *)a)->group, ((const kw_group_info *)b)->group);
}

int kw_groups_list(kw_net *n, const kw_meta *m, kw_group_list *out)
{
    sync_call sc;
    call_init(&sc);
    int err = 0;
    for (int32_t b = 0; b < m->nbrokers; b++) {
        const kw_meta_broker *mb = &m->brokers[b];
        int idx = kw_net_find(n, mb->node_id);
        if (idx < 0) idx = kw_net_add(n, mb->node_id, mb->host, mb->port);
        if (idx < 0) { err = idx; continue; }
        kw_listgroups_resp r;
        int e = call(n, idx, KW_API_ListGroups, lg_encode, NULL, &sc, &r);
        if (!e) e = r.error_code;
        if (e) {
            err = e;
            out->nfailed++;
            /* the socket layer's reason for a connection failure, Kafka's text otherwise */
            const char *le = e < 0 ? kw_net_last_error(n, idx) : NULL;
            size_t used = strlen(out->failed);
            if (used + 4 < sizeof out->failed)
                snprintf(out->failed + used, sizeof out->failed - used, "%snode %d (%s:%d): %s", used ? "; " : "",
                         mb->node_id, mb->host ? mb->host : "?", mb->port, le && *le ? le : kw_strerror(e));
            continue;
        }
        for (int32_t g = 0; g < r.n_groups; g++) {
            char *name = dup_str(r.groups[g].group_id);
            if (!name) { err = KW_ERR_NOMEM; break; }
            size_t i;
            for (i = 0; i < out->n; i++)
                if (!strcmp(out->v[i].group, name)) break;
            if (i < out->n) { free(name); continue; }
            kw_group_info *v = kw__grow_sz(out->v, sizeof *v, out->n + 1, &out->cap, 16);
            if (!v) { free(name); err = KW_ERR_NOMEM; break; }
            out->v = v;
            kw_group_info *gi = &out->v[out->n++];
            memset(gi, 0, sizeof *gi);
            gi->group = name;
            gi->protocol_type = dup_str(r.groups[g].protocol_type);
            if (!gi->protocol_type) gi->protocol_type = strdup("");
            gi->state = r.groups[g].group_state.len > 0 ? dup_str(r.groups[g].group_state) : NULL;
            gi->type = r.groups[g].group_type.len > 0 ? dup_str(r.groups[g].group_type) : NULL;
            gi->epoch = -1;
            gi->coordinator = mb->node_id;
        }
    }
    call_free(&sc);
    if (out->n) qsort(out->v, out->n, sizeof *out->v, cmp_group);
    return err;
}

static int dg_encode(void *ud, int16_t version, kw_buf *out)
{
    kw_describegroups_req r;
    kw_msg_defaults(KW_API_DescribeGroups, KW_REQ, &r);
    kw_str g = kw_s(ud);
    r.groups = &g;
    r.n_groups = 1;
    return kw_msg_encode(KW_API_DescribeGroups, version, KW_REQ, &r, out);
}

int kw__group_describe_encode(const char *group, int16_t version, kw_buf *out)
{
    return dg_encode((void *)group, version, out);
}

typedef struct dg_h {
    kw_net *n;
    const char *group;
    kw_group_info *out;
    int not_classic; /* DescribeGroups said GROUP_ID_NOT_FOUND */
} dg_h;

/* Append a partition to a member's assignment (topic copied). */
static int member_add(kw_group_member *m, int *cap, kw_str topic, int32_t partition)
{
    if (m->nassigned < 0) m->nassigned = 0;
    kw_tp *v = kw__grow(m->assigned, sizeof *v, (size_t)m->nassigned + 1, cap, 8);
    if (!v) return KW_ERR_NOMEM;
    m->assigned = v;
    char *t = dup_str(topic);
    if (!t) return KW_ERR_NOMEM;
    m->assigned[m->nassigned++] = (kw_tp){t, partition};
    return 0;
}

static int dg_handle(void *hud, void *resp, const sync_call *sc, int idx)
{
    (void)sc;
    dg_h *h = hud;
    const kw_describegroups_resp *r = resp;
    if (r->n_groups < 1) return KW_ERR_CORRUPT;
    const kw_describegroups_group *g = &r->groups[0];
    if (g->error_code == KW_KAFKA_GROUP_ID_NOT_FOUND) h->not_classic = 1;
    if (g->error_code) return g->error_code;
    kw_group_info *out = h->out;
    out->group = strdup(h->group);
    out->protocol_type = dup_str(g->protocol_type);
    out->state = dup_str(g->group_state);
    out->type = strdup("classic");
    out->assignor = g->protocol_data.len > 0 ? dup_str(g->protocol_data) : NULL;
    out->epoch = -1;
    out->coordinator = kw_net_node_id(h->n, idx);
    int e = 0;
    if (g->n_members > 0) {
        out->members = calloc((size_t)g->n_members, sizeof *out->members);
        if (!out->members) return KW_ERR_NOMEM;
        out->nmembers = g->n_members;
        for (int32_t i = 0; i < g->n_members && !e; i++) {
            const kw_describegroups_member *dm = &g->members[i];
            kw_group_member *m = &out->members[i];
            m->member_id = dup_str(dm->member_id);
            m->client_id = dup_str(dm->client_id);
            m->client_host = dup_str(dm->client_host);
            m->instance_id = dm->group_instance_id.len >= 0 ? dup_str(dm->group_instance_id) : NULL;
            m->member_epoch = -1;
            m->nassigned = -1;
            /* none of the three is nullable: NULL is a failed allocation */
            if (!m->member_id || !m->client_id || !m->client_host) e = KW_ERR_NOMEM;
            /* a consumer-protocol member's assignment, as the leader handed it out */
            if (!e && str_eq(g->protocol_type, KW_CP_PROTOCOL_TYPE)) {
                kw_arena a;
                kw_arena_init(&a);
                kw_consumerprotocol_assignment as;
                int cap = 0;
                if (!kw_cp_assignment_decode(dm->member_assignment.p,
                                             dm->member_assignment.len < 0 ? 0 : (size_t)dm->member_assignment.len, &as,
                                             NULL, &a, NULL)) {
                    m->nassigned = 0;
                    for (int32_t t = 0; t < as.n_assigned_partitions && !e; t++)
                        for (int32_t p = 0; p < as.assigned_partitions[t].n_partitions && !e; p++)
                            e = member_add(m, &cap, as.assigned_partitions[t].topic,
                                           as.assigned_partitions[t].partitions[p]);
                }
                kw_arena_free(&a);
            }
        }
    }
    if (!out->group || !out->protocol_type || !out->state || !out->type) e = KW_ERR_NOMEM;
    return e;
}

static int cgd_encode(void *ud, int16_t version, kw_buf *out)
{
    kw_consumergroupdescribe_req r;
    kw_msg_defaults(KW_API_ConsumerGroupDescribe, KW_REQ, &r);
    kw_str g = kw_s(ud);
    r.group_ids = &g;
    r.n_group_ids = 1;
    return kw_msg_encode(KW_API_ConsumerGroupDescribe, version, KW_REQ, &r, out);
}

static int cgd_handle(void *hud, void *resp, const sync_call *sc, int idx)
{
    (void)sc;
    dg_h *h = hud;
    const kw_consumergroupdescribe_resp *r = resp;
    if (r->n_groups < 1) return KW_ERR_CORRUPT;
    const kw_consumergroupdescribe_described_group *g = &r->groups[0];
    if (g->error_code) return g->error_code;
    kw_group_info *out = h->out;
    kw_group_info_free(out);
    out->group = strdup(h->group);
    out->protocol_type = strdup(KW_CP_PROTOCOL_TYPE);
    out->state = dup_str(g->group_state);
    out->type = strdup("consumer");
    out->assignor = g->assignor_name.len > 0 ? dup_str(g->assignor_name) : NULL;
    out->epoch = g->group_epoch;
    out->coordinator = kw_net_node_id(h->n, idx);
    int e = 0;
    if (g->n_members > 0) {
        out->members = calloc((size_t)g->n_members, sizeof *out->members);
        if (!out->members) return KW_ERR_NOMEM;
        out->nmembers = g->n_members;
        for (int32_t i = 0; i < g->n_members && !e; i++) {
            const kw_consumergroupdescribe_member *cm = &g->members[i];
            kw_group_member *m = &out->members[i];
            m->member_id = dup_str(cm->member_id);
            m->client_id = dup_str(cm->client_id);
            m->client_host = dup_str(cm->client_host);
            m->instance_id = cm->instance_id.len >= 0 ? dup_str(cm->instance_id) : NULL;
            m->member_epoch = cm->member_epoch;
            if (!m->member_id || !m->client_id || !m->client_host) e = KW_ERR_NOMEM;
            int cap = 0;
            m->nassigned = 0;
            const kw_consumergroupdescribe_assignment *as = &cm->assignment;
            for (int32_t t = 0; t < as->n_topic_partitions && !e; t++)
                for (int32_t p = 0; p < as->topic_partitions[t].n_partitions && !e; p++)
                    e = member_add(m, &cap, as->topic_partitions[t].topic_name, as->topic_partitions[t].partitions[p]);
        }
    }
    if (!out->group || !out->protocol_type || !out->state || !out->type) e = KW_ERR_NOMEM;
    return e;
}

int kw_group_describe(kw_net *n, const kw_offsets_opts *o, const char *group, kw_group_info *out)
{
    kw_offsets_opts def;
    if (!o) { kw_offsets_opts_default(&def); o = &def; }
    memset(out, 0, sizeof *out);
    dg_h h = {n, group, out, 0};
    kw_describegroups_resp r;
    int e = coord_request(n, o, group, KW_API_DescribeGroups, -1, dg_encode, (void *)group, &r, dg_handle, &h, NULL);
    if (e == KW_KAFKA_GROUP_ID_NOT_FOUND && h.not_classic) {
        /* Kafka 4 answers DescribeGroups for a consumer-protocol group with "not a classic
         * group": ConsumerGroupDescribe knows it */
        kw_consumergroupdescribe_resp cr;
        int ce = coord_request(n, o, group, KW_API_ConsumerGroupDescribe, -1, cgd_encode, (void *)group, &cr, cgd_handle,
                               &h, NULL);
        if (ce != KW_ERR_VERSION && ce != KW_KAFKA_GROUP_ID_NOT_FOUND) e = ce;
    }
    if (e) kw_group_info_free(out); /* nothing half-filled for the caller to leak */
    return e;
}

/* ---- timestamps of the records at given offsets ---- */

typedef struct rt_ud {
    const kw_tpo_list *l;
    const kw_meta *m;
    const size_t *sel; /* entries asked of this leader */
    size_t nsel;
    int ids;           /* every topic has its id: Fetch v13+ allowed */
} rt_ud;

static int rt_encode(void *ud, int16_t version, kw_buf *out)
{
    const rt_ud *q = ud;
    kw_fetch_req r;
    kw_msg_defaults(KW_API_Fetch, KW_REQ, &r);
    r.replica_id = -1;
    r.max_wait_ms = 0;
    r.min_bytes = 0;
    r.max_bytes = 8 << 20;
    r.session_id = 0;
    r.session_epoch = -1;
    r.rack_id = kw_s("");
    kw_fetch_topic *ts = calloc(q->nsel, sizeof *ts);
    kw_fetch_partition *ps = calloc(q->nsel, sizeof *ps);
    if (!ts || !ps) { free(ts); free(ps); return KW_ERR_NOMEM; }
    for (size_t i = 0; i < q->nsel; i++) {
        const kw_tpo *x = &q->l->v[q->sel[i]];
        const kw_meta_topic *mt = kw_meta_topic_find(q->m, x->topic);
        ps[i].partition = x->partition;
        ps[i].current_leader_epoch = -1;
        ps[i].fetch_offset = x->offset;
        ps[i].last_fetched_epoch = -1;
        ps[i].log_start_offset = -1;
        ps[i].partition_max_bytes = 64 << 10; /* the batch holding the offset (bigger: alone, below) */
        ts[i].topic = kw_s(x->topic);
        if (mt) ts[i].topic_id = mt->id;
        ts[i].partitions = &ps[i];
        ts[i].n_partitions = 1;
    }
    r.topics = ts;
    r.n_topics = (int32_t)q->nsel;
    int e = kw_msg_encode(KW_API_Fetch, version, KW_REQ, &r, out);
    free(ts);
    free(ps);
    return e;
}

/* The first record at or after `want` in a record set: its timestamp, or -1. *partial
 * is set when the set ends in a partial batch before one was found. */
static int64_t first_ts(const uint8_t *p, size_t len, int64_t want, int *partial)
{
    kw_rd rd;
    kw_rd_init(&rd, p, len);
    kw_buf scratch;
    kw_buf_init(&scratch);
    kw_batch_reader_opts bo = {.check_crc = 1, .max_decompressed = 0};
    int64_t ts = -1;
    for (;;) {
        if (kw_records_magic(rd.p + rd.off, kw_rd_left(&rd)) != 2) break;
        kw_batch b;
        int e = kw_batch_next(&rd, &b, &scratch, &bo);
        if (e == KW_ERR_INCOMPLETE) *partial = 1;
        if (e <= 0) break;
        if (kw_batch_last(b.base_offset, b.last_offset_delta) < want || (b.attributes & KW_ATTR_CONTROL)) continue;
        kw_record_iter it;
        kw_record rec;
        kw_record_iter_init(&it, &b);
        while (kw_record_iter_next(&it, &rec) == 1) {
            if (rec.offset < want) continue;
            ts = (b.attributes & KW_ATTR_LOG_APPEND_TIME) ? b.max_timestamp : rec.timestamp;
            break;
        }
        if (ts >= 0) break;
    }
    kw_buf_free(&scratch);
    return ts;
}

/* One Fetch to leader idx for the entries sel[]; fills ts; the entries whose batch did
 * not fit are put back in *retry (for a Fetch of their own). */
static void rt_leader(kw_net *n, const kw_meta *m, const kw_tpo_list *l, const size_t *sel, size_t nsel, int idx,
                      int64_t *ts, size_t *retry, size_t *nretry)
{
    rt_ud q = {l, m, sel, nsel, 1};
    static const kw_uuid zero;
    for (size_t i = 0; i < nsel; i++) {
        const kw_meta_topic *mt = kw_meta_topic_find(m, l->v[sel[i]].topic);
        if (!mt || !memcmp(&mt->id, &zero, sizeof zero)) q.ids = 0;
    }
    kw_conn_req r = {.api_key = KW_API_Fetch, .min_version = -1, .max_version = q.ids ? -1 : 12, .fail_fast = 1,
                     .encode = rt_encode, .ud = &q};
    kw_buf body;
    kw_buf_init(&body);
    int16_t version = -1;
    kw_arena a;
    kw_arena_init(&a);
    kw_fetch_resp resp;
    if (!kw_net_request(n, idx, &r, &body, &version) &&
        !kw_msg_decode(KW_API_Fetch, version, KW_RESP, body.data, body.len, &resp, &a, NULL) && !resp.error_code) {
        for (int32_t t = 0; t < resp.n_responses; t++) {
            const kw_fetch_topic_resp *tr = &resp.responses[t];
            for (int32_t p = 0; p < tr->n_partitions; p++) {
                const kw_fetch_partition_resp *pr = &tr->partitions[p];
                for (size_t i = 0; i < nsel; i++) {
                    const kw_tpo *x = &l->v[sel[i]];
                    const kw_meta_topic *mt = kw_meta_topic_find(m, x->topic);
                    int same = x->partition == pr->partition_index &&
                               (version >= 13 ? mt && !memcmp(&mt->id, &tr->topic_id, sizeof mt->id)
                                              : str_eq(tr->topic, x->topic));
                    if (!same || pr->error_code || pr->records.len <= 0) continue;
                    int partial = 0;
                    ts[sel[i]] = first_ts(pr->records.p, (size_t)pr->records.len, x->offset, &partial);
                    if (ts[sel[i]] < 0 && partial && retry && nsel > 1) retry[(*nretry)++] = sel[i];
                }
            }
        }
    }
    kw_arena_free(&a);
    kw_buf_free(&body);
}

int kw_record_times(kw_net *n, kw_meta *m, const kw_tpo_list *l, int64_t *ts)
{
    for (size_t i = 0; i < l->n; i++) ts[i] = -1;
    if (!l->n) return 0;
    size_t *sel = malloc(l->n * sizeof *sel), *retry = malloc(l->n * sizeof *retry);
    int *leader = malloc(l->n * sizeof *leader);
    if (!sel || !retry || !leader) { free(sel); free(retry); free(leader); return KW_ERR_NOMEM; }
    for (size_t i = 0; i < l->n; i++) leader[i] = kw_meta_route(n, m, l->v[i].topic, l->v[i].partition);
    for (size_t i = 0; i < l->n; i++) {
        if (leader[i] < 0) continue;
        size_t ns = 0, nr = 0;
        int idx = leader[i];
        for (size_t j = i; j < l->n; j++)
            if (leader[j] == idx) { sel[ns++] = j; leader[j] = -1; }
        rt_leader(n, m, l, sel, ns, idx, ts, retry, &nr);
        /* a batch bigger than the per-partition bound comes whole only as the first
         * partition of a fetch (KIP-74): those alone */
        for (size_t k = 0; k < nr; k++) rt_leader(n, m, l, &retry[k], 1, idx, ts, NULL, NULL);
    }
    free(sel);
    free(retry);
    free(leader);
    return 0;
}

/* ---- the lag snapshot ---- */

int kw_snap_fill(kw_net *n, const kw_offsets_opts *o, const char *const *groups, int ngroups,
                 int (*keep)(void *ud, const char *group), void *ud, const char *topic, int all_topics,
                 int read_committed, kw_snapshot *s)
{
    kw_meta m;
    memset(&m, 0, sizeof m);
    int e = kw_meta_fetch(n, NULL, 0, 0, &m);
    if (e) return e;
    s->brokers = m.nbrokers;
    s->read_committed = read_committed;
    kw_group_list gl;
    memset(&gl, 0, sizeof gl);
    kw_tpo_list logs;
    kw_tpo_init(&logs);
    /* 1. committed offsets first. The partitions are named explicitly (every partition
     * of the topic, or of every topic): a null "all topics" OffsetFetch is not answered
     * by every broker (librdkafka's mock echoes a null array). */
    if (!ngroups) {
        e = kw_groups_list(n, &m, &gl);
        if (e == KW_ERR_VERSION && !gl.n) { /* no broker implements ListGroups */
            e = 0;
            s->groups_unlisted = 1;
        }
        if (e) goto out;
    }
    kw_tpo_list want;
    kw_tpo_init(&want);
    for (int32_t t = 0; t < m.ntopics && !e; t++) {
        const kw_meta_topic *mt = &m.topics[t];
        if (!mt->name || (topic ? strcmp(topic, mt->name) != 0 : mt->internal)) continue;
        for (int32_t p = 0; p < mt->nparts && !e; p++) e = kw_tpo_add(&want, mt->name, mt->parts[p].partition, -1);
    }
    int count = ngroups ? ngroups : (int)gl.n;
    for (int i = 0; i < count && !e; i++) {
        const char *g = ngroups ? groups[i] : gl.v[i].group;
        if (keep && !keep(ud, g)) continue;
        if ((e = kw_snap_add_group(s, g, ngroups ? NULL : gl.v[i].state))) break;
        /* who is in it and who has which partition (a broker without DescribeGroups, a
         * group it does not know: left unknown) */
        kw_group_info gi;
        if (!kw_group_describe(n, o, g, &gi)) {
            e = kw_snap_add_group(s, g, gi.state);
            if (!e) e = kw_snap_set_group_info(s, g, gi.type, gi.nmembers);
            for (int32_t k = 0; k < gi.nmembers && !e; k++) {
                const kw_group_member *gm = &gi.members[k];
                for (int32_t a = 0; a < gm->nassigned && !e; a++) {
                    if (topic && strcmp(topic, gm->assigned[a].topic)) continue;
                    e = kw_snap_set_owner(s, g, gm->assigned[a].topic, gm->assigned[a].partition, gm->member_id,
                                          gm->client_id, gm->client_host);
                    if (!e) e = kw_snap_add_topic(s, gm->assigned[a].topic);
                }
            }
            kw_group_info_free(&gi);
            if (e) break;
        }
        if (!want.n) continue;
        kw_tpo_list c;
        kw_tpo_init(&c);
        for (size_t k = 0; k < want.n && !e; k++) e = kw_tpo_add(&c, want.v[k].topic, want.v[k].partition, -1);
        kw_tpo_set_ids(&c, &m); /* OffsetFetch v10 names topics by id */
        if (!e) e = kw_offsets_fetch(n, o, g, &c);
        if (e == KW_KAFKA_GROUP_ID_NOT_FOUND || e == KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION || e == KW_KAFKA_UNKNOWN_TOPIC_ID)
            e = 0; /* a topic deleted since the metadata (UNKNOWN_TOPIC_ID: v10, by id) */
        for (size_t k = 0; k < c.n && !e; k++) {
            if (c.v[k].offset < 0 && !topic) continue;
            e = kw_snap_set_commit(s, g, c.v[k].topic, c.v[k].partition, c.v[k].offset);
            if (!e) e = kw_snap_add_topic(s, c.v[k].topic);
        }
        kw_tpo_free(&c);
    }
    kw_tpo_free(&want);
    if (e) goto out;
    /* 2. then log offsets of the topics */
    for (int32_t t = 0; t < m.ntopics; t++) {
        const kw_meta_topic *mt = &m.topics[t];
        if (!mt->name) continue;
        if (topic ? strcmp(topic, mt->name) != 0 : !all_topics && !kw_snap_find_topic(s, mt->name)) continue;
        if (mt->internal && !topic) continue;
        for (int32_t p = 0; p < mt->nparts; p++)
            if ((e = kw_tpo_add(&logs, mt->name, mt->parts[p].partition, -1))) goto out;
    }
    if (logs.n) {
        kw_tpo_list early;
        kw_tpo_init(&early);
        for (size_t i = 0; i < logs.n && !e; i++) e = kw_tpo_add(&early, logs.v[i].topic, logs.v[i].partition, -1);
        if (!e) e = kw_list_offsets(n, &m, &logs, KW_TS_LATEST, 0, o);
        int e2 = e ? 0 : kw_list_offsets(n, &m, &early, KW_TS_EARLIEST, 0, o);
        kw_tpo_list lso;
        kw_tpo_init(&lso);
        if (!e && !e2 && read_committed) {
            for (size_t i = 0; i < logs.n && !e2; i++) e2 = kw_tpo_add(&lso, logs.v[i].topic, logs.v[i].partition, -1);
            if (!e2) e2 = kw_list_offsets(n, &m, &lso, KW_TS_LATEST, 1, o);
        }
        if (!e) e = e2;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        s->taken_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
        for (size_t i = 0; i < logs.n && !e; i++)
            e = kw_snap_set_partition(s, logs.v[i].topic, logs.v[i].partition, early.v[i].offset, logs.v[i].offset,
                                      read_committed ? lso.v[i].offset : -1);
        kw_tpo_free(&lso);
        kw_tpo_free(&early);
        /* 3. lag in time: the timestamp of the record at each committed offset behind
         * the log end (one small Fetch per leader) */
        kw_tpo_list at;
        kw_tpo_init(&at);
        char **who = NULL;
        size_t nwho = 0, capwho = 0;
        for (size_t gi = 0; gi < s->ngroups && !e; gi++)
            for (size_t k = 0; k < s->groups[gi].ncommits && !e; k++) {
                const kw_snap_commit *c = &s->groups[gi].commits[k];
                const kw_snap_part *p = kw_snap_find_part(s, c->topic, c->partition);
                int64_t end = !p ? -1 : read_committed ? p->lso : p->newest;
                if (c->offset < 0 || end <= c->offset) continue;
                char **v = kw__grow_sz(who, sizeof *v, nwho + 1, &capwho, 16);
                if (!v) { e = KW_ERR_NOMEM; break; }
                who = v;
                who[nwho++] = s->groups[gi].name;
                e = kw_tpo_add(&at, c->topic, c->partition, c->offset);
            }
        int64_t *ts = !e && at.n ? malloc(at.n * sizeof *ts) : NULL;
        if (!e && at.n && !ts) e = KW_ERR_NOMEM;
        if (!e && at.n) e = kw_record_times(n, &m, &at, ts);
        for (size_t i = 0; i < at.n && !e && ts; i++)
            if (ts[i] >= 0) kw_snap_set_commit_time(s, who[i], at.v[i].topic, at.v[i].partition, ts[i]);
        free(ts);
        free(who);
        kw_tpo_free(&at);
    } else if (topic) {
        e = kw_snap_add_topic(s, topic);
    }
out:
    kw_tpo_free(&logs);
    kw_group_list_free(&gl);
    kw_meta_free(&m);
    return e;
}
