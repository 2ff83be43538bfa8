/*
 * client/consume/group_consumer.c — the consumer group protocol (KIP-848) of client/group (see
 * group.h): ConsumerGroupHeartbeat to join (epoch 0, the whole subscription), to stay
 * (every heartbeat interval the broker gives, fields sent only when they changed), to
 * acknowledge an assignment (the owned partitions, once the revocations are done) and to
 * leave (epoch -1, or -2 for a static member); the assignment's topic ids named from
 * the driver's metadata; fencing.
 */
#include "client/consume/group_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/msg_consumergroupheartbeat.h"
#include "proto/proto.h"

#define EPOCH_LEAVE (-1)
#define EPOCH_LEAVE_STATIC (-2)

int kw__consumer_next(kw_group *g, int64_t now, kw_group_req *out)
{
    out->to = KW_GROUP_TO_COORD;
    out->api_key = KW_API_ConsumerGroupHeartbeat;
    if ((g->state == KW__GS_LEAVING || g->state == KW__GS_EXPIRED) && !g->leave_sent && !g->rq[KW__RQ_LEAVE]) {
        if (g->state == KW__GS_EXPIRED && g->generation <= 0) return 0; /* never joined: nothing to leave */
        g->leave_sent = 1;
        out->id = kw__group_slot(g, KW__RQ_LEAVE, KW_API_ConsumerGroupHeartbeat);
        return 1;
    }
    if (g->rq[KW__RQ_HB]) return 0;
    int due = 0;
    if (g->state == KW__GS_JOIN) {
        due = !g->nev && now >= g->join_at;
        if (due) {
            g->state = KW__GS_JOINING;
            g->full_hb = 1;
            if (!g->join_sent_us) g->join_sent_us = now;
            g->st.joins++;
        }
    } else if (g->state == KW__GS_STABLE) {
        due = now >= g->hb_at || (g->ack_due && !g->nev) || !g->sub_sent;
    }
    if (!due) return 0;
    out->id = kw__group_slot(g, KW__RQ_HB, KW_API_ConsumerGroupHeartbeat);
    g->hb_at = now + (int64_t)g->hb_ms * 1000;
    g->st.heartbeats++;
    return 1;
}

static kw_str opt_str(const char *s) { return s ? kw_s(s) : KW_STR_NULL; }

int kw__consumer_encode(kw_group *g, int slot, int16_t version, kw_buf *out)
{
    kw_consumergroupheartbeat_req r;
    kw_msg_defaults(KW_API_ConsumerGroupHeartbeat, KW_REQ, &r);
    r.group_id = kw_s(g->group_id);
    r.member_id = kw_s(g->member_id);
    r.instance_id = opt_str(g->instance_id);
    if (slot == KW__RQ_LEAVE) {
        r.member_epoch = g->instance_id ? EPOCH_LEAVE_STATIC : EPOCH_LEAVE;
        g->rq_epoch = r.member_epoch;
        return kw_msg_encode(KW_API_ConsumerGroupHeartbeat, version, KW_REQ, &r, out);
    }
    int full = g->full_hb || g->generation == 0;
    r.member_epoch = g->generation;
    /* v0: the broker names a joining member; from v1 the member names itself */
    if (version == 0 && g->generation == 0 && g->mid_local) r.member_id = kw_s("");
    g->rq_epoch = r.member_epoch;
    kw_str *topics = NULL;
    kw_consumergroupheartbeat_req_topic_partitions *tps = NULL;
    int32_t *ps = NULL;
    int e = 0;
    if (full) {
        r.rack_id = opt_str(g->rack_id);
        r.rebalance_timeout_ms = g->poll_ms;
        r.server_assignor = opt_str(g->remote_assignor);
    }
    if (full || !g->sub_sent) {
        topics = calloc((size_t)(g->ntopics ? g->ntopics : 1), sizeof *topics);
        if (!topics) return KW_ERR_NOMEM;
        for (int i = 0; i < g->ntopics; i++) topics[i] = kw_s(g->topics[i]);
        r.subscribed_topic_names = topics;
        r.n_subscribed_topic_names = g->ntopics;
    }
    if (full || g->ack_due) {
        /* the partitions owned now, by topic id: joining (always none then) or
         * acknowledging an assignment once the revocations are done */
        kw__tpset own = {0};
        e = kw__tpset_copy(&own, &g->owned);
        kw__tpset_sort(&own);
        tps = calloc((size_t)(own.n ? own.n : 1), sizeof *tps);
        ps = calloc((size_t)(own.n ? own.n : 1), sizeof *ps);
        if (!tps || !ps) e = KW_ERR_NOMEM;
        int32_t nt = 0;
        for (int i = 0; i < own.n && !e; i++) {
            kw_uuid id = own.ids[i];
            static const kw_uuid zero;
            if (!memcmp(&id, &zero, sizeof id) && g->meta.topic_id) g->meta.topic_id(g->meta.ud, own.v[i].topic, &id);
            ps[i] = own.v[i].partition;
            if (nt && !memcmp(&tps[nt - 1].topic_id, &id, sizeof id)) tps[nt - 1].n_partitions++;
            else tps[nt++] = (kw_consumergroupheartbeat_req_topic_partitions){id, &ps[i], 1};
        }
        kw__tpset_free(&own);
        r.topic_partitions = tps;
        r.n_topic_partitions = nt;
    }
    if (!e) e = kw_msg_encode(KW_API_ConsumerGroupHeartbeat, version, KW_REQ, &r, out);
    if (!e) {
        g->full_hb = 0;
        g->ack_due = 0;
        g->sub_sent = 1;
    }
    free(topics);
    free(tps);
    free(ps);
    return e;
}

/* Name the assignment's topics and make it the member's: REVOKED for what it loses,
 * ASSIGNED for what it gains; the acknowledgement goes once both are done. 1 when a
 * topic id is not known yet (the driver refreshes its metadata). */
static int reconcile(kw_group *g)
{
    kw__tpset named = {0};
    int e = 0;
    for (int i = 0; i < g->target_ids.n && !e; i++) {
        const char *n = g->meta.topic_name ? g->meta.topic_name(g->meta.ud, &g->target_ids.ids[i]) : NULL;
        if (!n) {
            kw__tpset_free(&named);
            g->target_pending = 1;
            return 1;
        }
        /* (a partition listed twice is one partition) */
        if (!kw__tpset_has(&named, n, g->target_ids.v[i].partition))
            e = kw__tpset_add(&named, n, &g->target_ids.ids[i], g->target_ids.v[i].partition);
    }
    g->target_pending = 0;
    if (!e) {
        int r = kw__group_set_assignment(g, &named);
        if (r < 0) e = r;
    }
    kw__tpset_clear(&g->target_ids);
    kw__tpset_free(&named);
    if (e) {
        kw__group_fail(g, e, "out of memory");
        return 0;
    }
    g->ack_due = 1;
    if (g->join_sent_us) g->st.last_rebalance_us = 0; /* set when acknowledged */
    return 0;
}

void kw__consumer_metadata_updated(kw_group *g, int64_t now)
{
    (void)now;
    if (g->target_pending) {
        g->target_pending = 2; /* asked once; reconcile says 1 again if still unknown */
        reconcile(g);
    }
}

static void fenced(kw_group *g, int64_t now, int e)
{
    kw__group_lose_all(g, kw_strerror(e));
    g->generation = 0;
    g->full_hb = 1;
    g->sub_sent = 0;
    g->state = KW__GS_JOIN;
    g->join_at = now;
    kw__tpset_clear(&g->target_ids);
    g->target_pending = 0;
    g->st.rebalances++;
}

void kw__consumer_response(kw_group *g, int64_t now, int slot, int err, int16_t version, const uint8_t *body,
                           size_t len)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_consumergroupheartbeat_resp r;
    int e = err ? err : kw_msg_decode(KW_API_ConsumerGroupHeartbeat, version, KW_RESP, body, len, &r, &a, NULL);
    if (!e) e = r.error_code;
    if (slot == KW__RQ_LEAVE) {
        /* whatever the answer, the member is out */
        if (g->state == KW__GS_LEAVING) {
            g->state = KW__GS_LEFT;
            g->left = 1;
        }
        g->generation = 0;
        kw_arena_free(&a);
        return;
    }
    if (g->state == KW__GS_JOINING) g->state = KW__GS_JOIN;
    if (g->state != KW__GS_JOIN && g->state != KW__GS_STABLE) {
        kw_arena_free(&a);
        return;
    }
    g->op_at = 0;
    switch (e) {
    case 0: {
        if (r.member_id.len > 0) {
            char *mid = kw__strndup(r.member_id.p, r.member_id.len);
            if (mid) { free(g->member_id); g->member_id = mid; g->mid_local = 0; }
        }
        int joined = g->state == KW__GS_JOIN;
        g->generation = r.member_epoch;
        if (r.heartbeat_interval_ms > 0) g->hb_ms = r.heartbeat_interval_ms;
        g->hb_at = now + (int64_t)g->hb_ms * 1000;
        g->hb_ok_us = now;
        g->coord_lost = 0;
        g->state = KW__GS_STABLE;
        if (r.assignment) {
            kw__tpset_clear(&g->target_ids);
            for (int32_t t = 0; t < r.assignment->n_topic_partitions && !e; t++) {
                const kw_consumergroupheartbeat_resp_topic_partitions *tp = &r.assignment->topic_partitions[t];
                for (int32_t p = 0; p < tp->n_partitions && !e; p++)
                    e = kw__tpset_add(&g->target_ids, "", &tp->topic_id, tp->partitions[p]);
            }
            if (e) kw__group_fail(g, e, "out of memory");
            else reconcile(g);
        } else if (joined && g->join_sent_us) {
            g->st.last_rebalance_us = now - g->join_sent_us;
            g->join_sent_us = 0;
        }
        if (!r.assignment && !g->ack_due && g->join_sent_us && !joined) {
            /* the acknowledgement was answered: the rebalance is over for this member */
            g->st.last_rebalance_us = now - g->join_sent_us;
            g->join_sent_us = 0;
        }
        break;
    }
    case KW_KAFKA_UNKNOWN_MEMBER_ID:
    case KW_KAFKA_FENCED_MEMBER_EPOCH:
        fenced(g, now, e);
        break;
    case KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS:
        g->op_at = g->hb_at = now + g->backoff_ms * 1000;
        g->full_hb = 1;
        break;
    case KW_KAFKA_UNRELEASED_INSTANCE_ID: case KW_KAFKA_FENCED_INSTANCE_ID:
        kw__group_fail(g, e, "ConsumerGroupHeartbeat for group %s: %s (group.instance.id %s)", g->group_id,
                       kw_strerror(e), g->instance_id ? g->instance_id : "-");
        break;
    case KW_KAFKA_UNSUPPORTED_VERSION: case KW_ERR_VERSION:
        kw__group_fail(g, e, "group %s: the broker does not support group.protocol=consumer (KIP-848, Kafka 4.0 or "
                             "later with the consumer rebalance protocol enabled): %s",
                       g->group_id, kw_strerror(e));
        break;
    case KW_KAFKA_GROUP_ID_NOT_FOUND:
        kw__group_fail(g, e, "ConsumerGroupHeartbeat for group %s: %s (is it a classic group?)", g->group_id,
                       kw_strerror(e));
        break;
    default:
        if (kw__group_is_coord_err(e) || e < 0) {
            g->full_hb = 1;
            if (e == KW_ERR_CORRUPT || e == KW_ERR_TRUNCATED) {
                g->hb_at = now + g->backoff_ms * 1000;
                break;
            }
            kw__group_coord_lost(g, now, kw_strerror(e));
            g->hb_at = now; /* at once to the new coordinator */
            break;
        }
        kw__group_fail(g, e, "ConsumerGroupHeartbeat for group %s: %s%s%s", g->group_id, kw_strerror(e),
                       r.error_message.len > 0 && !err ? ": " : "", "");
        if (!err && r.error_message.len > 0) {
            size_t n = strlen(g->errtext);
            snprintf(g->errtext + n, sizeof g->errtext - n, "%.*s", (int)r.error_message.len, r.error_message.p);
        }
        break;
    }
    kw_arena_free(&a);
}
