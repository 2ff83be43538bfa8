/*
 * tests/tool_groups_broker.c — a scripted two-broker cluster for tests/integ_groups.sh
 * (`kwire groups` and `kwire groups GROUP`): one process listening for node 1 and
 * node 2 on 127.0.0.1, every frame built by kwire's own kw_response_encode.
 *
 *   tool_groups_broker [--loading]
 *
 * Prints "127.0.0.1:PORT" (node 1, the bootstrap) on stdout once listening and serves
 * until killed. The cluster:
 *   Metadata          nodes 1 and 2; topic "events": partition 0 led by 1, 1 by 2
 *   ListGroups        node 1: orders (consumer, Stable), shared (consumer,
 *                     CompletingRebalance); node 2: shared (consumer,
 *                     PreparingRebalance), audit ("", Empty), billing (consumer,
 *                     Stable). --loading: node 1 answers COORDINATOR_LOAD_IN_PROGRESS.
 *   FindCoordinator   node 2 for every group
 *   DescribeGroups    (node 2) "ghost": GROUP_ID_NOT_FOUND; any other group: Stable,
 *                     consumer, members m-1-aaaa (client-one, /10.0.0.1) and m-2-bbbb
 *                     (client-two, /10.0.0.2)
 *   OffsetFetch       (node 2) group orders: events/0 at 40, events/1 at 70; others none
 *   ListOffsets       earliest 0; latest events/0 100, events/1 90 (at the leader)
 * A request it does not expect (or at the wrong node) makes it exit with status 2..19.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int g_port[2];
static int g_loading;

static int str_is(kw_str s, const char *c)
{
    return s.len >= 0 && (size_t)s.len == strlen(c) && !memcmp(s.p, c, (size_t)s.len);
}

static void list_groups(int node, const kw_req_header *h, kw_buf *out)
{
    kw_listgroups_group g[3];
    memset(g, 0, sizeof g);
    int32_t n = 0;
    if (node == 1) {
        g[0] = (kw_listgroups_group){kw_s("orders"), kw_s("consumer"), kw_s("Stable"), kw_s("classic")};
        g[1] = (kw_listgroups_group){kw_s("shared"), kw_s("consumer"), kw_s("CompletingRebalance"), kw_s("classic")};
        n = 2;
    } else {
        g[0] = (kw_listgroups_group){kw_s("shared"), kw_s("consumer"), kw_s("PreparingRebalance"), kw_s("classic")};
        g[1] = (kw_listgroups_group){kw_s("audit"), kw_s(""), kw_s("Empty"), kw_s("classic")};
        g[2] = (kw_listgroups_group){kw_s("billing"), kw_s("consumer"), kw_s("Stable"), kw_s("classic")};
        n = 3;
    }
    kw_listgroups_resp r;
    kw_msg_defaults(KW_API_ListGroups, KW_RESP, &r);
    if (node == 1 && g_loading) {
        r.error_code = KW_KAFKA_COORDINATOR_LOAD_IN_PROGRESS;
        n = 0;
    }
    r.groups = g;
    r.n_groups = n;
    if (kw_response_encode(out, KW_API_ListGroups, h->api_version, h->correlation_id, &r)) exit(3);
}

static void describe_groups(int node, const kw_req_header *h, const uint8_t *body, size_t bl, kw_buf *out)
{
    if (node != 2) exit(4);
    kw_arena a;
    kw_arena_init(&a);
    kw_describegroups_req q;
    if (kw_msg_decode(KW_API_DescribeGroups, h->api_version, KW_REQ, body, bl, &q, &a, NULL)) exit(5);
    if (q.n_groups != 1) exit(6);
    kw_describegroups_member m[2] = {
        {kw_s("m-1-aaaa"), KW_STR_NULL, kw_s("client-one"), kw_s("/10.0.0.1"), kw_b((const uint8_t *)"", 0),
         kw_b((const uint8_t *)"", 0)},
        {kw_s("m-2-bbbb"), KW_STR_NULL, kw_s("client-two"), kw_s("/10.0.0.2"), kw_b((const uint8_t *)"", 0),
         kw_b((const uint8_t *)"", 0)},
    };
    kw_describegroups_group g;
    memset(&g, 0, sizeof g);
    g.group_id = q.groups[0];
    g.error_message = KW_STR_NULL;
    g.authorized_operations = INT32_MIN;
    g.protocol_data = kw_s("range");
    if (str_is(q.groups[0], "ghost")) {
        g.error_code = KW_KAFKA_GROUP_ID_NOT_FOUND;
        g.group_state = kw_s("Dead");
        g.protocol_type = kw_s("");
        g.protocol_data = kw_s("");
    } else {
        g.group_state = kw_s("Stable");
        g.protocol_type = kw_s("consumer");
        g.members = m;
        g.n_members = 2;
    }
    kw_describegroups_resp r;
    kw_msg_defaults(KW_API_DescribeGroups, KW_RESP, &r);
    r.groups = &g;
    r.n_groups = 1;
    if (kw_response_encode(out, KW_API_DescribeGroups, h->api_version, h->correlation_id, &r)) exit(7);
    kw_arena_free(&a);
}

static void offset_fetch(int node, const kw_req_header *h, const uint8_t *body, size_t bl, kw_buf *out)
{
    if (node != 2) exit(8);
    kw_arena a;
    kw_arena_init(&a);
    kw_offsetfetch_req q;
    if (kw_msg_decode(KW_API_OffsetFetch, h->api_version, KW_REQ, body, bl, &q, &a, NULL)) exit(9);
    int orders = str_is(q.group_id, "orders");
    /* the partitions asked for (kw_snap_fill names them): at most events/0 and events/1 */
    kw_offsetfetch_resp_partition p[2];
    memset(p, 0, sizeof p);
    int32_t np = 0;
    for (int32_t t = 0; t < q.n_topics; t++) {
        if (!str_is(q.topics[t].name, "events")) exit(10);
        for (int32_t i = 0; i < q.topics[t].n_partition_indexes; i++) {
            int32_t pi = q.topics[t].partition_indexes[i];
            if ((pi != 0 && pi != 1) || np == 2) exit(11);
            p[np].partition_index = pi;
            p[np].committed_offset = orders ? (pi == 0 ? 40 : 70) : -1;
            p[np].committed_leader_epoch = -1;
            p[np].metadata = kw_s("");
            np++;
        }
    }
    kw_offsetfetch_resp_topic t = {kw_s("events"), p, np};
    kw_offsetfetch_resp r;
    kw_msg_defaults(KW_API_OffsetFetch, KW_RESP, &r);
    r.topics = &t;
    r.n_topics = np ? 1 : 0;
    if (kw_response_encode(out, KW_API_OffsetFetch, h->api_version, h->correlation_id, &r)) exit(12);
    kw_arena_free(&a);
}

static void list_offsets(int node, const kw_req_header *h, const uint8_t *body, size_t bl, kw_buf *out)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_listoffsets_req q;
    if (kw_msg_decode(KW_API_ListOffsets, h->api_version, KW_REQ, body, bl, &q, &a, NULL)) exit(13);
    if (q.n_topics != 1 || !str_is(q.topics[0].name, "events") || q.topics[0].n_partitions != 1) exit(14);
    const kw_listoffsets_req_partition *rp = &q.topics[0].partitions[0];
    if (rp->partition_index != node - 1) exit(15); /* partition 0 at node 1, 1 at node 2 */
    kw_listoffsets_resp_partition p;
    memset(&p, 0, sizeof p);
    p.partition_index = rp->partition_index;
    p.timestamp = -1;
    p.leader_epoch = -1;
    p.offset = rp->timestamp == -2 ? 0 : (rp->partition_index == 0 ? 100 : 90);
    kw_listoffsets_resp_topic t = {.name = kw_s("events"), .partitions = &p, .n_partitions = 1};
    kw_listoffsets_resp r;
    kw_msg_defaults(KW_API_ListOffsets, KW_RESP, &r);
    r.topics = &t;
    r.n_topics = 1;
    if (kw_response_encode(out, KW_API_ListOffsets, h->api_version, h->correlation_id, &r)) exit(16);
    kw_arena_free(&a);
}

/* Listener 0 is node 1, listener 1 node 2. */
static int serve_frame(int listener, int fd, const uint8_t *p, size_t len)
{
    int node = listener + 1;
    kw_req_header h;
    size_t hl;
    if (kw_req_header_decode(p, len, &h, &hl)) exit(2);
    const uint8_t *body = p + hl;
    size_t bl = len - hl;
    kw_buf out;
    kw_buf_init(&out);
    if (h.api_key == KW_API_ApiVersions) {
        kw_apiversions_key keys[] = {{KW_API_ApiVersions, 0, 2},     {KW_API_Metadata, 0, 2},
                                     {KW_API_ListOffsets, 1, 3},     {KW_API_OffsetFetch, 1, 7},
                                     {KW_API_FindCoordinator, 0, 3}, {KW_API_DescribeGroups, 0, 5},
                                     {KW_API_ListGroups, 0, 4}};
        kw_apiversions_resp r;
        kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
        r.api_keys = keys;
        r.n_api_keys = (int32_t)(sizeof keys / sizeof keys[0]);
        kw_response_encode(&out, KW_API_ApiVersions, h.api_version, h.correlation_id, &r);
    } else if (h.api_key == KW_API_Metadata) {
        kw_metadata_broker b[2] = {
            {.node_id = 1, .host = kw_s("127.0.0.1"), .port = g_port[0], .rack = KW_STR_NULL},
            {.node_id = 2, .host = kw_s("127.0.0.1"), .port = g_port[1], .rack = KW_STR_NULL},
        };
        int32_t r1[1] = {1}, r2[1] = {2};
        kw_metadata_partition mp[2] = {
            {.partition_index = 0, .leader_id = 1, .leader_epoch = -1, .replica_nodes = r1, .n_replica_nodes = 1,
             .isr_nodes = r1, .n_isr_nodes = 1},
            {.partition_index = 1, .leader_id = 2, .leader_epoch = -1, .replica_nodes = r2, .n_replica_nodes = 1,
             .isr_nodes = r2, .n_isr_nodes = 1},
        };
        kw_metadata_topic t;
        memset(&t, 0, sizeof t);
        t.name = kw_s("events");
        t.partitions = mp;
        t.n_partitions = 2;
        kw_metadata_resp r;
        kw_msg_defaults(KW_API_Metadata, KW_RESP, &r);
        r.brokers = b;
        r.n_brokers = 2;
        r.cluster_id = KW_STR_NULL;
        r.controller_id = 1;
        r.topics = &t;
        r.n_topics = 1;
        kw_response_encode(&out, KW_API_Metadata, h.api_version, h.correlation_id, &r);
    } else if (h.api_key == KW_API_FindCoordinator) {
        kw_findcoordinator_resp r;
        kw_msg_defaults(KW_API_FindCoordinator, KW_RESP, &r);
        r.error_message = KW_STR_NULL;
        r.node_id = 2;
        r.host = kw_s("127.0.0.1");
        r.port = g_port[1];
        kw_response_encode(&out, KW_API_FindCoordinator, h.api_version, h.correlation_id, &r);
    } else if (h.api_key == KW_API_ListGroups) {
        list_groups(node, &h, &out);
    } else if (h.api_key == KW_API_DescribeGroups) {
        describe_groups(node, &h, body, bl, &out);
    } else if (h.api_key == KW_API_OffsetFetch) {
        offset_fetch(node, &h, body, bl, &out);
    } else if (h.api_key == KW_API_ListOffsets) {
        list_offsets(node, &h, body, bl, &out);
    } else {
        exit(19);
    }
    sb_reply(fd, &out);
    kw_buf_free(&out);
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--loading")) g_loading = 1;
        else {
            fprintf(stderr, "usage: tool_groups_broker [--loading]\n");
            return 1;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    int lfd[2];
    for (int b = 0; b < 2; b++) {
        if ((lfd[b] = sb_listen(&g_port[b])) < 0) {
            perror("tool_groups_broker: listen");
            return 1;
        }
    }
    printf("127.0.0.1:%d\n", g_port[0]);
    fflush(stdout);
    sb_serve(lfd, 2, serve_frame);
    return 0;
}
