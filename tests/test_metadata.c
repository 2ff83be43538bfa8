/* tests/test_metadata.c — client/metadata: owned copies of Metadata responses, leader
 * lookup and routing (pure parts; the fetch is covered by tests/integ_conn.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "client/conn/metadata.h"
#include "proto/proto.h"

/* A response with 2 brokers and topics "a" (3 partitions, listed out of order, one
 * leaderless) and "bad" (error, no partitions), encoded at v12 and decoded back, so
 * the copy is made from slices into a buffer that is then freed. */
static void build(kw_meta *m, int16_t version)
{
    int32_t reps[] = {1, 2}, isr[] = {2};
    kw_metadata_partition parts[3];
    for (int i = 0; i < 3; i++) {
        memset(&parts[i], 0, sizeof parts[i]);
        parts[i].leader_epoch = 5;
        parts[i].replica_nodes = reps;
        parts[i].n_replica_nodes = 2;
        parts[i].isr_nodes = isr;
        parts[i].n_isr_nodes = 1;
    }
    parts[0].partition_index = 2; parts[0].leader_id = 2;
    parts[1].partition_index = 0; parts[1].leader_id = 1;
    parts[2].partition_index = 1; parts[2].leader_id = -1; parts[2].error_code = KW_KAFKA_LEADER_NOT_AVAILABLE;
    kw_metadata_topic topics[2];
    memset(topics, 0, sizeof topics);
    topics[0].name = kw_s("a");
    topics[0].partitions = parts;
    topics[0].n_partitions = 3;
    topics[0].topic_authorized_operations = INT32_MIN;
    topics[1].name = kw_s("bad");
    topics[1].error_code = KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
    topics[1].topic_authorized_operations = INT32_MIN;
    kw_metadata_broker brokers[2] = {{1, kw_s("host-one"), 9092, kw_s("r1")}, {2, kw_s("host-two"), 9093, KW_STR_NULL}};
    kw_metadata_resp r;
    kw_msg_defaults(KW_API_Metadata, KW_RESP, &r);
    r.brokers = brokers;
    r.n_brokers = 2;
    r.cluster_id = kw_s("cid-1");
    r.controller_id = 2;
    r.topics = topics;
    r.n_topics = 2;
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_msg_encode(KW_API_Metadata, version, KW_RESP, &r, &b), 0);
    kw_arena a;
    kw_arena_init(&a);
    kw_metadata_resp d;
    assert_int_equal(kw_msg_decode(KW_API_Metadata, version, KW_RESP, b.data, b.len, &d, &a, NULL), 0);
    assert_int_equal(kw_meta_from_resp(m, &d, version), 0);
    memset(b.data, 0xee, b.len); /* the copy must not point into the bytes */
    kw_arena_free(&a);
    kw_buf_free(&b);
}

static void test_copy_and_lookup(void **st)
{
    (void)st;
    kw_meta m;
    build(&m, 12);
    assert_int_equal(m.version, 12);
    assert_int_equal(m.nbrokers, 2);
    assert_string_equal(m.brokers[0].host, "host-one");
    assert_string_equal(m.brokers[0].rack, "r1");
    assert_null(m.brokers[1].rack);
    assert_string_equal(m.cluster_id, "cid-1");
    assert_int_equal(m.controller, 2);
    const kw_meta_topic *t = kw_meta_topic_find(&m, "a");
    assert_non_null(t);
    assert_int_equal(t->nparts, 3);
    for (int i = 0; i < 3; i++) assert_int_equal(t->parts[i].partition, i); /* sorted */
    assert_int_equal(t->parts[0].nreplicas, 2);
    assert_int_equal(t->parts[0].replicas[1], 2);
    assert_int_equal(t->parts[0].nisr, 1);
    assert_int_equal(t->parts[0].leader_epoch, 5);
    int32_t node = -9;
    assert_int_equal(kw_meta_leader(&m, "a", 0, &node), 0);
    assert_int_equal(node, 1);
    assert_int_equal(kw_meta_leader(&m, "a", 2, &node), 0);
    assert_int_equal(node, 2);
    assert_int_equal(kw_meta_leader(&m, "a", 1, &node), KW_KAFKA_LEADER_NOT_AVAILABLE);
    assert_int_equal(kw_meta_leader(&m, "a", 3, &node), KW_ERR_NOT_FOUND);
    assert_int_equal(kw_meta_leader(&m, "zzz", 0, &node), KW_ERR_NOT_FOUND);
    assert_int_equal(kw_meta_leader(&m, "bad", 0, &node), KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION);
    assert_string_equal(kw_meta_broker_find(&m, 2)->host, "host-two");
    assert_null(kw_meta_broker_find(&m, 7));
    kw_meta_free(&m);
    assert_int_equal(m.ntopics, 0);
    kw_meta_free(&m); /* twice is harmless */
}

static void test_old_version(void **st)
{
    (void)st;
    kw_meta m;
    build(&m, 0); /* v0: no rack, cluster id or controller */
    assert_null(m.brokers[0].rack);
    assert_null(m.cluster_id);
    assert_int_equal(m.controller, -1);
    int32_t node;
    assert_int_equal(kw_meta_leader(&m, "a", 2, &node), 0);
    assert_int_equal(node, 2);
    kw_meta_free(&m);
}

static void test_route_adds_leader_broker(void **st)
{
    (void)st;
    kw_meta m;
    build(&m, 12);
    kw_net *n = kw_net_new(NULL);
    assert_int_equal(kw_net_add_list(n, "host-one:9092"), 1); /* a bootstrap entry */
    int i = kw_meta_route(n, &m, "a", 0);
    assert_int_equal(i, 0);                      /* the bootstrap entry, now node 1 */
    assert_int_equal(kw_net_node_id(n, 0), 1);
    int j = kw_meta_route(n, &m, "a", 2);
    assert_int_equal(j, 1);                      /* node 2 added */
    assert_string_equal(kw_net_name(n, j), "host-two:9093");
    assert_int_equal(kw_meta_route(n, &m, "a", 2), 1);
    assert_int_equal(kw_net_count(n), 2);
    assert_int_equal(kw_meta_route(n, &m, "a", 1), KW_KAFKA_LEADER_NOT_AVAILABLE);
    kw_net_free(n);
    kw_meta_free(&m);
}

/* Below Metadata v4 a request naming topics would create them: every topic is asked for
 * instead, and kw_meta_keep leaves the named ones (missing ones unknown). */
static void test_no_creation_below_v4(void **st)
{
    (void)st;
    const char *names[] = {"a", "nosuch", "a"};
    kw_buf b;
    kw_buf_init(&b);
    kw_metadata_req r;
    kw_arena ar;
    kw_arena_init(&ar);
    for (int16_t v = 1; v <= 12; v++) {
        b.len = 0;
        assert_int_equal(kw_meta_encode(names, 2, 0, v, &b), 0);
        assert_int_equal(kw_msg_decode(KW_API_Metadata, v, KW_REQ, b.data, b.len, &r, &ar, NULL), 0);
        if (v < 4) assert_int_equal(r.n_topics, -1); /* all topics: creates none */
        else {
            assert_int_equal(r.n_topics, 2);
            assert_int_equal(r.allow_auto_topic_creation, 0);
        }
        assert_int_equal(kw_meta_names_all(0, v, 2), v < 4);
        /* asked to create: the names go as they are */
        b.len = 0;
        assert_int_equal(kw_meta_encode(names, 2, 1, v, &b), 0);
        assert_int_equal(kw_msg_decode(KW_API_Metadata, v, KW_REQ, b.data, b.len, &r, &ar, NULL), 0);
        assert_int_equal(r.n_topics, 2);
    }
    kw_arena_free(&ar);
    kw_buf_free(&b);

    kw_meta m;
    build(&m, 12);
    assert_int_equal(kw_meta_keep(&m, names, 3), 0);
    assert_int_equal(m.ntopics, 2);
    assert_string_equal(m.topics[0].name, "a");
    assert_int_equal(m.topics[0].nparts, 3);
    assert_string_equal(m.topics[1].name, "nosuch");
    assert_int_equal(m.topics[1].error, KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION);
    assert_int_equal(m.topics[1].nparts, 0);
    assert_null(kw_meta_topic_find(&m, "bad"));
    kw_meta_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_and_lookup),
        cmocka_unit_test(test_old_version),
        cmocka_unit_test(test_route_adds_leader_broker),
        cmocka_unit_test(test_no_creation_below_v4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
