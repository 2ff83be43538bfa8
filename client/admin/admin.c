/*
 * client/admin/admin.c — CreateTopics as a blocking call over a kw_net (see admin.h): the
 * request is built from the caller's specs at the version the broker negotiated, and
 * the answer is matched to the specs by topic name.
 */
#include "client/admin/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "include/kwire.h"
#include "proto/msg_createtopics.h"
#include "proto/proto.h"

typedef struct ct_req {
    const kw_topic_spec *topics;
    int nt;
    int32_t timeout_ms;
    int validate_only;
} ct_req;

static int ct_encode(void *ud, int16_t version, kw_buf *out)
{
    const ct_req *q = ud;
    return kw__create_topics_encode(q->topics, q->nt, q->timeout_ms, q->validate_only, version, out);
}

int kw__create_topics_encode(const kw_topic_spec *topics, int nt, int32_t timeout_ms, int validate_only,
                             int16_t version, kw_buf *out)
{
    const ct_req qq = {topics, nt, timeout_ms, validate_only}, *q = &qq;
    if (q->nt <= 0) return KW_ERR_INVALID_ARG;
    size_t nconf = 0;
    for (int i = 0; i < q->nt; i++) nconf += q->topics[i].nconfigs > 0 ? (size_t)q->topics[i].nconfigs : 0;
    kw_createtopics_topic *t = calloc((size_t)q->nt, sizeof *t);
    kw_createtopics_config *c = calloc(nconf + 1, sizeof *c);
    if (!t || !c) {
        free(t);
        free(c);
        return KW_ERR_NOMEM;
    }
    int e = 0;
    kw_createtopics_config *cp = c;
    for (int i = 0; i < q->nt && !e; i++) {
        const kw_topic_spec *s = &q->topics[i];
        t[i].name = kw_s(s->name);
        t[i].num_partitions = s->partitions;
        t[i].replication_factor = s->replication_factor;
        t[i].configs = cp;
        t[i].n_configs = s->nconfigs;
        for (int j = 0; j < s->nconfigs; j++, cp++) {
            const char *eq = strchr(s->configs[j], '=');
            if (!eq) { e = KW_ERR_CONFIG; break; }
            cp->name = (kw_str){s->configs[j], (int32_t)(eq - s->configs[j])};
            cp->value = kw_s(eq + 1);
        }
    }
    if (!e) {
        kw_createtopics_req r;
        kw_msg_defaults(KW_API_CreateTopics, KW_REQ, &r);
        r.topics = t;
        r.n_topics = q->nt;
        r.timeout_ms = q->timeout_ms;
        r.validate_only = (uint8_t)(q->validate_only != 0);
        e = kw_msg_encode(KW_API_CreateTopics, version, KW_REQ, &r, out);
    }
    free(t);
    free(c);
    return e;
}

int kw_create_topics(kw_net *n, const kw_topic_spec *topics, int nt, int32_t timeout_ms, int validate_only,
                     kw_topic_result *res)
{
    if (nt <= 0) return KW_ERR_INVALID_ARG;
    for (int i = 0; i < nt; i++) {
        memset(&res[i], 0, sizeof res[i]);
        res[i].partitions = -1;
        res[i].replication_factor = -1;
        for (int j = 0; j < topics[i].nconfigs; j++)
            if (!strchr(topics[i].configs[j], '=')) return KW_ERR_CONFIG;
    }
    ct_req q = {topics, nt, timeout_ms, validate_only};
    /* the broker may wait timeout_ms on the controller: the request's own bound is longer */
    kw_conn_req r = {.api_key = KW_API_CreateTopics, .min_version = -1, .max_version = -1,
                     .timeout_ms = (int64_t)timeout_ms + 30000, .encode = ct_encode, .ud = &q};
    kw_buf body;
    kw_buf_init(&body);
    int16_t v = -1;
    char *found = calloc((size_t)nt + 1, 1);
    int e = found ? kw_net_request_any(n, &r, &body, &v, NULL) : KW_ERR_NOMEM;
    if (e) {
        free(found);
        kw_buf_free(&body);
        return e;
    }
    kw_arena a;
    kw_arena_init(&a);
    kw_createtopics_resp resp;
    e = kw_msg_decode(KW_API_CreateTopics, v, KW_RESP, body.data, body.len, &resp, &a, NULL);
    for (int32_t k = 0; !e && k < resp.n_topics; k++) {
        const kw_createtopics_result *t = &resp.topics[k];
        for (int i = 0; i < nt; i++) {
            if (t->name.len < 0 || strlen(topics[i].name) != (size_t)t->name.len ||
                memcmp(topics[i].name, t->name.p, (size_t)t->name.len))
                continue;
            found[i] = 1;
            res[i].error = t->error_code == -1 ? KW_KAFKA_UNKNOWN_SERVER_ERROR : t->error_code;
            if (t->error_message.len > 0)
                snprintf(res[i].message, sizeof res[i].message, "%.*s", (int)t->error_message.len, t->error_message.p);
            res[i].partitions = t->num_partitions;
            res[i].replication_factor = t->replication_factor;
        }
    }
    /* a topic the broker did not mention did not get created */
    for (int i = 0; !e && i < nt; i++)
        if (!found[i]) {
            res[i].error = KW_KAFKA_UNKNOWN_SERVER_ERROR;
            snprintf(res[i].message, sizeof res[i].message, "the broker's answer does not mention this topic");
        }
    free(found);
    kw_arena_free(&a);
    kw_buf_free(&body);
    return e;
}
