/*
 * tests/test_group.c — client/group, the membership state machine, against a scripted
 * coordinator: every request the group asks for is encoded by the group at a chosen
 * version and decoded here (so its fields are checked as the broker would read them);
 * every answer is a response struct encoded by kwire's own kw_msg_encode and handed
 * back; time is a fake clock. No sockets.
 *
 * Classic protocol: FindCoordinator (and its retry), JoinGroup with MEMBER_ID_REQUIRED
 * then the id, the leader's range assignment in SyncGroup (and waiting for metadata of
 * a topic it does not know), a follower's empty SyncGroup, heartbeats on the interval;
 * for each API every error it can return: JoinGroup (MEMBER_ID_REQUIRED,
 * UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS,
 * COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, the fatal
 * ones: INCONSISTENT_GROUP_PROTOCOL, INVALID_SESSION_TIMEOUT, INVALID_GROUP_ID,
 * GROUP_AUTHORIZATION_FAILED, GROUP_MAX_SIZE_REACHED, FENCED_INSTANCE_ID,
 * UNRELEASED_INSTANCE_ID, UNSUPPORTED_VERSION, INVALID_REQUEST, UNKNOWN_SERVER_ERROR),
 * SyncGroup (REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
 * coordinator errors, FENCED_INSTANCE_ID, GROUP_AUTHORIZATION_FAILED,
 * INCONSISTENT_GROUP_PROTOCOL), Heartbeat (REBALANCE_IN_PROGRESS eager and
 * cooperative, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID,
 * GROUP_AUTHORIZATION_FAILED, COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR,
 * COORDINATOR_NOT_AVAILABLE, a disconnect), LeaveGroup (answered with
 * UNKNOWN_MEMBER_ID: out all the same); FindCoordinator (COORDINATOR_NOT_AVAILABLE
 * retried after the backoff, GROUP_AUTHORIZATION_FAILED fatal). Cooperative
 * rebalancing: a SyncGroup that takes a partition away revokes only it and joins again
 * once the revocation is done, with the owned partitions in its subscription. Session
 * timeout (no heartbeat answered: the coordinator looked up again), max.poll.interval.ms
 * (LeaveGroup, then LOST and a fresh join at the next poll), static membership (no
 * LeaveGroup on close), an offset commit refused for ILLEGAL_GENERATION, the leader
 * rebalancing when a topic's partition count changes; a member's OffsetCommit carrying its
 * generation, member id and group.instance.id.
 *
 * Consumer protocol (KIP-848): the joining heartbeat (epoch 0, subscription, rebalance
 * timeout, server assignor, no partitions; v0 without a member id, v1 with the one the
 * member made), an assignment by topic id acknowledged at once with the owned
 * partitions, a smaller one revoking first (no acknowledgement before the revocation is
 * done), topic ids named only after a metadata refresh, a partition listed twice taken once, the broker's heartbeat interval,
 * every error: UNKNOWN_MEMBER_ID and FENCED_MEMBER_EPOCH (LOST, rejoin at epoch 0 with
 * the same member id), COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR,
 * COORDINATOR_NOT_AVAILABLE, the fatal ones (UNRELEASED_INSTANCE_ID,
 * FENCED_INSTANCE_ID, GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED,
 * GROUP_MAX_SIZE_REACHED, UNSUPPORTED_ASSIGNOR, INVALID_REQUEST, UNSUPPORTED_VERSION,
 * GROUP_ID_NOT_FOUND, INVALID_REGULAR_EXPRESSION); leaving with epoch -1 and -2 (static);
 * max.poll.interval.ms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/consume/group.h"
#include "client/admin/offsets.h"
#include "proto/msg_offsetcommit.h"
#include "proto/consumer_protocol.h"
#include "proto/msg_consumergroupheartbeat.h"
#include "proto/msg_findcoordinator.h"
#include "proto/msg_heartbeat.h"
#include "proto/msg_joingroup.h"
#include "proto/msg_leavegroup.h"
#include "proto/msg_syncgroup.h"
#include "proto/proto.h"

#define MS 1000 /* microseconds */

/* ---- the scripted cluster's metadata ---- */

typedef struct topic_meta {
    const char *name;
    kw_uuid id;
    int32_t partitions;
    int known;
} topic_meta;

typedef struct h {
    kw_group *g;
    int64_t now;
    topic_meta topics[4];
    int ntopics;
    /* the request taken last */
    kw_group_req req;
    int16_t ver;
    kw_buf body;
    kw_arena arena;
    union {
        kw_findcoordinator_req fc;
        kw_joingroup_req join;
        kw_syncgroup_req sync;
        kw_heartbeat_req hb;
        kw_leavegroup_req leave;
        kw_consumergroupheartbeat_req cgh;
    } r;
    kw_buf out;
} h_t;

static int32_t m_partitions(void *ud, const char *topic)
{
    h_t *h = ud;
    for (int i = 0; i < h->ntopics; i++)
        if (h->topics[i].known && !strcmp(h->topics[i].name, topic)) return h->topics[i].partitions;
    return -1;
}

static const char *m_name(void *ud, const kw_uuid *id)
{
    h_t *h = ud;
    for (int i = 0; i < h->ntopics; i++)
        if (h->topics[i].known && !memcmp(&h->topics[i].id, id, sizeof *id)) return h->topics[i].name;
    return NULL;
}

static int m_id(void *ud, const char *topic, kw_uuid *id)
{
    h_t *h = ud;
    for (int i = 0; i < h->ntopics; i++)
        if (h->topics[i].known && !strcmp(h->topics[i].name, topic)) { *id = h->topics[i].id; return 0; }
    return -1;
}

static h_t *h_new(int protocol, const char *instance, int cooperative)
{
    h_t *h = calloc(1, sizeof *h);
    kw_buf_init(&h->body);
    kw_buf_init(&h->out);
    kw_arena_init(&h->arena);
    h->now = 1000 * MS;
    h->topics[0] = (topic_meta){"orders", {{1}}, 3, 1};
    h->topics[1] = (topic_meta){"refunds", {{2}}, 2, 1};
    h->ntopics = 2;
    kw_group_opts o = {.group_id = "g1", .protocol = protocol, .instance_id = instance,
                       .session_timeout_ms = 10000, .heartbeat_interval_ms = 3000, .max_poll_interval_ms = 60000,
                       .retry_backoff_ms = 100, .retry_backoff_max_ms = 1000,
                       .meta = {m_partitions, m_name, m_id, h}};
    o.assignors[0] = cooperative ? KW_ASG_COOP_STICKY : KW_ASG_RANGE;
    o.nassignors = 1;
    h->g = kw_group_new(&o);
    assert_non_null(h->g);
    kw_group_polled(h->g, h->now);
    return h;
}

static void h_free(h_t *h)
{
    kw_group_free(h->g);
    kw_buf_free(&h->body);
    kw_buf_free(&h->out);
    kw_arena_free(&h->arena);
    free(h);
}

static void advance(h_t *h, int64_t us)
{
    h->now += us;
    kw_group_tick(h->g, h->now);
}

/* No request is due now. */
static void none(h_t *h)
{
    kw_group_tick(h->g, h->now);
    kw_group_req r;
    assert_int_equal(kw_group_next_request(h->g, h->now, &r), 0);
}

/* Take the next request: it must be api (to the coordinator unless FindCoordinator);
 * encoded at version v and decoded into h->r. */
static void take(h_t *h, int api, int16_t v)
{
    kw_group_tick(h->g, h->now);
    int got = kw_group_next_request(h->g, h->now, &h->req);
    if (!got) fail_msg("no request due; expected %s (group state %s)", kw_api_name(api), kw_group_state(h->g));
    if (h->req.api_key != api)
        fail_msg("request %s, expected %s", kw_api_name(h->req.api_key), kw_api_name(api));
    assert_int_equal(h->req.to, api == KW_API_FindCoordinator ? KW_GROUP_TO_ANY : KW_GROUP_TO_COORD);
    h->ver = v;
    h->body.len = 0;
    assert_int_equal(kw_group_encode(h->g, h->req.id, v, &h->body), 0);
    kw_arena_reset(&h->arena);
    assert_int_equal(kw_msg_decode(api, v, KW_REQ, h->body.data, h->body.len, &h->r, &h->arena, NULL), 0);
}

/* Answer the request taken last with resp (a response struct of its API). */
static void answer(h_t *h, const void *resp)
{
    h->out.len = 0;
    assert_int_equal(kw_msg_encode(h->req.api_key, h->ver, KW_RESP, resp, &h->out), 0);
    kw_group_response(h->g, h->now, h->req.id, 0, h->ver, h->out.data, h->out.len);
}

static void answer_err(h_t *h, int transport_err) { kw_group_response(h->g, h->now, h->req.id, transport_err, h->ver, NULL, 0); }

static int has(kw_str s, const char *needle)
{
    return s.len > 0 && memmem(s.p, (size_t)s.len, needle, strlen(needle)) != NULL;
}

static int str_is(kw_str s, const char *c) { return s.len == (int32_t)strlen(c) && !memcmp(s.p, c, (size_t)s.len); }

static void coordinator(h_t *h)
{
    take(h, KW_API_FindCoordinator, 4);
    assert_int_equal(h->r.fc.key_type, 0);
    assert_int_equal(h->r.fc.n_coordinator_keys, 1);
    assert_true(str_is(h->r.fc.coordinator_keys[0], "g1"));
    kw_findcoordinator_resp r;
    kw_msg_defaults(KW_API_FindCoordinator, KW_RESP, &r);
    kw_findcoordinator_coord c = {kw_s("g1"), 2, kw_s("127.0.0.1"), 9093, 0, KW_STR_NULL};
    r.coordinators = &c;
    r.n_coordinators = 1;
    answer(h, &r);
    int32_t node, port;
    const char *host;
    assert_int_equal(kw_group_coordinator(h->g, &node, &host, &port), 1);
    assert_int_equal(node, 2);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 9093);
}

/* ---- classic answers ---- */

static void join_answer(h_t *h, int16_t err, const char *member, int32_t gen, const char *leader)
{
    kw_joingroup_resp r;
    kw_msg_defaults(KW_API_JoinGroup, KW_RESP, &r);
    r.error_code = err;
    r.generation_id = gen;
    r.protocol_type = kw_s("consumer");
    r.protocol_name = kw_s(kw_assignor_name(kw_assignor_parse("range")));
    r.leader = kw_s(leader ? leader : "");
    r.member_id = kw_s(member ? member : "");
    kw_joingroup_resp_member m[2];
    if (leader && member && !strcmp(leader, member) && !err) {
        /* the leader sees its own subscription (as it sent it) and another member's */
        m[0] = (kw_joingroup_resp_member){kw_s(member), KW_STR_NULL, h->r.join.protocols[0].metadata};
        r.members = m;
        r.n_members = 1;
    }
    answer(h, &r);
}

static void join_answer_proto(h_t *h, const char *proto)
{
    kw_joingroup_resp r;
    kw_msg_defaults(KW_API_JoinGroup, KW_RESP, &r);
    r.generation_id = 1;
    r.protocol_type = kw_s("consumer");
    r.protocol_name = kw_s(proto);
    r.leader = kw_s("other");
    r.member_id = kw_s("m1");
    answer(h, &r);
}

static void sync_answer(h_t *h, int16_t err, const char *topic, const int32_t *parts, int n)
{
    kw_buf a;
    kw_buf_init(&a);
    kw_consumerprotocol_assignment as;
    kw_desc_defaults(&kw__ConsumerProtocolAssignment, &as);
    kw_consumerprotocol_topic_partition tp = {kw_s(topic ? topic : ""), (int32_t *)parts, n};
    if (topic) {
        as.assigned_partitions = &tp;
        as.n_assigned_partitions = 1;
    }
    assert_int_equal(kw_cp_assignment_encode(&as, 3, &a), 0);
    kw_syncgroup_resp r;
    kw_msg_defaults(KW_API_SyncGroup, KW_RESP, &r);
    r.error_code = err;
    r.protocol_type = kw_s("consumer");
    r.protocol_name = kw_s("range");
    r.assignment = err ? kw_b(NULL, 0) : kw_b(a.data, a.len);
    answer(h, &r);
    kw_buf_free(&a);
}

static void hb_answer(h_t *h, int16_t err)
{
    kw_heartbeat_resp r;
    kw_msg_defaults(KW_API_Heartbeat, KW_RESP, &r);
    r.error_code = err;
    answer(h, &r);
}

/* The next event must be kind with these partitions ("orders0 orders2"); done at once. */
static void expect_event(h_t *h, int kind, const char *parts)
{
    kw_group_event ev;
    if (!kw_group_next_event(h->g, &ev)) fail_msg("no event; expected kind %d (%s)", kind, parts);
    char buf[256] = "";
    for (int i = 0; i < ev.n; i++) {
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof buf - n, "%s%s%d", i ? " " : "", ev.parts[i].topic, ev.parts[i].partition);
    }
    if (ev.kind != kind || strcmp(buf, parts))
        fail_msg("event kind %d [%s], expected kind %d [%s]", ev.kind, buf, kind, parts);
    kw_group_event_done(h->g, h->now);
}

static void no_event(h_t *h)
{
    kw_group_event ev;
    assert_int_equal(kw_group_next_event(h->g, &ev), 0);
}

/* A follower joined and synced with orders 0 and 1; heartbeating. */
static h_t *classic_member(const char *instance, int cooperative)
{
    h_t *h = h_new(KW_GROUP_CLASSIC, instance, cooperative);
    const char *t[1] = {"orders"};
    assert_int_equal(kw_group_subscribe(h->g, t, 1), 0);
    coordinator(h);
    take(h, KW_API_JoinGroup, 9);
    join_answer(h, 0, "m1", 5, "other");
    take(h, KW_API_SyncGroup, 5);
    assert_int_equal(h->r.sync.n_assignments, 0);
    int32_t p[2] = {0, 1};
    sync_answer(h, 0, "orders", p, 2);
    expect_event(h, KW_GROUP_EV_ASSIGNED, "orders0 orders1");
    assert_true(kw_group_stable(h->g));
    return h;
}

static void test_classic_join_as_leader(void **st)
{
    (void)st;
    h_t *h = h_new(KW_GROUP_CLASSIC, NULL, 0);
    none(h); /* nothing before a subscription */
    const char *t[1] = {"orders"};
    assert_int_equal(kw_group_subscribe(h->g, t, 1), 0);
    /* FindCoordinator: not available, then answered after the backoff */
    take(h, KW_API_FindCoordinator, 3);
    assert_true(str_is(h->r.fc.key, "g1"));
    kw_findcoordinator_resp fr;
    kw_msg_defaults(KW_API_FindCoordinator, KW_RESP, &fr);
    fr.error_code = KW_KAFKA_COORDINATOR_NOT_AVAILABLE;
    fr.host = kw_s("");
    answer(h, &fr);
    none(h);
    advance(h, 100 * MS);
    coordinator(h);
    /* first JoinGroup: no member id; MEMBER_ID_REQUIRED names it */
    take(h, KW_API_JoinGroup, 9);
    assert_true(str_is(h->r.join.member_id, ""));
    assert_true(str_is(h->r.join.protocol_type, "consumer"));
    assert_int_equal(h->r.join.session_timeout_ms, 10000);
    assert_int_equal(h->r.join.rebalance_timeout_ms, 60000);
    assert_int_equal(h->r.join.n_protocols, 1);
    assert_true(str_is(h->r.join.protocols[0].name, "range"));
    kw_consumerprotocol_subscription s;
    assert_int_equal(kw_cp_subscription_decode(h->r.join.protocols[0].metadata.p,
                                               (size_t)h->r.join.protocols[0].metadata.len, &s, NULL, &h->arena, NULL),
                     0);
    assert_int_equal(s.n_topics, 1);
    assert_true(str_is(s.topics[0], "orders"));
    assert_int_equal(s.n_owned_partitions, 0);
    join_answer(h, KW_KAFKA_MEMBER_ID_REQUIRED, "m1", -1, NULL);
    take(h, KW_API_JoinGroup, 9);
    assert_true(str_is(h->r.join.member_id, "m1"));
    /* leader of a group of one: range over orders' 3 partitions */
    join_answer(h, 0, "m1", 1, "m1");
    assert_true(kw_group_is_leader(h->g));
    take(h, KW_API_SyncGroup, 5);
    assert_int_equal(h->r.sync.generation_id, 1);
    assert_true(str_is(h->r.sync.protocol_name, "range"));
    assert_int_equal(h->r.sync.n_assignments, 1);
    kw_consumerprotocol_assignment as;
    assert_int_equal(kw_cp_assignment_decode(h->r.sync.assignments[0].assignment.p,
                                             (size_t)h->r.sync.assignments[0].assignment.len, &as, NULL, &h->arena,
                                             NULL),
                     0);
    assert_int_equal(as.n_assigned_partitions, 1);
    assert_int_equal(as.assigned_partitions[0].n_partitions, 3);
    int32_t p[3] = {0, 1, 2};
    sync_answer(h, 0, "orders", p, 3);
    expect_event(h, KW_GROUP_EV_ASSIGNED, "orders0 orders1 orders2");
    no_event(h);
    assert_string_equal(kw_group_state(h->g), "stable");
    /* heartbeats every heartbeat.interval.ms */
    none(h);
    advance(h, 2999 * MS);
    none(h);
    advance(h, 1 * MS);
    take(h, KW_API_Heartbeat, 4);
    assert_int_equal(h->r.hb.generation_id, 1);
    assert_true(str_is(h->r.hb.member_id, "m1"));
    hb_answer(h, 0);
    none(h);
    int32_t gen;
    const char *mid, *iid;
    kw_group_commit_identity(h->g, &gen, &mid, &iid);
    assert_int_equal(gen, 1);
    assert_string_equal(mid, "m1");
    assert_null(iid);
    /* the leader watches partition counts: orders grows to 4 -> rebalance (eager:
     * revoke everything first) */
    h->topics[0].partitions = 4;
    kw_group_metadata_updated(h->g, h->now);
    expect_event(h, KW_GROUP_EV_REVOKED, "orders0 orders1 orders2");
    take(h, KW_API_JoinGroup, 9);
    assert_true(has(h->r.join.reason, "partition count"));
    h_free(h);
}

static void test_classic_leader_waits_for_metadata(void **st)
{
    (void)st;
    h_t *h = h_new(KW_GROUP_CLASSIC, NULL, 0);
    h->topics[1].known = 0;
    const char *t[2] = {"orders", "refunds"};
    assert_int_equal(kw_group_subscribe(h->g, t, 2), 0);
    coordinator(h);
    take(h, KW_API_JoinGroup, 5);
    join_answer(h, 0, "m1", 1, "m1");
    none(h);
    assert_true(kw_group_wants_metadata(h->g));
    const char *const *wt;
    int nw = kw_group_wanted_topics(h->g, &wt);
    assert_int_equal(nw, 2);
    h->topics[1].known = 1;
    kw_group_metadata_updated(h->g, h->now);
    assert_false(kw_group_wants_metadata(h->g));
    take(h, KW_API_SyncGroup, 3);
    kw_consumerprotocol_assignment as;
    assert_int_equal(kw_cp_assignment_decode(h->r.sync.assignments[0].assignment.p,
                                             (size_t)h->r.sync.assignments[0].assignment.len, &as, NULL, &h->arena,
                                             NULL),
                     0);
    assert_int_equal(as.n_assigned_partitions, 2); /* both topics */
    h_free(h);
}

static void test_classic_join_errors(void **st)
{
    (void)st;
    static const int16_t fatal[] = {KW_KAFKA_INCONSISTENT_GROUP_PROTOCOL, KW_KAFKA_INVALID_SESSION_TIMEOUT,
                                    KW_KAFKA_INVALID_GROUP_ID, KW_KAFKA_GROUP_AUTHORIZATION_FAILED,
                                    KW_KAFKA_GROUP_MAX_SIZE_REACHED, KW_KAFKA_FENCED_INSTANCE_ID,
                                    KW_KAFKA_UNRELEASED_INSTANCE_ID, KW_KAFKA_UNSUPPORTED_VERSION,
                                    KW_KAFKA_INVALID_REQUEST, KW_KAFKA_UNKNOWN_SERVER_ERROR};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        h_t *h = h_new(KW_GROUP_CLASSIC, "static-1", 0);
        const char *t[1] = {"orders"};
        kw_group_subscribe(h->g, t, 1);
        coordinator(h);
        take(h, KW_API_JoinGroup, 9);
        assert_true(str_is(h->r.join.group_instance_id, "static-1"));
        join_answer(h, fatal[i], "", -1, "");
        assert_int_equal(kw_group_error(h->g), fatal[i]);
        assert_non_null(strstr(kw_group_error_text(h->g), "JoinGroup"));
        assert_string_equal(kw_group_state(h->g), "failed");
        none(h);
        h_free(h);
    }
    h_t *h = h_new(KW_GROUP_CLASSIC, NULL, 0);
    const char *t[1] = {"orders"};
    kw_group_subscribe(h->g, t, 1);
    coordinator(h);
    /* UNKNOWN_MEMBER_ID: the id forgotten, joined again at once */
    take(h, KW_API_JoinGroup, 9);
    join_answer(h, KW_KAFKA_MEMBER_ID_REQUIRED, "m1", -1, NULL);
    take(h, KW_API_JoinGroup, 9);
    join_answer(h, KW_KAFKA_UNKNOWN_MEMBER_ID, "", -1, NULL);
    take(h, KW_API_JoinGroup, 9);
    assert_true(str_is(h->r.join.member_id, ""));
    /* ILLEGAL_GENERATION: again at once */
    join_answer(h, KW_KAFKA_ILLEGAL_GENERATION, "", -1, NULL);
    take(h, KW_API_JoinGroup, 9);
    /* COORDINATOR_LOAD_IN_PROGRESS and REBALANCE_IN_PROGRESS: after retry.backoff.ms */
    static const int16_t later[] = {KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS, KW_KAFKA_REBALANCE_IN_PROGRESS};
    for (int i = 0; i < 2; i++) {
        join_answer(h, later[i], "", -1, NULL);
        none(h);
        advance(h, 100 * MS);
        take(h, KW_API_JoinGroup, 9);
    }
    /* NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, a disconnect: the coordinator again */
    static const int16_t moved[] = {KW_KAFKA_NOT_COORDINATOR, KW_KAFKA_COORDINATOR_NOT_AVAILABLE};
    for (int i = 0; i < 2; i++) {
        join_answer(h, moved[i], "", -1, NULL);
        none(h); /* retry.backoff.ms, doubling while the coordinator keeps moving */
        advance(h, (100 << i) * MS);
        coordinator(h);
        take(h, KW_API_JoinGroup, 9);
    }
    answer_err(h, KW_ERR_DISCONNECTED);
    assert_string_equal(kw_group_state(h->g), "coordinator");
    advance(h, 400 * MS);
    coordinator(h);
    take(h, KW_API_JoinGroup, 9);
    /* an answer to a forgotten request is ignored */
    uint32_t old = h->req.id;
    kw_group_response(h->g, h->now, old + 1000, 0, 9, (const uint8_t *)"", 0);
    join_answer(h, 0, "m1", 3, "other");
    take(h, KW_API_SyncGroup, 5);
    h_free(h);
}

static void test_classic_sync_errors(void **st)
{
    (void)st;
    /* rejoin at once */
    static const struct { int16_t err; int lost; const char *member; } again[] = {
        {KW_KAFKA_REBALANCE_IN_PROGRESS, 0, "m1"},
        {KW_KAFKA_UNKNOWN_MEMBER_ID, 1, ""},
        {KW_KAFKA_ILLEGAL_GENERATION, 1, "m1"},
    };
    for (size_t i = 0; i < 3; i++) {
        h_t *h = classic_member(NULL, 1);
        advance(h, 3000 * MS);
        take(h, KW_API_Heartbeat, 4);
        hb_answer(h, KW_KAFKA_REBALANCE_IN_PROGRESS);
        take(h, KW_API_JoinGroup, 9); /* cooperative: nothing revoked before joining */
        no_event(h);
        join_answer(h, 0, "m1", 6, "other");
        take(h, KW_API_SyncGroup, 5);
        sync_answer(h, again[i].err, NULL, NULL, 0);
        if (again[i].lost) expect_event(h, KW_GROUP_EV_LOST, "orders0 orders1");
        no_event(h);
        take(h, KW_API_JoinGroup, 9);
        assert_true(str_is(h->r.join.member_id, again[i].member));
        h_free(h);
    }
    /* the coordinator lost mid-rebalance: looked up, joined again */
    static const int16_t moved[] = {KW_KAFKA_NOT_COORDINATOR, KW_KAFKA_COORDINATOR_NOT_AVAILABLE};
    for (int i = 0; i < 2; i++) {
        h_t *h = h_new(KW_GROUP_CLASSIC, NULL, 0);
        const char *t[1] = {"orders"};
        kw_group_subscribe(h->g, t, 1);
        coordinator(h);
        take(h, KW_API_JoinGroup, 9);
        join_answer(h, 0, "m1", 1, "other");
        take(h, KW_API_SyncGroup, 5);
        sync_answer(h, moved[i], NULL, NULL, 0);
        advance(h, 100 * MS);
        coordinator(h);
        take(h, KW_API_JoinGroup, 9);
        h_free(h);
    }
    /* fatal */
    static const int16_t fatal[] = {KW_KAFKA_FENCED_INSTANCE_ID, KW_KAFKA_GROUP_AUTHORIZATION_FAILED,
                                    KW_KAFKA_INCONSISTENT_GROUP_PROTOCOL};
    for (int i = 0; i < 3; i++) {
        h_t *h = h_new(KW_GROUP_CLASSIC, NULL, 0);
        const char *t[1] = {"orders"};
        kw_group_subscribe(h->g, t, 1);
        coordinator(h);
        take(h, KW_API_JoinGroup, 9);
        join_answer(h, 0, "m1", 1, "other");
        take(h, KW_API_SyncGroup, 5);
        sync_answer(h, fatal[i], NULL, NULL, 0);
        assert_int_equal(kw_group_error(h->g), fatal[i]);
        assert_non_null(strstr(kw_group_error_text(h->g), "SyncGroup"));
        h_free(h);
    }
}

static void test_classic_heartbeat_errors(void **st)
{
    (void)st;
    /* eager: REBALANCE_IN_PROGRESS revokes everything before JoinGroup */
    h_t *h = classic_member(NULL, 0);
    advance(h, 3000 * MS);
    take(h, KW_API_Heartbeat, 4);
    hb_answer(h, KW_KAFKA_REBALANCE_IN_PROGRESS);
    /* the join waits for the revocation to be done */
    kw_group_event ev;
    assert_int_equal(kw_group_next_event(h->g, &ev), 1);
    assert_int_equal(ev.kind, KW_GROUP_EV_REVOKED);
    none(h);
    kw_group_event_done(h->g, h->now);
    take(h, KW_API_JoinGroup, 9);
    kw_consumerprotocol_subscription s;
    assert_int_equal(kw_cp_subscription_decode(h->r.join.protocols[0].metadata.p,
                                               (size_t)h->r.join.protocols[0].metadata.len, &s, NULL, &h->arena, NULL),
                     0);
    assert_int_equal(s.n_owned_partitions, 0);
    h_free(h);
    /* cooperative: no revocation; the subscription carries what it owns, and its
     * generation */
    h = classic_member(NULL, 1);
    advance(h, 3000 * MS);
    take(h, KW_API_Heartbeat, 4);
    hb_answer(h, KW_KAFKA_REBALANCE_IN_PROGRESS);
    no_event(h);
    take(h, KW_API_JoinGroup, 9);
    assert_int_equal(kw_cp_subscription_decode(h->r.join.protocols[0].metadata.p,
                                               (size_t)h->r.join.protocols[0].metadata.len, &s, NULL, &h->arena, NULL),
                     0);
    assert_int_equal(s.n_owned_partitions, 1);
    assert_int_equal(s.owned_partitions[0].n_partitions, 2);
    assert_int_equal(s.generation_id, 5);
    assert_true(str_is(h->r.join.protocols[0].name, "cooperative-sticky"));
    /* the new assignment takes orders1 away: only it is revoked, then a second join */
    join_answer(h, 0, "m1", 6, "other");
    take(h, KW_API_SyncGroup, 5);
    int32_t p0[1] = {0};
    sync_answer(h, 0, "orders", p0, 1);
    kw_group_event e1;
    assert_int_equal(kw_group_next_event(h->g, &e1), 1);
    assert_int_equal(e1.kind, KW_GROUP_EV_REVOKED);
    assert_int_equal(e1.n, 1);
    assert_int_equal(e1.parts[0].partition, 1);
    none(h); /* not before the revocation is done */
    kw_group_event_done(h->g, h->now);
    expect_event(h, KW_GROUP_EV_ASSIGNED, "");
    take(h, KW_API_JoinGroup, 9);
    assert_true(has(h->r.join.reason, "revoked"));
    h_free(h);
    /* UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION: lost, joined again */
    static const struct { int16_t err; const char *member; } gone[] = {{KW_KAFKA_UNKNOWN_MEMBER_ID, ""},
                                                                         {KW_KAFKA_ILLEGAL_GENERATION, "m1"}};
    for (int i = 0; i < 2; i++) {
        h = classic_member(NULL, 0);
        advance(h, 3000 * MS);
        take(h, KW_API_Heartbeat, 4);
        hb_answer(h, gone[i].err);
        expect_event(h, KW_GROUP_EV_LOST, "orders0 orders1");
        take(h, KW_API_JoinGroup, 9);
        assert_true(str_is(h->r.join.member_id, gone[i].member));
        assert_true(has(h->r.join.reason, kw_err_name(gone[i].err)));
        h_free(h);
    }
    /* fatal */
    static const int16_t fatal[] = {KW_KAFKA_FENCED_INSTANCE_ID, KW_KAFKA_GROUP_AUTHORIZATION_FAILED};
    for (int i = 0; i < 2; i++) {
        h = classic_member("static-1", 0);
        advance(h, 3000 * MS);
        take(h, KW_API_Heartbeat, 4);
        assert_true(str_is(h->r.hb.group_instance_id, "static-1"));
        hb_answer(h, fatal[i]);
        assert_int_equal(kw_group_error(h->g), fatal[i]);
        expect_event(h, KW_GROUP_EV_LOST, "orders0 orders1");
        h_free(h);
    }
    /* COORDINATOR_LOAD_IN_PROGRESS: the next heartbeat after the backoff */
    h = classic_member(NULL, 0);
    advance(h, 3000 * MS);
    take(h, KW_API_Heartbeat, 4);
    hb_answer(h, KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS);
    none(h);
    advance(h, 100 * MS);
    take(h, KW_API_Heartbeat, 4);
    /* NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE / a disconnect: look it up again, the
     * member stays (its partitions too) */
    hb_answer(h, KW_KAFKA_NOT_COORDINATOR);
    advance(h, 100 * MS);
    coordinator(h);
    advance(h, 3000 * MS);
    take(h, KW_API_Heartbeat, 4);
    hb_answer(h, KW_KAFKA_COORDINATOR_NOT_AVAILABLE);
    advance(h, 200 * MS);
    coordinator(h);
    advance(h, 3000 * MS);
    take(h, KW_API_Heartbeat, 4);
    answer_err(h, KW_ERR_TIMEOUT);
    advance(h, 400 * MS);
    coordinator(h);
    advance(h, 3000 * MS);
    take(h, KW_API_Heartbeat, 4);
    hb_answer(h, 0);
    no_event(h);
    h_free(h);
}

static void test_classic_liveness_and_leaving(void **st)
{
    (void)st;
    /* session.timeout.ms without an answered heartbeat: the coordinator looked up again */
    h_t *h = classic_member(NULL, 0);
    advance(h, 3000 * MS);
    take(h, KW_API_Heartbeat, 4); /* never answered */
    advance(h, 7000 * MS);
    kw_group_polled(h->g, h->now);
    none(h);
    assert_string_equal(kw_group_state(h->g), "stable");
    advance(h, 1 * MS);
    assert_string_equal(kw_group_state(h->g), "coordinator");
    advance(h, 100 * MS);
    coordinator(h);
    h_free(h);
    /* max.poll.interval.ms without a poll: LeaveGroup; the next poll loses the
     * partitions and joins afresh */
    h = classic_member(NULL, 0);
    for (int i = 0; i < 20; i++) {
        advance(h, 3000 * MS);
        take(h, KW_API_Heartbeat, 4);
        hb_answer(h, 0);
    }
    advance(h, 1 * MS);
    take(h, KW_API_LeaveGroup, 5);
    assert_int_equal(h->r.leave.n_members, 1);
    assert_true(str_is(h->r.leave.members[0].member_id, "m1"));
    assert_true(has(h->r.leave.members[0].reason, "max.poll.interval.ms"));
    kw_leavegroup_resp lr;
    kw_msg_defaults(KW_API_LeaveGroup, KW_RESP, &lr);
    answer(h, &lr);
    none(h);
    kw_group_polled(h->g, h->now);
    expect_event(h, KW_GROUP_EV_LOST, "orders0 orders1");
    take(h, KW_API_JoinGroup, 9);
    assert_true(str_is(h->r.join.member_id, ""));
    h_free(h);
    /* closing: partitions revoked, then LeaveGroup (UNKNOWN_MEMBER_ID: out all the same) */
    h = classic_member(NULL, 0);
    kw_group_leave(h->g, h->now);
    expect_event(h, KW_GROUP_EV_REVOKED, "orders0 orders1");
    take(h, KW_API_LeaveGroup, 2);
    assert_true(str_is(h->r.leave.member_id, "m1"));
    assert_false(kw_group_left(h->g));
    lr.error_code = KW_KAFKA_UNKNOWN_MEMBER_ID;
    answer(h, &lr);
    assert_true(kw_group_left(h->g));
    none(h);
    h_free(h);
    /* a static member closing keeps its place: no LeaveGroup */
    h = classic_member("static-1", 0);
    kw_group_leave(h->g, h->now);
    expect_event(h, KW_GROUP_EV_REVOKED, "orders0 orders1");
    assert_true(kw_group_left(h->g));
    none(h);
    h_free(h);
    /* an offset commit refused for ILLEGAL_GENERATION: lost, joined again */
    h = classic_member(NULL, 0);
    kw_group_commit_failed(h->g, h->now, KW_KAFKA_ILLEGAL_GENERATION);
    expect_event(h, KW_GROUP_EV_LOST, "orders0 orders1");
    take(h, KW_API_JoinGroup, 9);
    h_free(h);
    /* FindCoordinator refused for authorization: fatal */
    h = h_new(KW_GROUP_CLASSIC, NULL, 0);
    const char *t[1] = {"orders"};
    kw_group_subscribe(h->g, t, 1);
    take(h, KW_API_FindCoordinator, 2);
    kw_findcoordinator_resp fr;
    kw_msg_defaults(KW_API_FindCoordinator, KW_RESP, &fr);
    fr.error_code = KW_KAFKA_GROUP_AUTHORIZATION_FAILED;
    fr.host = kw_s("");
    answer(h, &fr);
    assert_int_equal(kw_group_error(h->g), KW_KAFKA_GROUP_AUTHORIZATION_FAILED);
    h_free(h);
    /* a protocol the member does not know chosen by the coordinator */
    h = h_new(KW_GROUP_CLASSIC, NULL, 0);
    kw_group_subscribe(h->g, t, 1);
    coordinator(h);
    take(h, KW_API_JoinGroup, 9);
    join_answer_proto(h, "range");
    take(h, KW_API_SyncGroup, 5);
    assert_string_equal(kw_group_assignor(h->g), "range");
    h_free(h);
}

/* ---- consumer protocol ---- */

static void cgh_answer(h_t *h, int16_t err, int32_t epoch, int32_t interval, const int32_t *orders, int norders,
                       int with_assignment)
{
    kw_consumergroupheartbeat_resp r;
    kw_msg_defaults(KW_API_ConsumerGroupHeartbeat, KW_RESP, &r);
    r.error_code = err;
    r.member_id = err ? KW_STR_NULL : h->r.cgh.member_id.len > 0 ? h->r.cgh.member_id : kw_s("srv-id");
    r.member_epoch = epoch;
    r.heartbeat_interval_ms = interval;
    kw_consumergroupheartbeat_assignment as;
    kw_consumergroupheartbeat_resp_topic_partitions tp = {h->topics[0].id, (int32_t *)orders, norders};
    if (with_assignment) {
        as.topic_partitions = norders ? &tp : NULL;
        as.n_topic_partitions = norders ? 1 : 0;
        r.assignment = &as;
    }
    answer(h, &r);
}

static h_t *cg_member(const char *instance)
{
    h_t *h = h_new(KW_GROUP_CONSUMER, instance, 0);
    const char *t[1] = {"orders"};
    assert_int_equal(kw_group_subscribe(h->g, t, 1), 0);
    coordinator(h);
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    assert_int_equal(h->r.cgh.member_epoch, 0);
    assert_int_equal(h->r.cgh.member_id.len, 22); /* made by the member (KIP-1082) */
    assert_int_equal(h->r.cgh.rebalance_timeout_ms, 60000);
    assert_int_equal(h->r.cgh.n_subscribed_topic_names, 1);
    assert_int_equal(h->r.cgh.n_topic_partitions, 0);
    int32_t p[2] = {0, 2};
    cgh_answer(h, 0, 1, 1000, p, 2, 1);
    expect_event(h, KW_GROUP_EV_ASSIGNED, "orders0 orders2");
    /* acknowledged at once with the owned partitions */
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    assert_int_equal(h->r.cgh.member_epoch, 1);
    assert_int_equal(h->r.cgh.n_topic_partitions, 1);
    assert_int_equal(h->r.cgh.topic_partitions[0].n_partitions, 2);
    assert_memory_equal(&h->r.cgh.topic_partitions[0].topic_id, &h->topics[0].id, 16);
    assert_int_equal(h->r.cgh.n_subscribed_topic_names, -1); /* unchanged: null */
    assert_int_equal(h->r.cgh.rebalance_timeout_ms, -1);
    cgh_answer(h, 0, 1, 1000, NULL, 0, 0);
    assert_true(kw_group_stable(h->g));
    return h;
}

static void test_consumer_join_and_reconcile(void **st)
{
    (void)st;
    h_t *h = cg_member(NULL);
    /* the broker's interval (1 s) replaces heartbeat.interval.ms */
    none(h);
    advance(h, 1000 * MS);
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    assert_int_equal(h->r.cgh.n_topic_partitions, -1);
    /* a smaller assignment: orders2 revoked first; no acknowledgement before that */
    int32_t p0[1] = {0};
    cgh_answer(h, 0, 2, 1000, p0, 1, 1);
    kw_group_event ev;
    assert_int_equal(kw_group_next_event(h->g, &ev), 1);
    assert_int_equal(ev.kind, KW_GROUP_EV_REVOKED);
    assert_int_equal(ev.parts[0].partition, 2);
    none(h);
    kw_group_event_done(h->g, h->now);
    expect_event(h, KW_GROUP_EV_ASSIGNED, "");
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    assert_int_equal(h->r.cgh.member_epoch, 2);
    assert_int_equal(h->r.cgh.topic_partitions[0].n_partitions, 1);
    cgh_answer(h, 0, 2, 1000, NULL, 0, 0);
    /* a topic id the metadata does not know yet: named after a refresh */
    h->topics[1].known = 0;
    advance(h, 1000 * MS);
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    {
        kw_consumergroupheartbeat_resp r;
        kw_msg_defaults(KW_API_ConsumerGroupHeartbeat, KW_RESP, &r);
        r.member_id = h->r.cgh.member_id;
        r.member_epoch = 3;
        r.heartbeat_interval_ms = 1000;
        int32_t a0[1] = {0}, b1[1] = {1};
        kw_consumergroupheartbeat_resp_topic_partitions tps[2] = {{h->topics[0].id, a0, 1}, {h->topics[1].id, b1, 1}};
        kw_consumergroupheartbeat_assignment as = {tps, 2};
        r.assignment = &as;
        answer(h, &r);
    }
    no_event(h);
    assert_true(kw_group_wants_metadata(h->g));
    h->topics[1].known = 1;
    kw_group_metadata_updated(h->g, h->now);
    expect_event(h, KW_GROUP_EV_ASSIGNED, "refunds1");
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    assert_int_equal(h->r.cgh.n_topic_partitions, 2);
    cgh_answer(h, 0, 3, 1000, NULL, 0, 0);
    /* a partition listed twice is one partition */
    advance(h, 1000 * MS);
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    {
        kw_consumergroupheartbeat_resp r;
        kw_msg_defaults(KW_API_ConsumerGroupHeartbeat, KW_RESP, &r);
        r.member_id = h->r.cgh.member_id;
        r.member_epoch = 3;
        r.heartbeat_interval_ms = 1000;
        int32_t a0[2] = {0, 0}, b1[1] = {1};
        kw_consumergroupheartbeat_resp_topic_partitions tps[3] = {
            {h->topics[0].id, a0, 2}, {h->topics[1].id, b1, 1}, {h->topics[1].id, b1, 1}};
        kw_consumergroupheartbeat_assignment as = {tps, 3};
        r.assignment = &as;
        answer(h, &r);
    }
    expect_event(h, KW_GROUP_EV_ASSIGNED, "");
    const kw_tp *own;
    assert_int_equal(kw_group_owned(h->g, &own), 2);
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    cgh_answer(h, 0, 3, 1000, NULL, 0, 0);
    /* commits carry the member epoch */
    int32_t gen;
    const char *mid;
    kw_group_commit_identity(h->g, &gen, &mid, NULL);
    assert_int_equal(gen, 3);
    assert_int_equal(strlen(mid), 22);
    /* leaving: everything revoked, epoch -1 */
    kw_group_leave(h->g, h->now);
    expect_event(h, KW_GROUP_EV_REVOKED, "orders0 refunds1");
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    assert_int_equal(h->r.cgh.member_epoch, -1);
    cgh_answer(h, 0, -1, 0, NULL, 0, 0);
    assert_true(kw_group_left(h->g));
    h_free(h);
    /* a static member leaves with epoch -2 (its place kept) */
    h = cg_member("static-1");
    kw_group_leave(h->g, h->now);
    expect_event(h, KW_GROUP_EV_REVOKED, "orders0 orders2");
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    assert_int_equal(h->r.cgh.member_epoch, -2);
    assert_true(str_is(h->r.cgh.instance_id, "static-1"));
    h_free(h);
    /* v0: the broker names the member */
    h = h_new(KW_GROUP_CONSUMER, NULL, 0);
    const char *t[1] = {"orders"};
    kw_group_subscribe(h->g, t, 1);
    coordinator(h);
    take(h, KW_API_ConsumerGroupHeartbeat, 0);
    assert_int_equal(h->r.cgh.member_id.len, 0);
    cgh_answer(h, 0, 1, 1000, NULL, 0, 1);
    assert_string_equal(kw_group_member_id(h->g), "srv-id");
    h_free(h);
}

static void test_consumer_errors(void **st)
{
    (void)st;
    /* fenced: LOST, rejoin at epoch 0 with the same member id */
    static const int16_t fenced[] = {KW_KAFKA_FENCED_MEMBER_EPOCH, KW_KAFKA_UNKNOWN_MEMBER_ID};
    for (int i = 0; i < 2; i++) {
        h_t *h = cg_member(NULL);
        char mid[64];
        snprintf(mid, sizeof mid, "%s", kw_group_member_id(h->g));
        advance(h, 1000 * MS);
        take(h, KW_API_ConsumerGroupHeartbeat, 1);
        cgh_answer(h, fenced[i], 0, 0, NULL, 0, 0);
        expect_event(h, KW_GROUP_EV_LOST, "orders0 orders2");
        take(h, KW_API_ConsumerGroupHeartbeat, 1);
        assert_int_equal(h->r.cgh.member_epoch, 0);
        assert_true(str_is(h->r.cgh.member_id, mid));
        assert_int_equal(h->r.cgh.n_subscribed_topic_names, 1);
        assert_int_equal(h->r.cgh.n_topic_partitions, 0);
        int32_t gen;
        kw_group_commit_identity(h->g, &gen, NULL, NULL);
        assert_int_equal(gen, 0);
        h_free(h);
    }
    /* COORDINATOR_LOAD_IN_PROGRESS: again after the backoff; NOT_COORDINATOR,
     * COORDINATOR_NOT_AVAILABLE: the coordinator looked up again */
    h_t *h = cg_member(NULL);
    advance(h, 1000 * MS);
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    cgh_answer(h, KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS, 0, 0, NULL, 0, 0);
    none(h);
    advance(h, 100 * MS);
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    cgh_answer(h, KW_KAFKA_NOT_COORDINATOR, 0, 0, NULL, 0, 0);
    advance(h, 100 * MS);
    coordinator(h);
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    /* after a failure the next heartbeat carries everything again */
    assert_int_equal(h->r.cgh.n_subscribed_topic_names, 1);
    assert_int_equal(h->r.cgh.n_topic_partitions, 1);
    cgh_answer(h, KW_KAFKA_COORDINATOR_NOT_AVAILABLE, 0, 0, NULL, 0, 0);
    advance(h, 200 * MS);
    coordinator(h);
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    cgh_answer(h, 0, 1, 1000, NULL, 0, 0);
    no_event(h);
    h_free(h);
    /* fatal */
    static const int16_t fatal[] = {KW_KAFKA_UNRELEASED_INSTANCE_ID, KW_KAFKA_FENCED_INSTANCE_ID,
                                    KW_KAFKA_GROUP_AUTHORIZATION_FAILED, KW_KAFKA_TOPIC_AUTHORIZATION_FAILED,
                                    KW_KAFKA_GROUP_MAX_SIZE_REACHED, KW_KAFKA_UNSUPPORTED_ASSIGNOR,
                                    KW_KAFKA_INVALID_REQUEST, KW_KAFKA_UNSUPPORTED_VERSION,
                                    KW_KAFKA_GROUP_ID_NOT_FOUND, KW_KAFKA_INVALID_REGULAR_EXPRESSION};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        h = h_new(KW_GROUP_CONSUMER, "static-1", 0);
        const char *t[1] = {"orders"};
        kw_group_subscribe(h->g, t, 1);
        coordinator(h);
        take(h, KW_API_ConsumerGroupHeartbeat, 1);
        cgh_answer(h, fatal[i], 0, 0, NULL, 0, 0);
        assert_int_equal(kw_group_error(h->g), fatal[i]);
        assert_non_null(strstr(kw_group_error_text(h->g), "g1"));
        none(h);
        h_free(h);
    }
    /* a broker without the API at all */
    h = h_new(KW_GROUP_CONSUMER, NULL, 0);
    const char *t[1] = {"orders"};
    kw_group_subscribe(h->g, t, 1);
    coordinator(h);
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    answer_err(h, KW_ERR_VERSION);
    assert_int_equal(kw_group_error(h->g), KW_ERR_VERSION);
    assert_non_null(strstr(kw_group_error_text(h->g), "group.protocol=consumer"));
    h_free(h);
    /* max.poll.interval.ms: leave with epoch -1; the next poll loses and rejoins */
    h = cg_member(NULL);
    for (int i = 0; i < 60; i++) {
        advance(h, 1000 * MS);
        take(h, KW_API_ConsumerGroupHeartbeat, 1);
        cgh_answer(h, 0, 1, 1000, NULL, 0, 0);
    }
    advance(h, 1 * MS);
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    assert_int_equal(h->r.cgh.member_epoch, -1);
    cgh_answer(h, 0, -1, 0, NULL, 0, 0);
    none(h);
    kw_group_polled(h->g, h->now);
    expect_event(h, KW_GROUP_EV_LOST, "orders0 orders2");
    take(h, KW_API_ConsumerGroupHeartbeat, 1);
    assert_int_equal(h->r.cgh.member_epoch, 0);
    h_free(h);
}

/* A member's commit carries its identity: what the coordinator checks before it lets the
 * commit overwrite (client/admin/offsets.c encodes it). */
static void test_commit_carries_identity(void **st)
{
    (void)st;
    h_t *h = classic_member("static-1", 0);
    int32_t gen;
    const char *mid, *iid;
    kw_group_commit_identity(h->g, &gen, &mid, &iid);
    kw_commit_id id = {gen, mid, iid};
    kw_tpo_list l;
    kw_tpo_init(&l);
    assert_int_equal(kw_tpo_add(&l, "orders", 1, 42), 0);
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_offsets_commit_encode("g1", &id, &l, 9, &b), 0);
    kw_offsetcommit_req r;
    kw_arena_reset(&h->arena);
    assert_int_equal(kw_msg_decode(KW_API_OffsetCommit, 9, KW_REQ, b.data, b.len, &r, &h->arena, NULL), 0);
    assert_int_equal(r.generation_id_or_member_epoch, 5);
    assert_true(str_is(r.member_id, "m1"));
    assert_true(str_is(r.group_instance_id, "static-1"));
    assert_int_equal(r.topics[0].partitions[0].committed_offset, 42);
    /* out of the group (lost): -1 and no member, which an active group refuses */
    kw_group_commit_failed(h->g, h->now, KW_KAFKA_UNKNOWN_MEMBER_ID);
    expect_event(h, KW_GROUP_EV_LOST, "orders0 orders1");
    kw_group_commit_identity(h->g, &gen, &mid, &iid);
    assert_int_equal(gen, -1);
    kw_buf_free(&b);
    kw_tpo_free(&l);
    h_free(h);
}

static void test_opts_from_config(void **st)
{
    (void)st;
    kw_config *c = kw_config_new(KW_ROLE_CONSUMER);
    assert_non_null(c);
    kw_group_opts o;
    char err[200];
    assert_int_equal(kw_group_opts_from_config(&o, c, err, sizeof err), KW_ERR_CONFIG);
    assert_non_null(strstr(err, "group.id"));
    assert_int_equal(kw_config_set(c, "group.id", "g"), 0);
    assert_int_equal(kw_config_set(c, "partition.assignment.strategy",
                                   "org.apache.kafka.clients.consumer.RoundRobinAssignor, cooperative-sticky"),
                     0);
    assert_int_equal(kw_config_set(c, "group.protocol", "consumer"), 0);
    assert_int_equal(kw_config_set(c, "group.remote.assignor", "uniform"), 0);
    assert_int_equal(kw_config_validate(c), 0);
    assert_int_equal(kw_group_opts_from_config(&o, c, err, sizeof err), 0);
    assert_int_equal(o.protocol, KW_GROUP_CONSUMER);
    assert_int_equal(o.nassignors, 2);
    assert_int_equal(o.assignors[0], KW_ASG_ROUNDROBIN);
    assert_string_equal(o.remote_assignor, "uniform");
    assert_int_equal(o.max_poll_interval_ms, 300000);
    assert_int_equal(kw_config_set(c, "partition.assignment.strategy", "sticky"), 0);
    assert_int_not_equal(kw_config_validate(c), 0);
    assert_non_null(strstr(kw_config_error(c), "sticky"));
    kw_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classic_join_as_leader),
        cmocka_unit_test(test_classic_leader_waits_for_metadata),
        cmocka_unit_test(test_classic_join_errors),
        cmocka_unit_test(test_classic_sync_errors),
        cmocka_unit_test(test_classic_heartbeat_errors),
        cmocka_unit_test(test_classic_liveness_and_leaving),
        cmocka_unit_test(test_consumer_join_and_reconcile),
        cmocka_unit_test(test_consumer_errors),
        cmocka_unit_test(test_commit_carries_identity),
        cmocka_unit_test(test_opts_from_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
