/*
 * tests/test_groups.c — kw_groups_list and kw_group_describe (client/admin/offsets.c) against
 * a scripted two-broker cluster: two forked children (nodes 1 and 2, stopped by PID)
 * answering ApiVersions, Metadata (both brokers, plus optionally a node 3 whose port
 * is closed), FindCoordinator (node 2 coordinates every group), ListGroups (each node
 * its own script: groups or a whole-response error) and DescribeGroups (node 2 only:
 * a stable group with two members, GROUP_ID_NOT_FOUND for "ghost", one
 * COORDINATOR_LOAD_IN_PROGRESS then the answer for "warming"). Every frame is built
 * by kwire's own kw_response_encode; requests are decoded in the child, which exits
 * (dropping the connection) on anything unexpected.
 *
 * Checked: ListGroups sent to every broker at the negotiated version, groups merged
 * (a group listed by both brokers once, by the first), sorted, with exact ids,
 * protocol types ("" for a simple group), states (none before v4) and the listing
 * node; one broker's COORDINATOR_LOAD_IN_PROGRESS or an unreachable broker returned as
 * the error with the other brokers' groups kept; DescribeGroups at the negotiated
 * version (v6 and v0) at the coordinator with state, protocol type, member, client
 * and host ids; GROUP_ID_NOT_FOUND returned as 69 with a zeroed result; a loading
 * coordinator retried. OffsetFetch (client/admin/offsets.c's kw_offsets_fetch, node 2): a
 * request-level UNKNOWN_TOPIC_OR_PARTITION and a partition's UNSTABLE_OFFSET_COMMIT
 * asked again until the offsets come; a partition-level UNKNOWN_TOPIC_OR_PARTITION
 * returned at once. A broker that died (node 3 on the closed port is the group's
 * coordinator in node 1's first g_moved FindCoordinator answers, and the leader of
 * "orders" partition 0 in its first g_moved Metadata answers; node 2 takes both over
 * after): OffsetFetch and ListOffsets fail at the first failed connect and go to node 2
 * (they used to wait out request.timeout.ms in the dead broker's queue), however many
 * answers the cluster takes to move (a killed broker's session timeout) within
 * default.api.timeout.ms, and give up once that has passed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/conn/metadata.h"
#include "client/conn/net.h"
#include "client/admin/offsets.h"
#include "proto/frame.h"
#include "proto/msg_apiversions.h"
#include "proto/msg_describegroups.h"
#include "proto/msg_findcoordinator.h"
#include "proto/msg_listgroups.h"
#include "proto/msg_listoffsets.h"
#include "proto/msg_metadata.h"
#include "proto/msg_offsetfetch.h"
#include "proto/proto.h"
#include "tests/scripted_broker.h"

/* ---- the script (set before the children are forked) ---- */
typedef struct lg_script {
    int16_t error;
    kw_listgroups_group groups[4];
    int32_t n;
} lg_script;

static lg_script g_lg[2];
static int16_t g_lg_max = 5, g_dg_max = 6, g_fc_max = 3;
static int g_with_dead; /* Metadata lists node 3 on a closed port, between nodes 1 and 2 */
static int g_moved;     /* node 3 (dead) coordinates and leads in node 1's first g_moved answers, node 2 after */
static int g_fc_seen, g_md_seen; /* in a child: FindCoordinator / Metadata answers given */
static int g_port[2], g_dead_port;
static pid_t g_pid[2];
static int g_node; /* in a child: 0 for node 1, 1 for node 2 */
static int g_warming_seen; /* in node 2's child */
static int g_flaky_seen;   /* in node 2's child: OffsetFetch answers given for "flaky" */

/* ---- the children ---- */

static void serve_describe(const kw_req_header *h, const uint8_t *body, size_t bl, kw_buf *out)
{
    if (g_node != 1) _exit(9); /* only the coordinator is asked */
    kw_arena a;
    kw_arena_init(&a);
    kw_describegroups_req q;
    if (kw_msg_decode(KW_API_DescribeGroups, h->api_version, KW_REQ, body, bl, &q, &a, NULL)) _exit(10);
    if (q.n_groups != 1 || q.groups[0].len <= 0) _exit(11);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)q.groups[0].len, q.groups[0].p);
    kw_describegroups_member mem[2];
    memset(mem, 0, sizeof mem);
    mem[0].member_id = kw_s("m-1-aaaa");
    mem[0].group_instance_id = kw_s("inst-1");
    mem[0].client_id = kw_s("client-one");
    mem[0].client_host = kw_s("/10.0.0.1");
    mem[0].member_metadata = kw_b((const uint8_t *)"md", 2);
    mem[0].member_assignment = kw_b((const uint8_t *)"as", 2);
    mem[1].member_id = kw_s("m-2-bbbb");
    mem[1].group_instance_id = KW_STR_NULL;
    mem[1].client_id = kw_s("client-two");
    mem[1].client_host = kw_s("/10.0.0.2");
    mem[1].member_metadata = kw_b((const uint8_t *)"", 0);
    mem[1].member_assignment = kw_b((const uint8_t *)"", 0);
    kw_describegroups_group g;
    memset(&g, 0, sizeof g);
    g.group_id = kw_s(name);
    g.error_message = KW_STR_NULL;
    g.authorized_operations = INT32_MIN;
    if (!strcmp(name, "ghost")) {
        g.error_code = KW_KAFKA_GROUP_ID_NOT_FOUND;
        g.error_message = kw_s("Group ghost not found.");
        g.group_state = kw_s("Dead");
        g.protocol_type = kw_s("");
        g.protocol_data = kw_s("");
    } else if (!strcmp(name, "warming") && !g_warming_seen++) {
        g.error_code = KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS;
        g.group_state = kw_s("");
        g.protocol_type = kw_s("");
        g.protocol_data = kw_s("");
    } else {
        g.group_state = kw_s("Stable");
        g.protocol_type = kw_s("consumer");
        g.protocol_data = kw_s("range");
        g.members = mem;
        g.n_members = 2;
    }
    kw_describegroups_resp r;
    kw_msg_defaults(KW_API_DescribeGroups, KW_RESP, &r);
    r.groups = &g;
    r.n_groups = 1;
    if (kw_response_encode(out, KW_API_DescribeGroups, h->api_version, h->correlation_id, &r)) _exit(12);
    kw_arena_free(&a);
}

/* OffsetFetch (node 2 only), every asked partition answered. Group "flaky": first the
 * whole request fails with UNKNOWN_TOPIC_OR_PARTITION (group level and each partition, as
 * a broker failing the request answers), then partition 1 has UNSTABLE_OFFSET_COMMIT,
 * then offsets 42 and 7. Group "gone": partition-level UNKNOWN_TOPIC_OR_PARTITION only.
 * Any other group: offsets 42 and 7. */
static void serve_offsetfetch(const kw_req_header *h, const uint8_t *body, size_t bl, kw_buf *out)
{
    if (g_node != 1) _exit(16);
    kw_arena a;
    kw_arena_init(&a);
    kw_offsetfetch_req q;
    if (kw_msg_decode(KW_API_OffsetFetch, h->api_version, KW_REQ, body, bl, &q, &a, NULL)) _exit(17);
    if (h->api_version >= 8 || q.n_topics != 1 || q.topics[0].n_partition_indexes > 4) _exit(18);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)q.group_id.len, q.group_id.p);
    int stage = 2, gone = !strcmp(name, "gone");
    if (!strcmp(name, "flaky")) stage = g_flaky_seen++;
    kw_offsetfetch_resp_partition ps[4];
    memset(ps, 0, sizeof ps);
    for (int32_t i = 0; i < q.topics[0].n_partition_indexes; i++) {
        int32_t pi = q.topics[0].partition_indexes[i];
        ps[i].partition_index = pi;
        ps[i].committed_offset = pi == 0 ? 42 : 7;
        ps[i].committed_leader_epoch = -1;
        ps[i].metadata = kw_s("");
        if (stage == 0 || gone || (stage == 1 && pi == 1)) {
            ps[i].committed_offset = -1;
            ps[i].error_code = stage == 1 ? KW_KAFKA_UNSTABLE_OFFSET_COMMIT : KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
        }
    }
    kw_offsetfetch_resp_topic t = {.name = q.topics[0].name, .partitions = ps,
                                   .n_partitions = q.topics[0].n_partition_indexes};
    kw_offsetfetch_resp r;
    kw_msg_defaults(KW_API_OffsetFetch, KW_RESP, &r);
    r.topics = &t;
    r.n_topics = 1;
    r.error_code = stage == 0 ? KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION : 0;
    if (kw_response_encode(out, KW_API_OffsetFetch, h->api_version, h->correlation_id, &r)) _exit(19);
    kw_arena_free(&a);
}

/* ListOffsets (node 2 only, the leader once node 3 died): offset 1000 for every partition. */
static void serve_listoffsets(const kw_req_header *h, const uint8_t *body, size_t bl, kw_buf *out)
{
    if (g_node != 1) _exit(20);
    kw_arena a;
    kw_arena_init(&a);
    kw_listoffsets_req q;
    if (kw_msg_decode(KW_API_ListOffsets, h->api_version, KW_REQ, body, bl, &q, &a, NULL)) _exit(21);
    if (q.n_topics != 1 || q.topics[0].n_partitions != 1) _exit(22);
    kw_listoffsets_resp_partition rp = {.partition_index = q.topics[0].partitions[0].partition_index,
                                        .timestamp = -1, .offset = 1000, .leader_epoch = -1};
    kw_listoffsets_resp_topic t = {.name = q.topics[0].name, .partitions = &rp, .n_partitions = 1};
    kw_listoffsets_resp r;
    kw_msg_defaults(KW_API_ListOffsets, KW_RESP, &r);
    r.topics = &t;
    r.n_topics = 1;
    if (kw_response_encode(out, KW_API_ListOffsets, h->api_version, h->correlation_id, &r)) _exit(23);
    kw_arena_free(&a);
}

static int serve_frame(int node, int fd, const uint8_t *p, size_t len)
{
    (void)node;
    kw_req_header h;
    size_t hl;
    if (kw_req_header_decode(p, len, &h, &hl)) _exit(2);
    kw_buf out;
    kw_buf_init(&out);
    if (h.api_key == KW_API_ApiVersions) {
        kw_apiversions_key keys[] = {{KW_API_ApiVersions, 0, 2},
                                     {KW_API_Metadata, 0, 2},
                                     {KW_API_FindCoordinator, 0, g_fc_max},
                                     {KW_API_DescribeGroups, 0, g_dg_max},
                                     {KW_API_ListGroups, 0, g_lg_max},
                                     {KW_API_OffsetFetch, 0, 5},
                                     {KW_API_ListOffsets, 1, 5}};
        kw_apiversions_resp r;
        kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
        r.api_keys = keys;
        r.n_api_keys = 7;
        kw_response_encode(&out, KW_API_ApiVersions, h.api_version, h.correlation_id, &r);
    } else if (h.api_key == KW_API_Metadata) {
        kw_metadata_broker b[3] = {
            {.node_id = 1, .host = kw_s("127.0.0.1"), .port = g_port[0], .rack = KW_STR_NULL},
            {.node_id = 3, .host = kw_s("127.0.0.1"), .port = g_dead_port, .rack = KW_STR_NULL},
            {.node_id = 2, .host = kw_s("127.0.0.1"), .port = g_port[1], .rack = KW_STR_NULL},
        };
        if (!g_with_dead && !g_moved) b[1] = b[2];
        int32_t reps[3] = {3, 2, 1};
        kw_metadata_partition mp = {.partition_index = 0, .leader_id = g_node == 0 && g_md_seen++ < g_moved ? 3 : 2,
                                    .leader_epoch = -1, .replica_nodes = reps, .n_replica_nodes = 3,
                                    .isr_nodes = reps, .n_isr_nodes = 3};
        kw_metadata_topic mt = {.name = kw_s("orders"), .partitions = &mp, .n_partitions = 1};
        kw_metadata_resp r;
        kw_msg_defaults(KW_API_Metadata, KW_RESP, &r);
        r.brokers = b;
        r.n_brokers = g_with_dead || g_moved ? 3 : 2;
        r.cluster_id = KW_STR_NULL;
        r.controller_id = 1;
        r.n_topics = 0;
        if (g_moved) {
            r.topics = &mt;
            r.n_topics = 1;
        }
        kw_response_encode(&out, KW_API_Metadata, h.api_version, h.correlation_id, &r);
    } else if (h.api_key == KW_API_FindCoordinator) {
        kw_arena a;
        kw_arena_init(&a);
        kw_findcoordinator_req q;
        if (kw_msg_decode(KW_API_FindCoordinator, h.api_version, KW_REQ, p + hl, len - hl, &q, &a, NULL)) _exit(13);
        int dead = g_node == 0 && g_fc_seen++ < g_moved;
        kw_findcoordinator_coord c = {.key = h.api_version >= 4 && q.n_coordinator_keys ? q.coordinator_keys[0] : q.key,
                                      .node_id = dead ? 3 : 2, .host = kw_s("127.0.0.1"),
                                      .port = dead ? g_dead_port : g_port[1], .error_message = KW_STR_NULL};
        kw_findcoordinator_resp r;
        kw_msg_defaults(KW_API_FindCoordinator, KW_RESP, &r);
        r.error_message = KW_STR_NULL;
        r.node_id = c.node_id;
        r.host = kw_s("127.0.0.1");
        r.port = c.port;
        r.coordinators = &c;
        r.n_coordinators = 1;
        kw_response_encode(&out, KW_API_FindCoordinator, h.api_version, h.correlation_id, &r);
        kw_arena_free(&a);
    } else if (h.api_key == KW_API_ListGroups) {
        kw_arena a;
        kw_arena_init(&a);
        kw_listgroups_req q;
        if (kw_msg_decode(KW_API_ListGroups, h.api_version, KW_REQ, p + hl, len - hl, &q, &a, NULL)) _exit(14);
        /* no filter asked for: every group */
        if (q.n_states_filter > 0 || q.n_types_filter > 0) _exit(15);
        kw_listgroups_resp r;
        kw_msg_defaults(KW_API_ListGroups, KW_RESP, &r);
        r.error_code = g_lg[g_node].error;
        r.groups = g_lg[g_node].groups;
        r.n_groups = g_lg[g_node].error ? 0 : g_lg[g_node].n;
        kw_response_encode(&out, KW_API_ListGroups, h.api_version, h.correlation_id, &r);
        kw_arena_free(&a);
    } else if (h.api_key == KW_API_DescribeGroups) {
        serve_describe(&h, p + hl, len - hl, &out);
    } else if (h.api_key == KW_API_OffsetFetch) {
        serve_offsetfetch(&h, p + hl, len - hl, &out);
    } else if (h.api_key == KW_API_ListOffsets) {
        serve_listoffsets(&h, p + hl, len - hl, &out);
    } else {
        _exit(6);
    }
    sb_reply(fd, &out);
    kw_buf_free(&out);
    return 0;
}

static int listen_any(int *port)
{
    int s = sb_listen(port);
    assert_true(s >= 0);
    return s;
}

/* Both brokers (listening before either is forked: each knows the other's port) and a
 * port nobody listens on. */
static void start_cluster(void)
{
    int ls[2];
    for (int b = 0; b < 2; b++) ls[b] = listen_any(&g_port[b]);
    int d = listen_any(&g_dead_port);
    close(d);
    for (int b = 0; b < 2; b++) {
        g_pid[b] = fork();
        assert_true(g_pid[b] >= 0);
        if (g_pid[b] == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            close(ls[1 - b]);
            g_node = b;
            sb_serve(&ls[b], 1, serve_frame);
            _exit(0);
        }
    }
    close(ls[0]);
    close(ls[1]);
}

/* Stop both children; each must still be running (a child that exited met a request
 * it did not expect). */
static void stop_cluster(void)
{
    for (int b = 0; b < 2; b++) {
        int st = 0;
        assert_int_equal(waitpid(g_pid[b], &st, WNOHANG), 0);
        kill(g_pid[b], SIGKILL);
        waitpid(g_pid[b], NULL, 0);
        g_pid[b] = 0;
    }
}

/* Each test starts from the default script; children a failed test left are stopped. */
static int reset_script(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        if (g_pid[b] > 0) {
            kill(g_pid[b], SIGKILL);
            waitpid(g_pid[b], NULL, 0);
        }
        g_pid[b] = 0;
    }
    memset(g_lg, 0, sizeof g_lg);
    g_lg_max = 5;
    g_dg_max = 6;
    g_fc_max = 3;
    g_with_dead = 0;
    g_moved = 0;
    g_fc_seen = g_md_seen = 0;
    return 0;
}

/* ---- the client side ---- */

typedef struct tap_log {
    int n_lg, n_dg, n_fc, n_of;
    int16_t lg_version, dg_version;
} tap_log;

static void tap(void *ud, int dir, int16_t api_key, int16_t version, const uint8_t *payload, size_t len)
{
    (void)payload;
    (void)len;
    tap_log *t = ud;
    if (dir != KW_REQ) return;
    if (api_key == KW_API_ListGroups) { t->n_lg++; t->lg_version = version; }
    if (api_key == KW_API_DescribeGroups) { t->n_dg++; t->dg_version = version; }
    if (api_key == KW_API_FindCoordinator) t->n_fc++;
    if (api_key == KW_API_OffsetFetch) t->n_of++;
}

/* A broker set starting from node 1, with request.timeout.ms = timeout, frames tapped into t. */
static kw_net *new_net_timeout(tap_log *t, const char *timeout)
{
    char boot[64];
    snprintf(boot, sizeof boot, "127.0.0.1:%d", g_port[0]);
    kw_config *cfg = kw_config_new(KW_ROLE_CONSUMER);
    assert_int_equal(kw_config_set(cfg, "bootstrap.servers", boot), 0);
    assert_int_equal(kw_config_set(cfg, "request.timeout.ms", timeout), 0);
    assert_int_equal(kw_config_validate(cfg), 0);
    kw_net *n = kw_net_new(cfg);
    kw_config_free(cfg);
    assert_non_null(n);
    memset(t, 0, sizeof *t);
    kw_net_set_tap(n, tap, t);
    assert_true(kw_net_add_list(n, boot) == 1);
    return n;
}

static kw_net *new_net(tap_log *t) { return new_net_timeout(t, "5000"); }

static void set_group(int node, int i, const char *id, const char *ptype, const char *state)
{
    kw_listgroups_group *g = &g_lg[node].groups[i];
    g->group_id = kw_s(id);
    g->protocol_type = kw_s(ptype);
    g->group_state = kw_s(state);
    g->group_type = kw_s("classic");
    if (i + 1 > g_lg[node].n) g_lg[node].n = i + 1;
}

/* node 1: "orders" (consumer, Stable) and "shared"; node 2: "audit" (simple: no
 * protocol type, Empty), "shared" (PreparingRebalance there) and "billing". */
static void script_groups(void)
{
    set_group(0, 0, "orders", "consumer", "Stable");
    set_group(0, 1, "shared", "consumer", "CompletingRebalance");
    set_group(1, 0, "shared", "consumer", "PreparingRebalance");
    set_group(1, 1, "audit", "", "Empty");
    set_group(1, 2, "billing", "consumer", "Stable");
}

static void expect_group(const kw_group_info *g, const char *id, const char *ptype, const char *state, int32_t node)
{
    assert_string_equal(g->group, id);
    assert_string_equal(g->protocol_type, ptype);
    if (state) assert_string_equal(g->state, state);
    else assert_null(g->state);
    assert_int_equal(g->coordinator, node);
    assert_int_equal(g->nmembers, 0);
    assert_null(g->members);
}

/* Metadata, then ListGroups on every broker. */
static int list(kw_net *n, kw_group_list *gl, int32_t nbrokers)
{
    kw_meta m;
    memset(&m, 0, sizeof m);
    assert_int_equal(kw_meta_fetch(n, NULL, 0, 0, &m), 0);
    assert_int_equal(m.nbrokers, nbrokers);
    memset(gl, 0, sizeof *gl);
    int e = kw_groups_list(n, &m, gl);
    kw_meta_free(&m);
    return e;
}

static void test_list_merged(void **state)
{
    (void)state;
    script_groups();
    start_cluster();
    tap_log t;
    kw_net *n = new_net(&t);
    kw_group_list gl;
    assert_int_equal(list(n, &gl, 2), 0);
    assert_int_equal(t.n_lg, 2);
    assert_int_equal(t.lg_version, 5);
    assert_int_equal(gl.n, 4);
    expect_group(&gl.v[0], "audit", "", "Empty", 2);
    expect_group(&gl.v[1], "billing", "consumer", "Stable", 2);
    expect_group(&gl.v[2], "orders", "consumer", "Stable", 1);
    /* listed by both: once, as node 1 (asked first) reported it */
    expect_group(&gl.v[3], "shared", "consumer", "CompletingRebalance", 1);
    kw_group_list_free(&gl);
    assert_int_equal(gl.n, 0);
    kw_net_free(n);
    stop_cluster();
}

/* ListGroups v3 has no group state: every state unknown (NULL). */
static void test_list_v3_no_state(void **state)
{
    (void)state;
    script_groups();
    g_lg_max = 3;
    start_cluster();
    tap_log t;
    kw_net *n = new_net(&t);
    kw_group_list gl;
    assert_int_equal(list(n, &gl, 2), 0);
    assert_int_equal(t.n_lg, 2);
    assert_int_equal(t.lg_version, 3);
    assert_int_equal(gl.n, 4);
    expect_group(&gl.v[0], "audit", "", NULL, 2);
    expect_group(&gl.v[1], "billing", "consumer", NULL, 2);
    expect_group(&gl.v[2], "orders", "consumer", NULL, 1);
    expect_group(&gl.v[3], "shared", "consumer", NULL, 1);
    kw_group_list_free(&gl);
    kw_net_free(n);
    stop_cluster();
}

/* Node 1 is loading its coordinator state: its error comes back, node 2's groups stay. */
static void test_list_one_broker_loading(void **state)
{
    (void)state;
    script_groups();
    g_lg[0].error = KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS;
    start_cluster();
    tap_log t;
    kw_net *n = new_net(&t);
    kw_group_list gl;
    assert_int_equal(list(n, &gl, 2), KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS);
    assert_int_equal(t.n_lg, 2);
    assert_int_equal(gl.n, 3);
    /* the failed broker named, with Kafka's text for its error */
    assert_int_equal(gl.nfailed, 1);
    assert_non_null(strstr(gl.failed, "node 1 (127.0.0.1:"));
    assert_non_null(strstr(gl.failed, kw_strerror(KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS)));
    expect_group(&gl.v[0], "audit", "", "Empty", 2);
    expect_group(&gl.v[1], "billing", "consumer", "Stable", 2);
    expect_group(&gl.v[2], "shared", "consumer", "PreparingRebalance", 2);
    kw_group_list_free(&gl);
    kw_net_free(n);
    stop_cluster();
}

/* Node 3 (listed between 1 and 2) cannot be reached: a connection error comes back,
 * the groups of nodes 1 and 2 (asked before and after it) stay. */
static void test_list_one_broker_unreachable(void **state)
{
    (void)state;
    script_groups();
    g_with_dead = 1;
    start_cluster();
    tap_log t;
    kw_net *n = new_net(&t);
    kw_group_list gl;
    int e = list(n, &gl, 3);
    assert_int_equal(e, KW_ERR_CONNECT);
    assert_int_equal(t.n_lg, 2);
    assert_int_equal(gl.n, 4);
    /* node 3 named, with the socket layer's reason; the two that answered are not */
    assert_int_equal(gl.nfailed, 1);
    assert_non_null(strstr(gl.failed, "node 3 (127.0.0.1:"));
    assert_null(strstr(gl.failed, "node 1"));
    assert_null(strstr(gl.failed, "node 2"));
    assert_non_null(strstr(gl.failed, "connect"));
    expect_group(&gl.v[0], "audit", "", "Empty", 2);
    expect_group(&gl.v[1], "billing", "consumer", "Stable", 2);
    expect_group(&gl.v[2], "orders", "consumer", "Stable", 1);
    expect_group(&gl.v[3], "shared", "consumer", "CompletingRebalance", 1);
    kw_group_list_free(&gl);
    kw_net_free(n);
    stop_cluster();
}

static void expect_described(const kw_group_info *g, const char *id)
{
    assert_string_equal(g->group, id);
    assert_string_equal(g->state, "Stable");
    assert_string_equal(g->protocol_type, "consumer");
    assert_int_equal(g->coordinator, 2);
    assert_int_equal(g->nmembers, 2);
    assert_string_equal(g->members[0].member_id, "m-1-aaaa");
    assert_string_equal(g->members[0].client_id, "client-one");
    assert_string_equal(g->members[0].client_host, "/10.0.0.1");
    assert_string_equal(g->members[1].member_id, "m-2-bbbb");
    assert_string_equal(g->members[1].client_id, "client-two");
    assert_string_equal(g->members[1].client_host, "/10.0.0.2");
}

static void describe_at(int16_t dg_max, int16_t fc_max)
{
    g_dg_max = dg_max;
    g_fc_max = fc_max;
    start_cluster();
    tap_log t;
    kw_net *n = new_net(&t);
    kw_group_info gi;
    assert_int_equal(kw_group_describe(n, NULL, "orders", &gi), 0);
    assert_int_equal(t.n_fc, 1);
    assert_int_equal(t.n_dg, 1);
    assert_int_equal(t.dg_version, dg_max);
    expect_described(&gi, "orders");
    /* the coordinator (node 2) was added to the net under its node id */
    assert_true(kw_net_find(n, 2) >= 0);
    kw_group_info_free(&gi);
    assert_null(gi.group);
    assert_int_equal(gi.nmembers, 0);
    kw_net_free(n);
    stop_cluster();
}

static void test_describe_v6(void **state)
{
    (void)state;
    describe_at(6, 4); /* FindCoordinator v4: the batched form */
}

static void test_describe_v0(void **state)
{
    (void)state;
    describe_at(0, 0);
}

static void test_describe_not_found(void **state)
{
    (void)state;
    start_cluster();
    tap_log t;
    kw_net *n = new_net(&t);
    kw_group_info gi;
    memset(&gi, 0x5a, sizeof gi);
    int e = kw_group_describe(n, NULL, "ghost", &gi);
    assert_int_equal(e, KW_KAFKA_GROUP_ID_NOT_FOUND);
    assert_string_equal(kw_strerror(e), "No group with this id.");
    /* not a coordinator error: asked once, no retry */
    assert_int_equal(t.n_dg, 1);
    assert_int_equal(t.dg_version, 6);
    assert_null(gi.group);
    assert_null(gi.state);
    assert_null(gi.protocol_type);
    assert_null(gi.members);
    assert_int_equal(gi.nmembers, 0);
    kw_group_info_free(&gi);
    kw_net_free(n);
    stop_cluster();
}

/* COORDINATOR_LOAD_IN_PROGRESS on the group: looked up again and asked again. */
static void test_describe_loading_retried(void **state)
{
    (void)state;
    start_cluster();
    tap_log t;
    kw_net *n = new_net(&t);
    kw_offsets_opts o;
    kw_offsets_opts_default(&o);
    o.backoff_ms = 5;
    o.backoff_max_ms = 10;
    kw_group_info gi;
    assert_int_equal(kw_group_describe(n, &o, "warming", &gi), 0);
    assert_int_equal(t.n_dg, 2);
    assert_int_equal(t.n_fc, 2);
    expect_described(&gi, "warming");
    kw_group_info_free(&gi);
    kw_net_free(n);
    stop_cluster();
}

static int offsets_fetch(kw_net *n, const char *group, kw_tpo_list *l)
{
    kw_offsets_opts o;
    kw_offsets_opts_default(&o);
    o.backoff_ms = 5;
    o.backoff_max_ms = 10;
    kw_tpo_init(l);
    assert_int_equal(kw_tpo_add(l, "orders", 0, -1), 0);
    assert_int_equal(kw_tpo_add(l, "orders", 1, -1), 0);
    return kw_offsets_fetch(n, &o, group, l);
}

/* A request-level UNKNOWN_TOPIC_OR_PARTITION, then a partition's UNSTABLE_OFFSET_COMMIT:
 * both transient, asked again until the offsets come (regression: the request-level error
 * came back as the result, every partition "not committed", and lag showed nothing). */
static void test_offsetfetch_transient_retried(void **state)
{
    (void)state;
    start_cluster();
    tap_log t;
    kw_net *n = new_net(&t);
    kw_tpo_list l;
    assert_int_equal(offsets_fetch(n, "flaky", &l), 0);
    assert_int_equal(t.n_of, 3);
    assert_int_equal(l.v[0].offset, 42);
    assert_int_equal(l.v[0].error, 0);
    assert_int_equal(l.v[1].offset, 7);
    assert_int_equal(l.v[1].error, 0);
    kw_tpo_free(&l);
    kw_net_free(n);
    stop_cluster();
}

/* A partition-level UNKNOWN_TOPIC_OR_PARTITION alone is the answer: returned, not retried. */
static void test_offsetfetch_partition_unknown_answered(void **state)
{
    (void)state;
    start_cluster();
    tap_log t;
    kw_net *n = new_net(&t);
    kw_tpo_list l;
    assert_int_equal(offsets_fetch(n, "gone", &l), KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION);
    assert_int_equal(t.n_of, 1);
    assert_int_equal(l.v[0].offset, -1);
    assert_int_equal(l.v[1].error, KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION);
    kw_tpo_free(&l);
    kw_net_free(n);
    stop_cluster();
}

/* Connection attempts that failed on the broker with this node id (it must be known). */
static uint64_t connect_failures(kw_net *n, int32_t node)
{
    int idx = kw_net_find(n, node);
    assert_true(idx >= 0);
    return kw_conn_stats_get(kw_net_conn(n, idx))->connect_failures;
}

/* The coordinator was SIGKILLed: the first FindCoordinator still names it (node 3, a
 * port that refuses). The OffsetFetch queued for it fails at the first failed connect,
 * the coordinator is looked up again (node 2) and answers. It used to wait in node 3's
 * queue for request.timeout.ms (30 s here), reconnecting all the while. */
static void test_offsetfetch_dead_coordinator(void **state)
{
    (void)state;
    g_moved = 1;
    start_cluster();
    tap_log t;
    kw_net *n = new_net_timeout(&t, "30000");
    kw_tpo_list l;
    assert_int_equal(offsets_fetch(n, "orders", &l), 0);
    assert_int_equal(t.n_fc, 2);
    assert_int_equal(t.n_of, 1);
    assert_int_equal(l.v[0].offset, 42);
    assert_int_equal(l.v[1].offset, 7);
    assert_int_equal(connect_failures(n, 3), 1);
    kw_tpo_free(&l);
    kw_net_free(n);
    stop_cluster();
}

/* The leader of orders/0 was SIGKILLed: the first Metadata still names it (node 3). The
 * ListOffsets for it fails at the first failed connect, the metadata is asked again and
 * node 2, the new leader, answers. */
static void test_listoffsets_dead_leader(void **state)
{
    (void)state;
    g_moved = 1;
    start_cluster();
    tap_log t;
    kw_net *n = new_net_timeout(&t, "30000");
    kw_meta m;
    memset(&m, 0, sizeof m);
    assert_int_equal(kw_meta_fetch(n, NULL, 0, 0, &m), 0);
    assert_int_equal(kw_meta_route(n, &m, "orders", 0), kw_net_find(n, 3));
    kw_tpo_list l;
    kw_tpo_init(&l);
    assert_int_equal(kw_tpo_add(&l, "orders", 0, -1), 0);
    assert_int_equal(kw_list_offsets(n, &m, &l, KW_TS_LATEST, 0, NULL), 0);
    assert_int_equal(l.v[0].offset, 1000);
    assert_int_equal(l.v[0].error, 0);
    assert_int_equal(connect_failures(n, 3), 1);
    kw_tpo_free(&l);
    kw_meta_free(&m);
    kw_net_free(n);
    stop_cluster();
}

static void fast_opts(kw_offsets_opts *o, int64_t timeout_ms)
{
    kw_offsets_opts_default(o);
    o->backoff_ms = 5;
    o->backoff_max_ms = 10;
    o->timeout_ms = timeout_ms;
}

/* The coordinator takes 12 lookups to move (more than the 10 tries the lookups used to
 * have): every one is retried within default.api.timeout.ms, and the offsets come. */
static void test_offsetfetch_slow_failover(void **state)
{
    (void)state;
    g_moved = 12;
    start_cluster();
    tap_log t;
    kw_net *n = new_net(&t);
    kw_offsets_opts o;
    fast_opts(&o, 60000);
    kw_tpo_list l;
    kw_tpo_init(&l);
    assert_int_equal(kw_tpo_add(&l, "orders", 0, -1), 0);
    assert_int_equal(kw_offsets_fetch(n, &o, "orders", &l), 0);
    assert_int_equal(l.v[0].offset, 42);
    assert_int_equal(t.n_fc, 13);
    assert_int_equal(connect_failures(n, 3), 12);
    kw_tpo_free(&l);
    kw_net_free(n);
    stop_cluster();
}

/* The leader takes 8 metadata answers to move (more than the 5 tries ListOffsets used to
 * have: a consumer started during a failover exited): retried, the offset comes. Never
 * moving, the call gives up once default.api.timeout.ms has passed. */
static void test_listoffsets_slow_failover(void **state)
{
    (void)state;
    g_moved = 8;
    start_cluster();
    tap_log t;
    kw_net *n = new_net(&t);
    kw_offsets_opts o;
    fast_opts(&o, 60000);
    kw_meta m;
    memset(&m, 0, sizeof m);
    assert_int_equal(kw_meta_fetch(n, NULL, 0, 0, &m), 0);
    kw_tpo_list l;
    kw_tpo_init(&l);
    assert_int_equal(kw_tpo_add(&l, "orders", 0, -1), 0);
    assert_int_equal(kw_list_offsets(n, &m, &l, KW_TS_LATEST, 0, &o), 0);
    assert_int_equal(l.v[0].offset, 1000);
    assert_int_equal(connect_failures(n, 3), 8);
    kw_tpo_free(&l);
    kw_meta_free(&m);
    kw_net_free(n);
    stop_cluster();
    /* a leader that never comes back */
    reset_script(NULL);
    g_moved = 1000000;
    start_cluster();
    n = new_net(&t);
    fast_opts(&o, 300);
    memset(&m, 0, sizeof m);
    assert_int_equal(kw_meta_fetch(n, NULL, 0, 0, &m), 0);
    kw_tpo_init(&l);
    assert_int_equal(kw_tpo_add(&l, "orders", 0, -1), 0);
    assert_int_not_equal(kw_list_offsets(n, &m, &l, KW_TS_LATEST, 0, &o), 0);
    assert_int_equal(l.v[0].offset, -1);
    assert_true(connect_failures(n, 3) >= 2);
    kw_tpo_free(&l);
    kw_meta_free(&m);
    kw_net_free(n);
    stop_cluster();
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list_merged, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_list_v3_no_state, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_list_one_broker_loading, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_list_one_broker_unreachable, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_describe_v6, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_describe_v0, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_describe_not_found, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_describe_loading_retried, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_offsetfetch_transient_retried, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_offsetfetch_partition_unknown_answered, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_offsetfetch_dead_coordinator, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_listoffsets_dead_leader, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_offsetfetch_slow_failover, reset_script, reset_script),
        cmocka_unit_test_setup_teardown(test_listoffsets_slow_failover, reset_script, reset_script),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
