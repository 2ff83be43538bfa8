/*
 * client/consume/group_classic.c — the classic group protocol of client/group (see group.h):
 * JoinGroup (with the member-id-required round trip), the leader's assignment over the
 * members' consumer-protocol subscriptions, SyncGroup, Heartbeat and LeaveGroup, and
 * what every error each of them can return makes the member do.
 */
#include "client/consume/group_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/grow.h"
#include "proto/consumer_protocol.h"
#include "proto/msg_heartbeat.h"
#include "proto/msg_joingroup.h"
#include "proto/msg_leavegroup.h"
#include "proto/msg_syncgroup.h"
#include "proto/proto.h"

/* ---- the leader's view of the members ---- */

void kw__jm_free(kw_group *g)
{
    for (int i = 0; i < g->njm; i++) {
        kw__jmember *m = &g->jm[i];
        free(m->member_id);
        free(m->instance_id);
        for (int k = 0; k < m->ntopics; k++) free(m->topics[k]);
        free(m->topics);
        for (int k = 0; k < m->nowned; k++) free((char *)m->owned[k].topic);
        free(m->owned);
    }
    free(g->jm);
    g->jm = NULL;
    g->njm = 0;
    free(g->sync_off);
    free(g->sync_len);
    g->sync_off = g->sync_len = NULL;
    g->sync_ready = 0;
    g->sync_body.len = 0;
}

/* Copy the JoinGroup response's members and decode their subscriptions. A member whose
 * subscription does not decode is given nothing (and said so in the error text). */
static int jm_load(kw_group *g, const kw_joingroup_resp *r)
{
    kw__jm_free(g);
    g->asg_version = KW_CP_VERSION_MAX;
    if (r->n_members <= 0) return 0;
    g->jm = calloc((size_t)r->n_members, sizeof *g->jm);
    if (!g->jm) return KW_ERR_NOMEM;
    g->njm = r->n_members;
    int e = 0;
    for (int32_t i = 0; i < r->n_members && !e; i++) {
        kw__jmember *m = &g->jm[i];
        const kw_joingroup_resp_member *rm = &r->members[i];
        m->member_id = kw__strndup(rm->member_id.p, rm->member_id.len < 0 ? 0 : rm->member_id.len);
        if (rm->group_instance_id.len >= 0) m->instance_id = kw__strndup(rm->group_instance_id.p, rm->group_instance_id.len);
        m->generation = -1;
        if (!m->member_id || (rm->group_instance_id.len >= 0 && !m->instance_id)) { e = KW_ERR_NOMEM; break; }
        kw_arena a;
        kw_arena_init(&a);
        kw_consumerprotocol_subscription s;
        int16_t v = 0;
        int de = kw_cp_subscription_decode(rm->metadata.p, rm->metadata.len < 0 ? 0 : (size_t)rm->metadata.len, &s,
                                           &v, &a, NULL);
        if (!de) {
            m->version = v;
            if (v < g->asg_version) g->asg_version = v;
            m->generation = s.generation_id;
            m->topics = calloc((size_t)(s.n_topics > 0 ? s.n_topics : 1), sizeof *m->topics);
            int nown = 0;
            for (int32_t k = 0; k < s.n_owned_partitions; k++) nown += s.owned_partitions[k].n_partitions;
            m->owned = calloc((size_t)(nown > 0 ? nown : 1), sizeof *m->owned);
            if (!m->topics || !m->owned) e = KW_ERR_NOMEM;
            for (int32_t k = 0; k < s.n_topics && !e; k++) {
                if (!(m->topics[m->ntopics] = kw__strndup(s.topics[k].p, s.topics[k].len < 0 ? 0 : s.topics[k].len)))
                    e = KW_ERR_NOMEM;
                else m->ntopics++;
            }
            for (int32_t k = 0; k < s.n_owned_partitions && !e; k++) {
                const kw_consumerprotocol_topic_partition *tp = &s.owned_partitions[k];
                for (int32_t q = 0; q < tp->n_partitions && !e; q++) {
                    char *t = kw__strndup(tp->topic.p, tp->topic.len < 0 ? 0 : tp->topic.len);
                    if (!t) { e = KW_ERR_NOMEM; break; }
                    m->owned[m->nowned].topic = t;
                    m->owned[m->nowned].partition = tp->partitions[q];
                    m->nowned++;
                }
            }
        } else {
            snprintf(g->errtext, sizeof g->errtext, "member %s: its subscription does not decode (%s)", m->member_id,
                     kw_strerror(de));
        }
        kw_arena_free(&a);
    }
    if (g->asg_version < 0) g->asg_version = 0;
    return e;
}

static int topic_known(char **v, int n, const char *t)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i], t)) return 1;
    return 0;
}

/* The leader's assignment into sync_body: 0 ready, 1 waiting for metadata, or an error. */
static int compute_assignment(kw_group *g)
{
    /* every topic any member subscribes to, and its partition count */
    char **tn = NULL;
    int nt = 0, cap = 0, unknown = 0, e = 0;
    for (int i = 0; i < g->njm && !e; i++)
        for (int k = 0; k < g->jm[i].ntopics && !e; k++) {
            if (topic_known(tn, nt, g->jm[i].topics[k])) continue;
            char **v = kw__grow(tn, sizeof *v, (size_t)nt + 1, &cap, 8);
            if (!v) { e = KW_ERR_NOMEM; break; }
            tn = v;
            tn[nt++] = g->jm[i].topics[k];
        }
    kw_asg_topic *ts = calloc((size_t)(nt ? nt : 1), sizeof *ts);
    if (!ts) e = KW_ERR_NOMEM;
    for (int i = 0; i < nt && !e; i++) {
        ts[i].name = tn[i];
        ts[i].partitions = g->meta.partitions ? g->meta.partitions(g->meta.ud, tn[i]) : -1;
        if (ts[i].partitions < 0) unknown = 1;
    }
    if (!e && unknown && g->meta_wait == 0) {
        /* ask the driver for them once; then go on with what it knows */
        for (int i = 0; i < g->nwanted; i++) free(g->wanted[i]);
        free(g->wanted);
        g->wanted = calloc((size_t)nt, sizeof *g->wanted);
        g->nwanted = 0;
        for (int i = 0; g->wanted && i < nt; i++)
            if ((g->wanted[g->nwanted] = strdup(tn[i]))) g->nwanted++;
        g->meta_wait = 1;
        free(tn);
        free(ts);
        return 1;
    }
    g->meta_wait = 0;
    int asg = kw_assignor_parse(g->protocol_name);
    if (!e && asg < 0) e = KW_ERR_UNSUPPORTED;
    kw_asg_member *ms = e ? NULL : calloc((size_t)(g->njm ? g->njm : 1), sizeof *ms);
    if (!e && !ms) e = KW_ERR_NOMEM;
    for (int i = 0; i < g->njm && !e; i++) {
        ms[i].member_id = g->jm[i].member_id;
        ms[i].instance_id = g->jm[i].instance_id;
        ms[i].topics = (const char *const *)g->jm[i].topics;
        ms[i].ntopics = g->jm[i].ntopics;
        ms[i].owned = g->jm[i].owned;
        ms[i].nowned = g->jm[i].nowned;
        ms[i].generation = g->jm[i].generation;
    }
    kw_asg_result res;
    memset(&res, 0, sizeof res);
    if (!e) e = kw_assign(asg, ms, g->njm, ts, nt, &res);
    if (!e) {
        g->sync_off = calloc((size_t)(g->njm ? g->njm : 1), sizeof *g->sync_off);
        g->sync_len = calloc((size_t)(g->njm ? g->njm : 1), sizeof *g->sync_len);
        if (!g->sync_off || !g->sync_len) e = KW_ERR_NOMEM;
    }
    g->sync_body.len = 0;
    for (int i = 0; i < g->njm && !e; i++) {
        /* group the member's partitions by topic (they come sorted by topic) */
        kw_consumerprotocol_topic_partition *tps = calloc((size_t)(res.nparts[i] ? res.nparts[i] : 1), sizeof *tps);
        int32_t *ps = calloc((size_t)(res.nparts[i] ? res.nparts[i] : 1), sizeof *ps);
        if (!tps || !ps) { free(tps); free(ps); e = KW_ERR_NOMEM; break; }
        int32_t ntp = 0;
        for (int k = 0; k < res.nparts[i]; k++) {
            ps[k] = res.parts[i][k].partition;
            if (ntp && !strcmp(tps[ntp - 1].topic.p, res.parts[i][k].topic)) {
                tps[ntp - 1].n_partitions++;
            } else {
                tps[ntp].topic = kw_s(res.parts[i][k].topic);
                tps[ntp].partitions = &ps[k];
                tps[ntp].n_partitions = 1;
                ntp++;
            }
        }
        kw_consumerprotocol_assignment as;
        kw_desc_defaults(&kw__ConsumerProtocolAssignment, &as);
        as.assigned_partitions = tps;
        as.n_assigned_partitions = ntp;
        g->sync_off[i] = g->sync_body.len;
        e = kw_cp_assignment_encode(&as, g->asg_version, &g->sync_body);
        g->sync_len[i] = g->sync_body.len - g->sync_off[i];
        free(tps);
        free(ps);
    }
    /* what the assignment was computed from, to notice a partition count change */
    if (!e) {
        for (int i = 0; i < g->nasg; i++) free(g->asg_topics[i]);
        free(g->asg_topics);
        free(g->asg_counts);
        g->asg_topics = calloc((size_t)(nt ? nt : 1), sizeof *g->asg_topics);
        g->asg_counts = calloc((size_t)(nt ? nt : 1), sizeof *g->asg_counts);
        g->nasg = 0;
        for (int i = 0; g->asg_topics && g->asg_counts && i < nt; i++)
            if ((g->asg_topics[g->nasg] = strdup(ts[i].name))) g->asg_counts[g->nasg++] = ts[i].partitions;
        g->sync_ready = 1;
    }
    kw_asg_result_free(&res);
    free(ms);
    free(ts);
    free(tn);
    return e;
}

void kw__classic_metadata_updated(kw_group *g, int64_t now)
{
    if (g->meta_wait == 1) {
        g->meta_wait = 2;
        return;
    }
    /* the leader watches the partition counts it assigned from */
    if (!g->is_leader || g->state != KW__GS_STABLE || !g->meta.partitions) return;
    for (int i = 0; i < g->nasg; i++) {
        int32_t n = g->meta.partitions(g->meta.ud, g->asg_topics[i]);
        if (n >= 0 && n != g->asg_counts[i]) {
            kw__group_rejoin(g, now, "a subscribed topic's partition count changed");
            return;
        }
    }
}

/* ---- requests ---- */

int kw__classic_next(kw_group *g, int64_t now, kw_group_req *out)
{
    out->to = KW_GROUP_TO_COORD;
    if ((g->state == KW__GS_LEAVING || (g->state == KW__GS_EXPIRED && !g->instance_id && g->member_id &&
                                        *g->member_id)) &&
        !g->leave_sent && !g->rq[KW__RQ_LEAVE]) {
        g->leave_sent = 1;
        out->api_key = KW_API_LeaveGroup;
        out->id = kw__group_slot(g, KW__RQ_LEAVE, KW_API_LeaveGroup);
        return 1;
    }
    switch (g->state) {
    case KW__GS_JOIN:
        if (g->rq[KW__RQ_JOIN] || g->nev || now < g->join_at) return 0;
        g->state = KW__GS_JOINING;
        if (!g->join_sent_us) g->join_sent_us = now;
        out->api_key = KW_API_JoinGroup;
        out->id = kw__group_slot(g, KW__RQ_JOIN, KW_API_JoinGroup);
        g->st.joins++;
        return 1;
    case KW__GS_SYNC:
        if (g->rq[KW__RQ_SYNC]) return 0;
        if (g->is_leader && !g->skip_assignment && !g->sync_ready) {
            int e = compute_assignment(g);
            if (e == 1) return 0; /* metadata first */
            if (e) {
                kw__group_fail(g, e, "group %s: the leader could not compute an assignment with %s: %s", g->group_id,
                               g->protocol_name ? g->protocol_name : "?", kw_strerror(e));
                return 0;
            }
        }
        g->state = KW__GS_SYNCING;
        out->api_key = KW_API_SyncGroup;
        out->id = kw__group_slot(g, KW__RQ_SYNC, KW_API_SyncGroup);
        g->st.syncs++;
        return 1;
    case KW__GS_STABLE:
        if (g->rq[KW__RQ_HB] || now < g->hb_at) return 0;
        g->hb_at = now + (int64_t)g->hb_ms * 1000;
        out->api_key = KW_API_Heartbeat;
        out->id = kw__group_slot(g, KW__RQ_HB, KW_API_Heartbeat);
        g->st.heartbeats++;
        return 1;
    default:
        return 0;
    }
}

static kw_str opt_str(const char *s) { return s ? kw_s(s) : KW_STR_NULL; }

static int join_encode(kw_group *g, int16_t version, kw_buf *out)
{
    /* the subscription: topics, what it owns (cooperative) and from which generation */
    kw_buf sub;
    kw_buf_init(&sub);
    kw_consumerprotocol_subscription s;
    kw_desc_defaults(&kw__ConsumerProtocolSubscription, &s);
    kw_str *topics = calloc((size_t)(g->ntopics ? g->ntopics : 1), sizeof *topics);
    kw__tpset owned = {0};
    int e = topics ? kw__tpset_copy(&owned, &g->owned) : KW_ERR_NOMEM;
    kw__tpset_sort(&owned);
    kw_consumerprotocol_topic_partition *tps = calloc((size_t)(owned.n ? owned.n : 1), sizeof *tps);
    int32_t *ps = calloc((size_t)(owned.n ? owned.n : 1), sizeof *ps);
    if (!tps || !ps) e = KW_ERR_NOMEM;
    if (!e) {
        for (int i = 0; i < g->ntopics; i++) topics[i] = kw_s(g->topics[i]);
        s.topics = topics;
        s.n_topics = g->ntopics;
        int32_t ntp = 0;
        for (int i = 0; i < owned.n; i++) {
            ps[i] = owned.v[i].partition;
            if (ntp && !strcmp(tps[ntp - 1].topic.p, owned.v[i].topic)) tps[ntp - 1].n_partitions++;
            else tps[ntp++] = (kw_consumerprotocol_topic_partition){kw_s(owned.v[i].topic), &ps[i], 1};
        }
        s.owned_partitions = tps;
        s.n_owned_partitions = ntp;
        s.generation_id = owned.n ? g->owned_gen : -1;
        s.rack_id = opt_str(g->rack_id);
        e = kw_cp_subscription_encode(&s, KW_CP_VERSION_MAX, &sub);
    }
    kw_joingroup_req r;
    kw_msg_defaults(KW_API_JoinGroup, KW_REQ, &r);
    kw_joingroup_req_protocol pr[KW_GROUP_MAX_ASSIGNORS];
    if (!e) {
        r.group_id = kw_s(g->group_id);
        r.session_timeout_ms = g->session_ms;
        r.rebalance_timeout_ms = g->poll_ms;
        r.member_id = kw_s(g->member_id);
        r.group_instance_id = opt_str(g->instance_id);
        r.protocol_type = kw_s(KW_CP_PROTOCOL_TYPE);
        for (int i = 0; i < g->nassignors; i++) {
            pr[i].name = kw_s(kw_assignor_name(g->assignors[i]));
            pr[i].metadata = kw_b(sub.data, sub.len);
        }
        r.protocols = pr;
        r.n_protocols = g->nassignors;
        r.reason = g->join_reason[0] ? kw_s(g->join_reason) : KW_STR_NULL;
        e = kw_msg_encode(KW_API_JoinGroup, version, KW_REQ, &r, out);
    }
    free(topics);
    free(tps);
    free(ps);
    kw__tpset_free(&owned);
    kw_buf_free(&sub);
    return e;
}

static int sync_encode(kw_group *g, int16_t version, kw_buf *out)
{
    kw_syncgroup_req r;
    kw_msg_defaults(KW_API_SyncGroup, KW_REQ, &r);
    r.group_id = kw_s(g->group_id);
    r.generation_id = g->generation;
    r.member_id = kw_s(g->member_id);
    r.group_instance_id = opt_str(g->instance_id);
    r.protocol_type = kw_s(KW_CP_PROTOCOL_TYPE);
    r.protocol_name = opt_str(g->protocol_name);
    kw_syncgroup_req_assignment *as = NULL;
    if (g->is_leader && !g->skip_assignment && g->sync_ready && g->njm) {
        as = calloc((size_t)g->njm, sizeof *as);
        if (!as) return KW_ERR_NOMEM;
        for (int i = 0; i < g->njm; i++) {
            as[i].member_id = kw_s(g->jm[i].member_id);
            as[i].assignment = kw_b(g->sync_body.data + g->sync_off[i], g->sync_len[i]);
        }
        r.assignments = as;
        r.n_assignments = g->njm;
    }
    int e = kw_msg_encode(KW_API_SyncGroup, version, KW_REQ, &r, out);
    free(as);
    return e;
}

int kw__classic_encode(kw_group *g, int slot, int16_t version, kw_buf *out)
{
    switch (slot) {
    case KW__RQ_JOIN: return join_encode(g, version, out);
    case KW__RQ_SYNC: return sync_encode(g, version, out);
    case KW__RQ_HB: {
        kw_heartbeat_req r;
        kw_msg_defaults(KW_API_Heartbeat, KW_REQ, &r);
        r.group_id = kw_s(g->group_id);
        r.generation_id = g->generation;
        r.member_id = kw_s(g->member_id);
        r.group_instance_id = opt_str(g->instance_id);
        return kw_msg_encode(KW_API_Heartbeat, version, KW_REQ, &r, out);
    }
    case KW__RQ_LEAVE: {
        kw_leavegroup_req r;
        kw_msg_defaults(KW_API_LeaveGroup, KW_REQ, &r);
        r.group_id = kw_s(g->group_id);
        r.member_id = kw_s(g->member_id);
        kw_leavegroup_member_identity m = {kw_s(g->member_id), opt_str(g->instance_id),
                                           kw_s(g->state == KW__GS_EXPIRED ? "max.poll.interval.ms passed"
                                                                           : "the consumer is closing")};
        r.members = &m;
        r.n_members = 1;
        return kw_msg_encode(KW_API_LeaveGroup, version, KW_REQ, &r, out);
    }
    default: return KW_ERR_INVALID_ARG;
    }
}

/* ---- answers ---- */

/* Errors after which the member cannot go on (see group.h). */
static void fatal(kw_group *g, const char *api, int e)
{
    if (e == KW_KAFKA_FENCED_INSTANCE_ID || e == KW_KAFKA_UNRELEASED_INSTANCE_ID)
        kw__group_fail(g, e, "%s for group %s: %s (group.instance.id %s)", api, g->group_id, kw_strerror(e),
                       g->instance_id ? g->instance_id : "-");
    else
        kw__group_fail(g, e, "%s for group %s: %s", api, g->group_id, kw_strerror(e));
}

/* The member's generation is gone (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION): what it owns
 * may be another's already — lost — and it joins again at once. */
static void reset_member(kw_group *g, int64_t now, int e)
{
    kw__group_lose_all(g, kw_strerror(e));
    g->generation = -1;
    if (e == KW_KAFKA_UNKNOWN_MEMBER_ID && !g->instance_id) {
        free(g->member_id);
        g->member_id = strdup("");
    }
    g->state = KW__GS_JOIN; /* (not through rejoin: nothing left to revoke) */
    g->join_at = now;
    snprintf(g->join_reason, sizeof g->join_reason, "rejoining after %s", kw_err_name(e));
    g->st.rebalances++;
}

/* Transport failures and coordinator moves: back to the lookup. */
static int coordinator_trouble(kw_group *g, int64_t now, int e)
{
    if (e == KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS) {
        g->op_at = now + g->backoff_ms * 1000;
        return 1;
    }
    if (kw__group_is_coord_err(e) || e < 0) {
        kw__group_coord_lost(g, now, kw_strerror(e));
        return 1;
    }
    return 0;
}

static void join_response(kw_group *g, int64_t now, int err, int16_t version, const uint8_t *body, size_t len)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_joingroup_resp r;
    int e = err ? err : kw_msg_decode(KW_API_JoinGroup, version, KW_RESP, body, len, &r, &a, NULL);
    if (!e) e = r.error_code;
    g->op_at = 0;
    if (g->state == KW__GS_JOINING) g->state = KW__GS_JOIN;
    switch (e) {
    case 0: {
        char *mid = kw__strndup(r.member_id.p, r.member_id.len < 0 ? 0 : r.member_id.len);
        char *pn = kw__strndup(r.protocol_name.p, r.protocol_name.len);
        char *ld = kw__strndup(r.leader.p, r.leader.len < 0 ? 0 : r.leader.len);
        if (!mid || !ld || (r.protocol_name.len >= 0 && !pn)) {
            free(mid); free(pn); free(ld);
            kw__group_fail(g, KW_ERR_NOMEM, "out of memory");
            break;
        }
        free(g->member_id); g->member_id = mid;
        free(g->protocol_name); g->protocol_name = pn;
        free(g->leader_id); g->leader_id = ld;
        g->generation = r.generation_id;
        g->is_leader = !strcmp(ld, mid);
        g->skip_assignment = r.skip_assignment;
        g->join_fail = 0;
        g->hb_ok_us = now;
        kw__jm_free(g);
        g->meta_wait = 0;
        if (g->is_leader && !g->skip_assignment) {
            int le = jm_load(g, &r);
            if (le) { kw__group_fail(g, le, "out of memory"); break; }
        }
        g->state = KW__GS_SYNC;
        break;
    }
    case KW_KAFKA_MEMBER_ID_REQUIRED: {
        /* the coordinator named the member: join again with that id, at once */
        char *mid = kw__strndup(r.member_id.p, r.member_id.len < 0 ? 0 : r.member_id.len);
        if (!mid) { kw__group_fail(g, KW_ERR_NOMEM, "out of memory"); break; }
        free(g->member_id);
        g->member_id = mid;
        g->join_at = now;
        break;
    }
    case KW_KAFKA_UNKNOWN_MEMBER_ID:
    case KW_KAFKA_ILLEGAL_GENERATION:
        reset_member(g, now, e);
        break;
    case KW_KAFKA_REBALANCE_IN_PROGRESS:
        g->join_at = now + g->backoff_ms * 1000;
        break;
    case KW_KAFKA_INCONSISTENT_GROUP_PROTOCOL: case KW_KAFKA_INVALID_SESSION_TIMEOUT:
    case KW_KAFKA_INVALID_GROUP_ID: case KW_KAFKA_GROUP_AUTHORIZATION_FAILED:
    case KW_KAFKA_GROUP_MAX_SIZE_REACHED: case KW_KAFKA_FENCED_INSTANCE_ID:
    case KW_KAFKA_UNRELEASED_INSTANCE_ID: case KW_KAFKA_UNSUPPORTED_VERSION: case KW_KAFKA_INVALID_REQUEST:
        fatal(g, "JoinGroup", e);
        break;
    default:
        if (coordinator_trouble(g, now, e)) break;
        if (e == KW_ERR_CORRUPT || e == KW_ERR_TRUNCATED) {
            g->join_fail++;
            g->join_at = now + kw__group_backoff(g, g->join_fail) * 1000;
            break;
        }
        fatal(g, "JoinGroup", e);
        break;
    }
    kw_arena_free(&a);
}

static void sync_response(kw_group *g, int64_t now, int err, int16_t version, const uint8_t *body, size_t len)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_syncgroup_resp r;
    int e = err ? err : kw_msg_decode(KW_API_SyncGroup, version, KW_RESP, body, len, &r, &a, NULL);
    if (!e) e = r.error_code;
    g->op_at = 0;
    if (g->state == KW__GS_SYNCING) g->state = KW__GS_SYNC;
    switch (e) {
    case 0: {
        kw_consumerprotocol_assignment as;
        int de = kw_cp_assignment_decode(r.assignment.p, r.assignment.len < 0 ? 0 : (size_t)r.assignment.len, &as,
                                         NULL, &a, NULL);
        if (de) {
            kw__group_fail(g, de, "SyncGroup for group %s: the assignment does not decode (%s)", g->group_id,
                           kw_strerror(de));
            break;
        }
        kw__tpset now_owned = {0};
        int ae = 0;
        for (int32_t t = 0; t < as.n_assigned_partitions && !ae; t++) {
            char *tn = kw__strndup(as.assigned_partitions[t].topic.p,
                                   as.assigned_partitions[t].topic.len < 0 ? 0 : as.assigned_partitions[t].topic.len);
            if (!tn) { ae = KW_ERR_NOMEM; break; }
            for (int32_t p = 0; p < as.assigned_partitions[t].n_partitions && !ae; p++)
                if (!kw__tpset_has(&now_owned, tn, as.assigned_partitions[t].partitions[p]))
                    ae = kw__tpset_add(&now_owned, tn, NULL, as.assigned_partitions[t].partitions[p]);
            free(tn);
        }
        int revoked = ae ? ae : kw__group_set_assignment(g, &now_owned);
        kw__tpset_free(&now_owned);
        if (revoked < 0) { kw__group_fail(g, revoked, "out of memory"); break; }
        g->state = KW__GS_STABLE;
        g->hb_ok_us = now;
        g->coord_lost = 0;
        g->hb_at = now + (int64_t)g->hb_ms * 1000;
        if (g->join_sent_us) g->st.last_rebalance_us = now - g->join_sent_us;
        g->join_sent_us = 0;
        g->join_reason[0] = 0;
        kw__jm_free(g);
        /* cooperative: what was revoked may now move; join again once it is given up */
        if (revoked > 0 && g->cooperative) kw__group_rejoin(g, now, "revoked partitions must move to other members");
        break;
    }
    case KW_KAFKA_REBALANCE_IN_PROGRESS:
        kw__group_rejoin(g, now, "the group started another rebalance");
        break;
    case KW_KAFKA_UNKNOWN_MEMBER_ID:
    case KW_KAFKA_ILLEGAL_GENERATION:
        reset_member(g, now, e);
        break;
    case KW_KAFKA_FENCED_INSTANCE_ID: case KW_KAFKA_GROUP_AUTHORIZATION_FAILED:
    case KW_KAFKA_INCONSISTENT_GROUP_PROTOCOL: case KW_KAFKA_UNSUPPORTED_VERSION: case KW_KAFKA_INVALID_REQUEST:
        fatal(g, "SyncGroup", e);
        break;
    default:
        if (e == KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS || kw__group_is_coord_err(e) || e < 0) {
            /* the join has to be done again with the (new) coordinator */
            coordinator_trouble(g, now, e);
            kw__group_rejoin(g, now, "the coordinator was lost during the rebalance");
            break;
        }
        fatal(g, "SyncGroup", e);
        break;
    }
    kw_arena_free(&a);
}

static void heartbeat_response(kw_group *g, int64_t now, int err, int16_t version, const uint8_t *body, size_t len)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_heartbeat_resp r;
    int e = err ? err : kw_msg_decode(KW_API_Heartbeat, version, KW_RESP, body, len, &r, &a, NULL);
    if (!e) e = r.error_code;
    kw_arena_free(&a);
    if (g->state != KW__GS_STABLE) return; /* a rebalance started meanwhile */
    switch (e) {
    case 0:
        g->hb_ok_us = now;
        g->coord_lost = 0;
        break;
    case KW_KAFKA_REBALANCE_IN_PROGRESS:
        g->hb_ok_us = now;
        g->coord_lost = 0;
        kw__group_rejoin(g, now, "the coordinator started a rebalance");
        break;
    case KW_KAFKA_UNKNOWN_MEMBER_ID:
    case KW_KAFKA_ILLEGAL_GENERATION:
        reset_member(g, now, e);
        break;
    case KW_KAFKA_FENCED_INSTANCE_ID: case KW_KAFKA_GROUP_AUTHORIZATION_FAILED:
    case KW_KAFKA_UNSUPPORTED_VERSION: case KW_KAFKA_INVALID_REQUEST:
        fatal(g, "Heartbeat", e);
        break;
    default:
        if (e == KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS) {
            g->hb_at = now + g->backoff_ms * 1000;
            break;
        }
        if (coordinator_trouble(g, now, e)) break;
        if (e == KW_ERR_CORRUPT || e == KW_ERR_TRUNCATED) break; /* the next one, on time */
        fatal(g, "Heartbeat", e);
        break;
    }
}

void kw__classic_response(kw_group *g, int64_t now, int slot, int err, int16_t version, const uint8_t *body,
                          size_t len)
{
    switch (slot) {
    case KW__RQ_JOIN: join_response(g, now, err, version, body, len); break;
    case KW__RQ_SYNC: sync_response(g, now, err, version, body, len); break;
    case KW__RQ_HB: heartbeat_response(g, now, err, version, body, len); break;
    case KW__RQ_LEAVE:
        /* whatever the answer (UNKNOWN_MEMBER_ID: gone already), the member is out */
        if (g->state == KW__GS_LEAVING) {
            g->state = KW__GS_LEFT;
            g->left = 1;
        }
        g->generation = -1;
        break;
    default: break;
    }
}
