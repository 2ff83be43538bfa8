/*
 * client/conn/metadata.c — cluster metadata (client/conn/metadata.h): owned copies of Metadata
 * responses, leader lookup, and routing a partition to its leader's connection.
 */
#include "client/conn/metadata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/desc.h"
#include "proto/proto.h"

static char *dup_str(kw_str s, int *bad)
{
    if (s.len < 0 || !s.p) return NULL;
    char *d = malloc((size_t)s.len + 1);
    if (!d) { *bad = 1; return NULL; }
    memcpy(d, s.p, (size_t)s.len);
    d[s.len] = 0;
    return d;
}

static int32_t *dup_i32(const int32_t *p, int32_t n, int32_t *out_n, int *bad)
{
    *out_n = n > 0 ? n : 0;
    if (n <= 0) return NULL;
    int32_t *d = malloc((size_t)n * sizeof *d);
    if (!d) { *bad = 1; *out_n = 0; return NULL; }
    memcpy(d, p, (size_t)n * sizeof *d);
    return d;
}

static int cmp_part(const void *a, const void *b)
{
    int32_t x = ((const kw_meta_part *)a)->partition, y = ((const kw_meta_part *)b)->partition;
    return (x > y) - (x < y);
}

static void topic_free(kw_meta_topic *t)
{
    for (int32_t j = 0; j < t->nparts; j++) {
        free(t->parts[j].replicas);
        free(t->parts[j].isr);
        free(t->parts[j].offline);
    }
    free(t->parts);
    free(t->name);
}

void kw_meta_free(kw_meta *m)
{
    if (!m) return;
    for (int32_t i = 0; i < m->nbrokers; i++) {
        free(m->brokers[i].host);
        free(m->brokers[i].rack);
    }
    free(m->brokers);
    for (int32_t i = 0; i < m->ntopics; i++) topic_free(&m->topics[i]);
    free(m->topics);
    free(m->cluster_id);
    memset(m, 0, sizeof *m);
    m->controller = -1;
}

int kw_meta_from_resp(kw_meta *m, const kw_metadata_resp *r, int16_t version)
{
    memset(m, 0, sizeof *m);
    m->version = version;
    m->controller = r->controller_id;
    int bad = 0;
    m->cluster_id = dup_str(r->cluster_id, &bad);
    if (r->n_brokers > 0) {
        m->brokers = calloc((size_t)r->n_brokers, sizeof *m->brokers);
        if (!m->brokers) bad = 1;
        else m->nbrokers = r->n_brokers;
        for (int32_t i = 0; i < m->nbrokers && !bad; i++) {
            const kw_metadata_broker *b = &r->brokers[i];
            m->brokers[i].node_id = b->node_id;
            m->brokers[i].port = b->port;
            m->brokers[i].host = dup_str(b->host, &bad);
            m->brokers[i].rack = dup_str(b->rack, &bad);
        }
    }
    if (!bad && r->n_topics > 0) {
        m->topics = calloc((size_t)r->n_topics, sizeof *m->topics);
        if (!m->topics) bad = 1;
        else m->ntopics = r->n_topics;
        for (int32_t i = 0; i < m->ntopics && !bad; i++) {
            const kw_metadata_topic *t = &r->topics[i];
            kw_meta_topic *d = &m->topics[i];
            d->name = dup_str(t->name, &bad);
            d->error = t->error_code;
            d->internal = t->is_internal;
            d->id = t->topic_id;
            if (t->n_partitions > 0 && !bad) {
                d->parts = calloc((size_t)t->n_partitions, sizeof *d->parts);
                if (!d->parts) { bad = 1; break; }
                d->nparts = t->n_partitions;
                for (int32_t j = 0; j < d->nparts && !bad; j++) {
                    const kw_metadata_partition *p = &t->partitions[j];
                    kw_meta_part *q = &d->parts[j];
                    q->partition = p->partition_index;
                    q->leader = p->leader_id;
                    q->leader_epoch = p->leader_epoch;
                    q->error = p->error_code;
                    q->replicas = dup_i32(p->replica_nodes, p->n_replica_nodes, &q->nreplicas, &bad);
                    q->isr = dup_i32(p->isr_nodes, p->n_isr_nodes, &q->nisr, &bad);
                    q->offline = dup_i32(p->offline_replicas, p->n_offline_replicas, &q->noffline, &bad);
                }
                qsort(d->parts, (size_t)d->nparts, sizeof *d->parts, cmp_part);
            }
        }
    }
    if (bad) {
        kw_meta_free(m);
        return KW_ERR_NOMEM;
    }
    return 0;
}

const kw_meta_topic *kw_meta_topic_find(const kw_meta *m, const char *name)
{
    for (int32_t i = 0; i < m->ntopics; i++)
        if (m->topics[i].name && !strcmp(m->topics[i].name, name)) return &m->topics[i];
    return NULL;
}

const kw_meta_broker *kw_meta_broker_find(const kw_meta *m, int32_t node_id)
{
    for (int32_t i = 0; i < m->nbrokers; i++)
        if (m->brokers[i].node_id == node_id) return &m->brokers[i];
    return NULL;
}

int kw_meta_leader(const kw_meta *m, const char *topic, int32_t partition, int32_t *node)
{
    const kw_meta_topic *t = kw_meta_topic_find(m, topic);
    if (!t) return KW_ERR_NOT_FOUND;
    if (t->error && !t->nparts) return t->error;
    /* partitions are sorted: binary search */
    int32_t lo = 0, hi = t->nparts - 1;
    while (lo <= hi) {
        int32_t mid = lo + (hi - lo) / 2;
        const kw_meta_part *p = &t->parts[mid];
        if (p->partition == partition) {
            if (p->leader < 0) return KW_KAFKA_LEADER_NOT_AVAILABLE;
            *node = p->leader;
            return 0;
        }
        if (p->partition < partition) lo = mid + 1; else hi = mid - 1;
    }
    return KW_ERR_NOT_FOUND;
}

int kw_meta_keep(kw_meta *m, const char *const *topics, int ntopics)
{
    kw_meta_topic *v = calloc((size_t)(ntopics > 0 ? ntopics : 1), sizeof *v);
    if (!v) return KW_ERR_NOMEM;
    int32_t n = 0;
    for (int i = 0; i < ntopics; i++) {
        int dup = 0;
        for (int32_t k = 0; k < n; k++) dup |= !strcmp(v[k].name, topics[i]);
        if (dup) continue;
        kw_meta_topic *t = NULL;
        for (int32_t k = 0; k < m->ntopics; k++)
            if (m->topics[k].name && !strcmp(m->topics[k].name, topics[i])) t = &m->topics[k];
        if (t) {
            v[n++] = *t; /* moved: its slot below is cleared */
            memset(t, 0, sizeof *t);
        } else {
            v[n].name = strdup(topics[i]);
            if (!v[n].name) {
                for (int32_t k = 0; k < n; k++) topic_free(&v[k]);
                free(v);
                return KW_ERR_NOMEM;
            }
            v[n++].error = KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
        }
    }
    for (int32_t k = 0; k < m->ntopics; k++) topic_free(&m->topics[k]);
    free(m->topics);
    m->topics = v;
    m->ntopics = n;
    return 0;
}

int kw_meta_names_all(int allow_auto_create, int16_t version, int ntopics)
{
    return ntopics > 0 && !allow_auto_create && version < KW_META_NO_CREATE_VERSION;
}

/* ---- fetching ---- */

int kw_meta_encode(const char *const *topics, int ntopics, int allow_auto_create, int16_t version, kw_buf *out)
{
    kw_metadata_req r;
    kw_msg_defaults(KW_API_Metadata, KW_REQ, &r);
    kw_metadata_req_topic tt[64];
    int none = ntopics == KW_META_NO_TOPICS;
    if (none) ntopics = 0;
    kw_metadata_req_topic *t = ntopics <= 64 ? tt : calloc((size_t)ntopics, sizeof *t);
    if (!t) return KW_ERR_NOMEM;
    memset(t, 0, (size_t)(ntopics <= 64 ? 64 : ntopics) * sizeof *t);
    for (int i = 0; i < ntopics; i++) t[i].name = kw_s(topics[i]);
    r.topics = t;
    /* every topic: null array from v1, an empty one in v0; none: an empty one; every topic
     * also when the version cannot say "do not create" (below v4 a broker creates every
     * topic a request names) */
    int all = !ntopics || kw_meta_names_all(allow_auto_create, version, ntopics);
    r.n_topics = none ? 0 : !all ? ntopics : version >= 1 ? -1 : 0;
    r.allow_auto_topic_creation = (uint8_t)(allow_auto_create != 0);
    int e = kw_msg_encode(KW_API_Metadata, version, KW_REQ, &r, out);
    if (t != tt) free(t);
    return e;
}

int kw_meta_apply(kw_net *n, const char *from, int16_t version, const uint8_t *body, size_t len, kw_meta *out,
                  char *why, size_t whylen)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_metadata_resp resp;
    kw_proto_err perr = {0};
    int e = kw_msg_decode(KW_API_Metadata, version, KW_RESP, body, len, &resp, &a, &perr);
    if (e && why && whylen)
        snprintf(why, whylen, "malformed Metadata v%d response from %s: %s at %s (byte %zu of the body)", version,
                 from ? from : "a broker", kw_strerror(e), perr.path[0] ? perr.path : "the start", perr.off);
    if (!e) {
        kw_meta fresh;
        e = kw_meta_from_resp(&fresh, &resp, version);
        if (!e) {
            kw_meta_free(out);
            *out = fresh;
            for (int32_t i = 0; i < out->nbrokers; i++) {
                const kw_meta_broker *b = &out->brokers[i];
                if (b->host) kw_net_add(n, b->node_id, b->host, b->port);
            }
        }
    }
    kw_arena_free(&a);
    return e;
}

typedef struct md_req {
    const char *const *topics;
    int ntopics, auto_create;
} md_req;

static int md_encode(void *ud, int16_t version, kw_buf *out)
{
    const md_req *q = ud;
    return kw_meta_encode(q->topics, q->ntopics, q->auto_create, version, out);
}

int kw_meta_fetch(kw_net *n, const char *const *topics, int ntopics, int allow_auto_create, kw_meta *out)
{
    return kw_meta_fetch_why(n, topics, ntopics, allow_auto_create, out, NULL, 0);
}

int kw_meta_fetch_why(kw_net *n, const char *const *topics, int ntopics, int allow_auto_create, kw_meta *out,
                      char *why, size_t whylen)
{
    md_req q = {topics, ntopics, allow_auto_create};
    kw_conn_req r = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .encode = md_encode,
                     .ud = &q};
    kw_buf body;
    kw_buf_init(&body);
    int16_t v = -1;
    int idx = -1;
    if (why && whylen) why[0] = 0;
    int e = kw_net_request_any(n, &r, &body, &v, &idx);
    if (e) {
        /* every broker tried, in order, and why each failed */
        if (why && whylen) kw_net_errors(n, why, whylen);
        kw_buf_free(&body);
        return e;
    }
    e = kw_meta_apply(n, idx >= 0 ? kw_net_name(n, idx) : NULL, v, body.data, body.len, out, why, whylen);
    kw_buf_free(&body);
    /* asked for every topic in place of the named ones: keep those, missing ones unknown */
    if (!e && kw_meta_names_all(allow_auto_create, v, ntopics)) e = kw_meta_keep(out, topics, ntopics);
    return e;
}

int kw_meta_route(kw_net *n, const kw_meta *m, const char *topic, int32_t partition)
{
    int32_t node;
    int e = kw_meta_leader(m, topic, partition, &node);
    if (e) return e;
    int idx = kw_net_find(n, node);
    if (idx >= 0) return idx;
    const kw_meta_broker *b = kw_meta_broker_find(m, node);
    if (!b || !b->host) return KW_ERR_NOT_FOUND;
    return kw_net_add(n, node, b->host, b->port);
}
