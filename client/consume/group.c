/*
 * client/consume/group.c — the group membership state machine's common part (see group.h):
 * settings, partition sets, the coordinator lookup (FindCoordinator), the assignment
 * events, liveness timers (session and poll interval), leaving, and the dispatch to
 * the classic protocol (group_classic.c) or the consumer protocol (group_consumer.c).
 */
#include "client/consume/group_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "codec/grow.h"
#include "proto/msg_findcoordinator.h"
#include "proto/proto.h"

/* ---- settings ---- */

int kw_group_opts_from_config(kw_group_opts *o, const kw_config *cfg, char *errbuf, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->group_id = kw_config_str(cfg, KW_CONF_GROUP_ID);
    if (!o->group_id || !*o->group_id) {
        if (errbuf) snprintf(errbuf, errlen, "group.id is not set");
        return KW_ERR_CONFIG;
    }
    o->protocol = kw_config_enum(cfg, KW_CONF_GROUP_PROTOCOL) == 1 ? KW_GROUP_CONSUMER : KW_GROUP_CLASSIC;
    o->instance_id = kw_config_str(cfg, KW_CONF_GROUP_INSTANCE_ID);
    const char *rack = kw_config_str(cfg, KW_CONF_CLIENT_RACK);
    o->rack_id = rack && *rack ? rack : NULL;
    o->session_timeout_ms = (int32_t)kw_config_int(cfg, KW_CONF_SESSION_TIMEOUT_MS);
    o->heartbeat_interval_ms = (int32_t)kw_config_int(cfg, KW_CONF_HEARTBEAT_INTERVAL_MS);
    o->max_poll_interval_ms = (int32_t)kw_config_int(cfg, KW_CONF_MAX_POLL_INTERVAL_MS);
    o->remote_assignor = kw_config_str(cfg, KW_CONF_GROUP_REMOTE_ASSIGNOR);
    if (o->remote_assignor && !*o->remote_assignor) o->remote_assignor = NULL;
    o->retry_backoff_ms = kw_config_int(cfg, KW_CONF_RETRY_BACKOFF_MS);
    o->retry_backoff_max_ms = kw_config_int(cfg, KW_CONF_RETRY_BACKOFF_MAX_MS);
    const char *pas = kw_config_str(cfg, KW_CONF_PARTITION_ASSIGNMENT_STRATEGY);
    for (const char *q = pas; q && *q;) {
        size_t n = strcspn(q, ",");
        char name[96];
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            if (q[j] != ' ' && k + 1 < sizeof name) name[k++] = q[j];
        name[k] = 0;
        int a = k ? kw_assignor_parse(name) : -1;
        int dup = 0;
        for (int i = 0; i < o->nassignors; i++) dup |= o->assignors[i] == a;
        if (a >= 0 && !dup && o->nassignors < KW_GROUP_MAX_ASSIGNORS) o->assignors[o->nassignors++] = a;
        else if (k && a < 0) {
            if (errbuf) snprintf(errbuf, errlen, "partition.assignment.strategy: unknown assignor '%s'", name);
            return KW_ERR_CONFIG;
        }
        q += n;
        if (*q) q++;
    }
    if (!o->nassignors) {
        if (errbuf) snprintf(errbuf, errlen, "partition.assignment.strategy: no assignor named");
        return KW_ERR_CONFIG;
    }
    return 0;
}

/* ---- partition sets ---- */

void kw__tpset_clear(kw__tpset *s)
{
    for (int i = 0; i < s->n; i++) free((char *)s->v[i].topic);
    s->n = 0;
}

void kw__tpset_free(kw__tpset *s)
{
    kw__tpset_clear(s);
    free(s->v);
    free(s->ids);
    memset(s, 0, sizeof *s);
}

int kw__tpset_add(kw__tpset *s, const char *topic, const kw_uuid *id, int32_t partition)
{
    if (s->n == s->cap) {
        /* two arrays, one capacity (codec/grow.h) */
        int cv = s->cap, ci = s->cap;
        kw_tp *v = kw__grow(s->v, sizeof *v, (size_t)s->n + 1, &cv, 8);
        if (!v) return KW_ERR_NOMEM;
        s->v = v;
        kw_uuid *ids = kw__grow(s->ids, sizeof *ids, (size_t)s->n + 1, &ci, 8);
        if (!ids) return KW_ERR_NOMEM;
        s->ids = ids;
        s->cap = cv;
    }
    char *t = strdup(topic ? topic : "");
    if (!t) return KW_ERR_NOMEM;
    s->v[s->n].topic = t;
    s->v[s->n].partition = partition;
    if (id) s->ids[s->n] = *id;
    else memset(&s->ids[s->n], 0, sizeof s->ids[s->n]);
    s->n++;
    return 0;
}

int kw__tpset_has(const kw__tpset *s, const char *topic, int32_t partition)
{
    for (int i = 0; i < s->n; i++)
        if (s->v[i].partition == partition && !strcmp(s->v[i].topic, topic)) return 1;
    return 0;
}

int kw__tpset_minus(kw__tpset *out, const kw__tpset *a, const kw__tpset *b)
{
    kw__tpset_clear(out);
    for (int i = 0; i < a->n; i++)
        if (!kw__tpset_has(b, a->v[i].topic, a->v[i].partition)) {
            int e = kw__tpset_add(out, a->v[i].topic, &a->ids[i], a->v[i].partition);
            if (e) return e;
        }
    return 0;
}

int kw__tpset_copy(kw__tpset *out, const kw__tpset *a)
{
    kw__tpset_clear(out);
    for (int i = 0; i < a->n; i++) {
        int e = kw__tpset_add(out, a->v[i].topic, &a->ids[i], a->v[i].partition);
        if (e) return e;
    }
    return 0;
}

void kw__tpset_sort(kw__tpset *s)
{
    for (int i = 1; i < s->n; i++) {
        kw_tp x = s->v[i];
        kw_uuid xi = s->ids[i];
        int j = i - 1;
        while (j >= 0) {
            int c = strcmp(s->v[j].topic, x.topic);
            if (c < 0 || (c == 0 && s->v[j].partition <= x.partition)) break;
            s->v[j + 1] = s->v[j];
            s->ids[j + 1] = s->ids[j];
            j--;
        }
        s->v[j + 1] = x;
        s->ids[j + 1] = xi;
    }
}

int kw__tpset_equal(const kw__tpset *a, const kw__tpset *b)
{
    if (a->n != b->n) return 0;
    for (int i = 0; i < a->n; i++)
        if (!kw__tpset_has(b, a->v[i].topic, a->v[i].partition)) return 0;
    return 1;
}

char *kw__strndup(const char *p, int32_t len)
{
    if (len < 0) return NULL;
    char *s = malloc((size_t)len + 1);
    if (!s) return NULL;
    if (len) memcpy(s, p, (size_t)len);
    s[len] = 0;
    return s;
}

/* ---- life ---- */

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* A member id for the consumer protocol: 16 random bytes, base64url without padding
 * (the form Kafka's clients generate, KIP-1082). */
static char *random_member_id(void)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint8_t r[18] = {0};
    if (getrandom(r, 16, 0) != 16) {
        /* no entropy source: time and address are unique enough for a member id */
        uint64_t a = (uint64_t)(uintptr_t)r, t = (uint64_t)(uintptr_t)&a * 2654435761u;
        memcpy(r, &a, 8);
        memcpy(r + 8, &t, 8);
    }
    char *s = malloc(23);
    if (!s) return NULL;
    int k = 0;
    for (int i = 0; i < 18 && k < 22; i += 3) {
        uint32_t v = (uint32_t)r[i] << 16 | (uint32_t)r[i + 1] << 8 | r[i + 2];
        for (int j = 3; j >= 0 && k < 22; j--) s[k++] = b64[(v >> (6 * j)) & 63];
    }
    s[22] = 0;
    return s;
}

kw_group *kw_group_new(const kw_group_opts *o)
{
    if (!o || !o->group_id || !*o->group_id || (o->protocol == KW_GROUP_CLASSIC && o->nassignors < 1)) return NULL;
    kw_group *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->group_id = strdup(o->group_id);
    g->instance_id = dup_or_null(o->instance_id);
    g->rack_id = dup_or_null(o->rack_id);
    g->remote_assignor = dup_or_null(o->remote_assignor);
    g->protocol = o->protocol;
    g->session_ms = o->session_timeout_ms > 0 ? o->session_timeout_ms : 45000;
    g->hb_ms = o->heartbeat_interval_ms > 0 ? o->heartbeat_interval_ms : 3000;
    g->poll_ms = o->max_poll_interval_ms > 0 ? o->max_poll_interval_ms : 300000;
    g->nassignors = o->nassignors > KW_GROUP_MAX_ASSIGNORS ? KW_GROUP_MAX_ASSIGNORS : o->nassignors;
    g->cooperative = g->nassignors > 0;
    for (int i = 0; i < g->nassignors; i++) {
        g->assignors[i] = o->assignors[i];
        if (!kw_assignor_cooperative(o->assignors[i])) g->cooperative = 0;
    }
    g->backoff_ms = o->retry_backoff_ms > 0 ? o->retry_backoff_ms : 100;
    g->backoff_max_ms = o->retry_backoff_max_ms > g->backoff_ms ? o->retry_backoff_max_ms : g->backoff_ms;
    g->meta = o->meta;
    g->generation = g->protocol == KW_GROUP_CONSUMER ? 0 : -1;
    g->owned_gen = -1;
    g->member_id = g->protocol == KW_GROUP_CONSUMER ? random_member_id() : strdup("");
    g->mid_local = g->protocol == KW_GROUP_CONSUMER;
    g->state = KW__GS_UNJOINED;
    g->poll_us = -1;
    kw_buf_init(&g->sync_body);
    if (!g->group_id || !g->member_id || (o->instance_id && !g->instance_id) || (o->rack_id && !g->rack_id) ||
        (o->remote_assignor && !g->remote_assignor)) {
        kw_group_free(g);
        return NULL;
    }
    return g;
}

static void free_topics(char **v, int n)
{
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

void kw_group_free(kw_group *g)
{
    if (!g) return;
    free(g->group_id);
    free(g->instance_id);
    free(g->rack_id);
    free(g->remote_assignor);
    free_topics(g->topics, g->ntopics);
    free(g->coord_host);
    free(g->member_id);
    free(g->protocol_name);
    free(g->leader_id);
    kw__jm_free(g);
    free_topics(g->wanted, g->nwanted);
    free_topics(g->asg_topics, g->nasg);
    free(g->asg_counts);
    kw_buf_free(&g->sync_body);
    kw__tpset_free(&g->owned);
    for (int i = 0; i < g->nev; i++) kw__tpset_free(&g->ev[i].parts);
    free(g->ev);
    free(g->ev_view);
    kw__tpset_free(&g->target_ids);
    free(g);
}

int kw_group_subscribe(kw_group *g, const char *const *topics, int n)
{
    if (n < 1) return KW_ERR_INVALID_ARG;
    char **v = calloc((size_t)n, sizeof *v);
    if (!v) return KW_ERR_NOMEM;
    int k = 0;
    for (int i = 0; i < n; i++) {
        int dup = 0;
        for (int j = 0; j < k; j++) dup |= !strcmp(v[j], topics[i]);
        if (dup) continue;
        if (!(v[k] = strdup(topics[i]))) { free_topics(v, k); return KW_ERR_NOMEM; }
        k++;
    }
    int same = k == g->ntopics;
    for (int i = 0; i < k && same; i++) {
        int found = 0;
        for (int j = 0; j < g->ntopics; j++) found |= !strcmp(v[i], g->topics[j]);
        same = found;
    }
    free_topics(g->topics, g->ntopics);
    g->topics = v;
    g->ntopics = k;
    if (same && g->state != KW__GS_UNJOINED) return 0;
    g->sub_sent = 0;
    if (g->state == KW__GS_UNJOINED || g->state == KW__GS_STABLE || g->state == KW__GS_SYNC) {
        if (g->protocol == KW_GROUP_CONSUMER) {
            g->full_hb = 1; /* the new subscription goes with the next heartbeat */
            if (g->state == KW__GS_UNJOINED) g->state = KW__GS_JOIN;
        } else {
            kw__group_rejoin(g, 0, g->state == KW__GS_UNJOINED ? "joining the group" : "the subscription changed");
        }
    }
    return 0;
}

int kw_group_subscription(const kw_group *g, const char *const **topics)
{
    *topics = (const char *const *)g->topics;
    return g->ntopics;
}

/* ---- request slots ---- */

uint32_t kw__group_slot(kw_group *g, int slot, int16_t api)
{
    if (++g->next_id == 0) g->next_id = 1;
    g->rq[slot] = g->next_id;
    g->rq_api[slot] = api;
    return g->next_id;
}

int kw__group_take(kw_group *g, uint32_t id, int *slot)
{
    for (int i = 0; i < KW__RQ_N; i++)
        if (g->rq[i] && g->rq[i] == id) {
            *slot = i;
            g->rq[i] = 0;
            return 1;
        }
    return 0;
}

/* ---- errors and helpers ---- */

void kw__group_fail(kw_group *g, int err, const char *fmt, ...)
{
    if (g->state == KW__GS_FAILED) return;
    g->err = err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->errtext, sizeof g->errtext, fmt, ap);
    va_end(ap);
    g->state = KW__GS_FAILED;
    /* what the member owned is no longer its own to commit: lost */
    if (g->owned.n) kw__group_event(g, KW_GROUP_EV_LOST, &g->owned);
}

int kw__group_is_coord_err(int e)
{
    return e == KW_KAFKA_NOT_COORDINATOR || e == KW_KAFKA_COORDINATOR_NOT_AVAILABLE || e == KW_ERR_DISCONNECTED ||
           e == KW_ERR_TIMEOUT || e == KW_ERR_CONNECT || e == KW_ERR_RESOLVE || e == KW_ERR_DESTROYED ||
           e == KW_ERR_IO;
}

int64_t kw__group_backoff(const kw_group *g, int failures)
{
    int64_t b = g->backoff_ms;
    for (int i = 1; i < failures && b < g->backoff_max_ms; i++) b *= 2;
    return b > g->backoff_max_ms ? g->backoff_max_ms : b;
}

void kw__group_coord_lost(kw_group *g, int64_t now, const char *why)
{
    (void)why;
    if (!g->coord_known) return;
    g->coord_known = 0;
    /* look it up again after retry.backoff.ms, growing while it keeps moving (a
     * coordinator still loading the group answers NOT_COORDINATOR for a while) */
    g->coord_lost++;
    g->coord_at = now + kw__group_backoff(g, g->coord_lost) * 1000;
    /* requests to the old coordinator are forgotten: their answers are ignored */
    for (int i = KW__RQ_JOIN; i < KW__RQ_N; i++) g->rq[i] = 0;
    if (g->state == KW__GS_JOINING) g->state = KW__GS_JOIN;
    if (g->state == KW__GS_SYNCING) g->state = KW__GS_SYNC;
}

/* ---- events ---- */

int kw__group_event(kw_group *g, int kind, const kw__tpset *parts)
{
    kw__event *v = kw__grow(g->ev, sizeof *v, (size_t)g->nev + 1, &g->capev, 4);
    if (!v) return KW_ERR_NOMEM;
    g->ev = v;
    kw__event *ev = &g->ev[g->nev];
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->generation = g->generation;
    int e = kw__tpset_copy(&ev->parts, parts);
    if (e) { kw__tpset_free(&ev->parts); return e; }
    kw__tpset_sort(&ev->parts);
    g->nev++;
    /* owned follows the queued events */
    if (kind == KW_GROUP_EV_ASSIGNED) {
        for (int i = 0; i < parts->n && !e; i++)
            if (!kw__tpset_has(&g->owned, parts->v[i].topic, parts->v[i].partition))
                e = kw__tpset_add(&g->owned, parts->v[i].topic, &parts->ids[i], parts->v[i].partition);
        g->st.assigned += (uint64_t)parts->n;
    } else {
        kw__tpset rest = {0};
        e = kw__tpset_minus(&rest, &g->owned, &ev->parts);
        if (!e) {
            kw__tpset t = g->owned;
            g->owned = rest;
            rest = t;
        }
        kw__tpset_free(&rest);
        if (kind == KW_GROUP_EV_REVOKED) g->st.revoked += (uint64_t)parts->n;
        else g->st.lost += (uint64_t)parts->n;
    }
    return e;
}

void kw__group_lose_all(kw_group *g, const char *why)
{
    (void)why;
    if (g->owned.n) {
        kw__tpset all = {0};
        if (!kw__tpset_copy(&all, &g->owned)) kw__group_event(g, KW_GROUP_EV_LOST, &all);
        kw__tpset_free(&all);
    }
    g->owned_gen = -1;
}

void kw__group_revoke_all(kw_group *g)
{
    if (!g->owned.n) return;
    kw__tpset all = {0};
    if (!kw__tpset_copy(&all, &g->owned)) kw__group_event(g, KW_GROUP_EV_REVOKED, &all);
    kw__tpset_free(&all);
}

int kw__group_set_assignment(kw_group *g, const kw__tpset *now_owned)
{
    kw__tpset gone = {0}, come = {0};
    int e = kw__tpset_minus(&gone, &g->owned, now_owned);
    if (!e) e = kw__tpset_minus(&come, now_owned, &g->owned);
    if (!e && gone.n) e = kw__group_event(g, KW_GROUP_EV_REVOKED, &gone);
    if (!e) e = kw__group_event(g, KW_GROUP_EV_ASSIGNED, &come);
    g->owned_gen = g->generation;
    int revoked = gone.n;
    kw__tpset_free(&gone);
    kw__tpset_free(&come);
    return e ? e : revoked;
}

void kw__group_rejoin(kw_group *g, int64_t now, const char *reason)
{
    if (g->state == KW__GS_FAILED || g->state == KW__GS_LEAVING || g->state == KW__GS_LEFT) return;
    snprintf(g->join_reason, sizeof g->join_reason, "%s", reason);
    /* eager rebalancing: everything is given up before joining */
    if (g->protocol == KW_GROUP_CLASSIC && !g->cooperative) kw__group_revoke_all(g);
    g->rq[KW__RQ_HB] = 0;
    g->rq[KW__RQ_SYNC] = 0;
    if (g->state != KW__GS_JOINING) g->state = KW__GS_JOIN;
    if (g->join_at < now) g->join_at = now;
    g->st.rebalances++;
}

int kw_group_next_event(kw_group *g, kw_group_event *ev)
{
    if (!g->nev) return 0;
    kw__event *e = &g->ev[0];
    free(g->ev_view);
    g->ev_view = malloc((size_t)(e->parts.n ? e->parts.n : 1) * sizeof *g->ev_view);
    if (!g->ev_view) return 0;
    for (int i = 0; i < e->parts.n; i++) g->ev_view[i] = e->parts.v[i];
    ev->kind = e->kind;
    ev->parts = g->ev_view;
    ev->n = e->parts.n;
    ev->generation = e->generation;
    g->ev_out = 1;
    return 1;
}

void kw_group_event_done(kw_group *g, int64_t now_us)
{
    (void)now_us;
    if (!g->nev || !g->ev_out) return;
    kw__tpset_free(&g->ev[0].parts);
    memmove(&g->ev[0], &g->ev[1], (size_t)(g->nev - 1) * sizeof *g->ev);
    g->nev--;
    g->ev_out = 0;
}

int kw_group_owned(const kw_group *g, const kw_tp **parts)
{
    *parts = g->owned.v;
    return g->owned.n;
}

/* ---- FindCoordinator ---- */

static int find_encode(kw_group *g, int16_t version, kw_buf *out)
{
    kw_findcoordinator_req r;
    kw_msg_defaults(KW_API_FindCoordinator, KW_REQ, &r);
    kw_str key = kw_s(g->group_id);
    r.key_type = KW_COORD_GROUP;
    if (version >= 4) {
        r.coordinator_keys = &key;
        r.n_coordinator_keys = 1;
    } else {
        r.key = key;
    }
    return kw_msg_encode(KW_API_FindCoordinator, version, KW_REQ, &r, out);
}

static void find_response(kw_group *g, int64_t now, int err, int16_t version, const uint8_t *body, size_t len)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_findcoordinator_resp r;
    if (!err) err = kw_msg_decode(KW_API_FindCoordinator, version, KW_RESP, body, len, &r, &a, NULL);
    int32_t node = -1, port = 0;
    kw_str host = KW_STR_NULL;
    if (!err) {
        err = r.error_code;
        node = r.node_id; host = r.host; port = r.port;
        if (version >= 4) {
            if (r.n_coordinators < 1) err = KW_ERR_CORRUPT;
            else {
                err = r.coordinators[0].error_code;
                node = r.coordinators[0].node_id;
                host = r.coordinators[0].host;
                port = r.coordinators[0].port;
            }
        }
    }
    if (!err && (host.len <= 0 || port <= 0 || port > 65535 || node < 0)) err = KW_ERR_CORRUPT;
    if (err == KW_KAFKA_GROUP_AUTHORIZATION_FAILED || err == KW_KAFKA_INVALID_GROUP_ID) {
        kw__group_fail(g, err, "FindCoordinator for group %s: %s", g->group_id, kw_strerror(err));
    } else if (err) {
        g->coord_fail++;
        g->coord_at = now + kw__group_backoff(g, g->coord_fail) * 1000;
    } else {
        char *h = kw__strndup(host.p, host.len);
        if (h) {
            free(g->coord_host);
            g->coord_host = h;
            g->coord_node = node;
            g->coord_port = port;
            g->coord_known = 1;
            g->coord_gen++;
            g->coord_fail = 0;
            g->hb_ok_us = now; /* the session is measured from a coordinator we can reach */
        } else {
            g->coord_at = now + g->backoff_ms * 1000;
        }
    }
    kw_arena_free(&a);
}

int kw_group_coordinator(const kw_group *g, int32_t *node_id, const char **host, int32_t *port)
{
    if (!g->coord_known) return 0;
    if (node_id) *node_id = g->coord_node;
    if (host) *host = g->coord_host;
    if (port) *port = g->coord_port;
    return 1;
}

uint32_t kw_group_coord_gen(const kw_group *g) { return g->coord_gen; }

/* ---- the dispatch ---- */

static int needs_coordinator(const kw_group *g)
{
    switch (g->state) {
    case KW__GS_UNJOINED: case KW__GS_LEFT: case KW__GS_FAILED: case KW__GS_EXPIRED: return 0;
    case KW__GS_LEAVING: return !g->leave_sent;
    default: return 1;
    }
}

int kw_group_next_request(kw_group *g, int64_t now, kw_group_req *out)
{
    if (g->state == KW__GS_FAILED || g->state == KW__GS_LEFT) return 0;
    if (!g->coord_known) {
        if (g->state == KW__GS_LEAVING) {
            /* no coordinator to tell: the session runs out on its own */
            g->state = KW__GS_LEFT;
            g->left = 1;
            return 0;
        }
        if (!needs_coordinator(g) || g->rq[KW__RQ_FIND] || now < g->coord_at) return 0;
        out->api_key = KW_API_FindCoordinator;
        out->to = KW_GROUP_TO_ANY;
        out->id = kw__group_slot(g, KW__RQ_FIND, KW_API_FindCoordinator);
        g->st.coordinator_lookups++;
        return 1;
    }
    if (now < g->op_at) return 0;
    return g->protocol == KW_GROUP_CONSUMER ? kw__consumer_next(g, now, out) : kw__classic_next(g, now, out);
}

int kw_group_encode(kw_group *g, uint32_t id, int16_t version, kw_buf *out)
{
    for (int i = 0; i < KW__RQ_N; i++) {
        if (g->rq[i] != id) continue;
        if (i == KW__RQ_FIND) return find_encode(g, version, out);
        return g->protocol == KW_GROUP_CONSUMER ? kw__consumer_encode(g, i, version, out)
                                                : kw__classic_encode(g, i, version, out);
    }
    /* forgotten meanwhile (a coordinator change): its answer will be ignored; send
     * something harmless the broker answers */
    return find_encode(g, version, out);
}

void kw_group_response(kw_group *g, int64_t now, uint32_t id, int err, int16_t version, const uint8_t *body,
                       size_t len)
{
    int slot;
    if (!kw__group_take(g, id, &slot)) return;
    if (slot == KW__RQ_FIND) {
        find_response(g, now, err, version, body, len);
        return;
    }
    if (g->state == KW__GS_FAILED) return;
    if (g->protocol == KW_GROUP_CONSUMER) kw__consumer_response(g, now, slot, err, version, body, len);
    else kw__classic_response(g, now, slot, err, version, body, len);
}

/* ---- time ---- */

static int in_group(const kw_group *g)
{
    return g->state == KW__GS_JOIN || g->state == KW__GS_JOINING || g->state == KW__GS_SYNC ||
           g->state == KW__GS_SYNCING || g->state == KW__GS_STABLE;
}

void kw_group_tick(kw_group *g, int64_t now)
{
    if (g->poll_us < 0) g->poll_us = now;
    /* max.poll.interval.ms without a poll: leave the group; the next poll joins again */
    if (in_group(g) && now - g->poll_us > (int64_t)g->poll_ms * 1000) {
        g->state = KW__GS_EXPIRED;
        g->leave_sent = 0;
        for (int i = KW__RQ_JOIN; i < KW__RQ_N; i++) g->rq[i] = 0;
        return;
    }
    /* classic: no heartbeat answered for session.timeout.ms: the coordinator is
     * unreachable or gone; look it up again (the broker has dropped the member by now,
     * the next heartbeat says so) */
    if (g->protocol == KW_GROUP_CLASSIC && g->coord_known && g->state == KW__GS_STABLE &&
        now - g->hb_ok_us > (int64_t)g->session_ms * 1000)
        kw__group_coord_lost(g, now, "no heartbeat answered within session.timeout.ms");
}

void kw_group_polled(kw_group *g, int64_t now)
{
    g->poll_us = now;
    if (g->state == KW__GS_EXPIRED && !g->rq[KW__RQ_LEAVE]) {
        /* back from a poll gap: what it owned is gone; join again */
        kw__group_lose_all(g, "max.poll.interval.ms passed");
        if (g->protocol == KW_GROUP_CONSUMER) {
            g->generation = 0;
            g->full_hb = 1;
            g->state = KW__GS_JOIN;
        } else {
            g->generation = -1;
            if (!g->instance_id) { free(g->member_id); g->member_id = strdup(""); }
            g->state = KW__GS_JOIN;
            snprintf(g->join_reason, sizeof g->join_reason, "rejoining after max.poll.interval.ms passed");
            g->st.rebalances++;
        }
        g->join_at = now;
    }
}

int64_t kw_group_deadline(const kw_group *g)
{
    if (g->state == KW__GS_FAILED || g->state == KW__GS_LEFT || g->state == KW__GS_UNJOINED) return INT64_MAX;
    int64_t d = INT64_MAX;
#define KW__MIN(x) do { int64_t v_ = (x); if (v_ < d) d = v_; } while (0)
    if (!g->coord_known) {
        if (!g->rq[KW__RQ_FIND] && needs_coordinator(g)) KW__MIN(g->coord_at);
        return d;
    }
    if (g->op_at) KW__MIN(g->op_at);
    if (in_group(g) && g->poll_us >= 0) KW__MIN(g->poll_us + (int64_t)g->poll_ms * 1000 + 1);
    if ((g->state == KW__GS_JOIN) && !g->nev) KW__MIN(g->join_at);
    if (g->state == KW__GS_STABLE && !g->rq[KW__RQ_HB]) KW__MIN(g->hb_at);
    if (g->protocol == KW_GROUP_CLASSIC && g->state == KW__GS_STABLE)
        KW__MIN(g->hb_ok_us + (int64_t)g->session_ms * 1000 + 1);
    if (g->protocol == KW_GROUP_CONSUMER && !g->rq[KW__RQ_HB] && (g->state == KW__GS_JOIN || g->ack_due))
        KW__MIN(g->join_at);
    if (g->state == KW__GS_LEAVING && !g->leave_sent) KW__MIN(0);
#undef KW__MIN
    return d;
}

/* ---- metadata ---- */

int kw_group_wants_metadata(const kw_group *g) { return g->meta_wait == 1 || g->target_pending == 1; }

int kw_group_wanted_topics(const kw_group *g, const char *const **topics)
{
    *topics = (const char *const *)g->wanted;
    return g->nwanted;
}

void kw_group_metadata_updated(kw_group *g, int64_t now)
{
    if (g->protocol == KW_GROUP_CONSUMER) kw__consumer_metadata_updated(g, now);
    else kw__classic_metadata_updated(g, now);
}

/* ---- commits ---- */

void kw_group_commit_identity(const kw_group *g, int32_t *generation, const char **member_id,
                              const char **instance_id)
{
    int in = g->state == KW__GS_STABLE || g->state == KW__GS_JOIN || g->state == KW__GS_JOINING ||
             g->state == KW__GS_SYNC || g->state == KW__GS_SYNCING || g->state == KW__GS_LEAVING;
    if (generation) *generation = in ? g->generation : -1;
    if (member_id) *member_id = in ? g->member_id : "";
    if (instance_id) *instance_id = g->instance_id;
}

void kw_group_commit_failed(kw_group *g, int64_t now, int err)
{
    if (g->state == KW__GS_FAILED || g->state == KW__GS_LEAVING || g->state == KW__GS_LEFT) return;
    switch (err) {
    case KW_KAFKA_UNKNOWN_MEMBER_ID:
    case KW_KAFKA_ILLEGAL_GENERATION:
    case KW_KAFKA_FENCED_MEMBER_EPOCH:
        kw__group_lose_all(g, kw_strerror(err));
        if (g->protocol == KW_GROUP_CONSUMER) {
            g->generation = 0;
            g->full_hb = 1;
            g->state = KW__GS_JOIN;
            g->join_at = now;
        } else {
            g->generation = -1;
            if (err == KW_KAFKA_UNKNOWN_MEMBER_ID && !g->instance_id) {
                free(g->member_id);
                g->member_id = strdup("");
            }
            kw__group_rejoin(g, now, "an offset commit was refused: the member is out of date");
        }
        break;
    case KW_KAFKA_REBALANCE_IN_PROGRESS:
        if (g->protocol == KW_GROUP_CLASSIC) kw__group_rejoin(g, now, "a commit met a rebalance in progress");
        break;
    case KW_KAFKA_FENCED_INSTANCE_ID:
        kw__group_fail(g, err, "group %s: %s (group.instance.id %s)", g->group_id, kw_strerror(err),
                       g->instance_id ? g->instance_id : "-");
        break;
    default:
        if (kw__group_is_coord_err(err)) kw__group_coord_lost(g, now, kw_strerror(err));
        break;
    }
}

/* ---- leaving ---- */

void kw_group_leave(kw_group *g, int64_t now)
{
    (void)now;
    if (g->state == KW__GS_LEFT || g->state == KW__GS_LEAVING) return;
    if (g->state == KW__GS_FAILED) { g->left = 1; return; }
    int member = g->state == KW__GS_STABLE || g->state == KW__GS_SYNC || g->state == KW__GS_SYNCING ||
                 g->state == KW__GS_JOINING || (g->state == KW__GS_JOIN && g->generation > 0);
    if (g->state == KW__GS_EXPIRED) kw__group_lose_all(g, "leaving after max.poll.interval.ms");
    else kw__group_revoke_all(g);
    for (int i = KW__RQ_JOIN; i < KW__RQ_N; i++) g->rq[i] = 0;
    g->leave_sent = 0;
    /* the classic protocol's static members do not leave: their place is kept for
     * session.timeout.ms so a restart finds its assignment */
    if (!member || g->state == KW__GS_EXPIRED || !g->coord_known ||
        (g->protocol == KW_GROUP_CLASSIC && (g->instance_id || !g->member_id || !*g->member_id))) {
        g->state = KW__GS_LEFT;
        g->left = 1;
        return;
    }
    g->state = KW__GS_LEAVING;
}

int kw_group_left(const kw_group *g) { return g->left || g->state == KW__GS_FAILED; }

/* ---- state ---- */

int kw_group_error(const kw_group *g) { return g->err; }
const char *kw_group_error_text(const kw_group *g) { return g->errtext; }

const char *kw_group_state(const kw_group *g)
{
    static const char *names[] = {"unjoined", "joining", "joining", "syncing", "syncing",
                                  "stable",   "expired", "leaving", "left",    "failed"};
    if (!g->coord_known && g->state != KW__GS_UNJOINED && g->state != KW__GS_LEFT && g->state != KW__GS_FAILED &&
        g->state != KW__GS_EXPIRED)
        return "coordinator";
    return names[g->state];
}

int kw_group_stable(const kw_group *g) { return g->state == KW__GS_STABLE && !g->nev; }
const char *kw_group_member_id(const kw_group *g) { return g->member_id ? g->member_id : ""; }
int32_t kw_group_generation(const kw_group *g) { return g->generation; }
int kw_group_is_leader(const kw_group *g) { return g->is_leader; }
const char *kw_group_assignor(const kw_group *g)
{
    if (g->protocol == KW_GROUP_CONSUMER) return g->remote_assignor ? g->remote_assignor : "";
    return g->protocol_name ? g->protocol_name : "";
}
int kw_group_cooperative(const kw_group *g) { return g->protocol == KW_GROUP_CONSUMER || g->cooperative; }
const kw_group_stats *kw_group_stats_get(const kw_group *g) { return &g->st; }
