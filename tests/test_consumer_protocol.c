/*
 * tests/test_consumer_protocol.c — proto/consumer_protocol: the consumer protocol's
 * subscription and assignment bytes. Checked: exact bytes of a v0 subscription and a
 * v3 one (owned partitions, generation, rack) and of an assignment; decode of every
 * version back to the same values; a newer version (v4 with appended bytes) read at v3,
 * the extra bytes ignored; a known version with trailing bytes, a truncated message and
 * a negative version refused; an empty assignment as "nothing assigned". The annotation
 * walk: JoinGroup, SyncGroup and DescribeGroups dumps open their protocol metadata and
 * assignments field by field (every byte covered exactly once), and leave other
 * protocol types' bytes (e.g. Connect's) as plain bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "codec/buf.h"
#include "proto/consumer_protocol.h"
#include "proto/desc.h"
#include "proto/msg_describegroups.h"
#include "proto/msg_joingroup.h"
#include "proto/msg_syncgroup.h"
#include "proto/proto.h"

static void test_subscription_bytes(void **st)
{
    (void)st;
    kw_consumerprotocol_subscription s;
    kw_desc_defaults(&kw__ConsumerProtocolSubscription, &s);
    kw_str topics[1] = {kw_s("t")};
    s.topics = topics;
    s.n_topics = 1;
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_cp_subscription_encode(&s, 0, &b), 0);
    static const uint8_t v0[] = {0, 0, 0, 0, 0, 1, 0, 1, 't', 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(b.len, sizeof v0);
    assert_memory_equal(b.data, v0, sizeof v0);
    /* v3: owned partitions, generation, rack */
    int32_t parts[2] = {0, 5};
    kw_consumerprotocol_topic_partition tp = {kw_s("t"), parts, 2};
    s.owned_partitions = &tp;
    s.n_owned_partitions = 1;
    s.generation_id = 7;
    s.rack_id = kw_s("r1");
    b.len = 0;
    assert_int_equal(kw_cp_subscription_encode(&s, 3, &b), 0);
    static const uint8_t v3[] = {0, 3, 0, 0, 0, 1, 0, 1, 't', 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 1, 't',
                                 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 7, 0, 2, 'r', '1'};
    assert_int_equal(b.len, sizeof v3);
    assert_memory_equal(b.data, v3, sizeof v3);
    assert_int_equal(kw_cp_subscription_encode(&s, 4, &b), KW_ERR_UNSUPPORTED);
    assert_int_equal(b.len, sizeof v3);
    /* every version decodes back to what it carries */
    for (int16_t v = 0; v <= KW_CP_VERSION_MAX; v++) {
        b.len = 0;
        assert_int_equal(kw_cp_subscription_encode(&s, v, &b), 0);
        kw_arena a;
        kw_arena_init(&a);
        kw_consumerprotocol_subscription d;
        int16_t ver = -1;
        assert_int_equal(kw_cp_subscription_decode(b.data, b.len, &d, &ver, &a, NULL), 0);
        assert_int_equal(ver, v);
        assert_int_equal(d.n_topics, 1);
        assert_memory_equal(d.topics[0].p, "t", 1);
        assert_int_equal(d.user_data.len, -1);
        assert_int_equal(d.n_owned_partitions, v >= 1 ? 1 : 0);
        if (v >= 1) {
            assert_int_equal(d.owned_partitions[0].n_partitions, 2);
            assert_int_equal(d.owned_partitions[0].partitions[1], 5);
        }
        assert_int_equal(d.generation_id, v >= 2 ? 7 : -1);
        assert_int_equal(d.rack_id.len, v >= 3 ? 2 : -1);
        kw_arena_free(&a);
    }
    kw_buf_free(&b);
}

static void test_assignment_and_versions(void **st)
{
    (void)st;
    kw_consumerprotocol_assignment as;
    kw_desc_defaults(&kw__ConsumerProtocolAssignment, &as);
    int32_t p1[2] = {1, 3}, p2[1] = {0};
    kw_consumerprotocol_topic_partition tps[2] = {{kw_s("a"), p1, 2}, {kw_s("bb"), p2, 1}};
    as.assigned_partitions = tps;
    as.n_assigned_partitions = 2;
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_cp_assignment_encode(&as, 1, &b), 0);
    static const uint8_t v1[] = {0, 1, 0, 0, 0, 2, 0, 1, 'a', 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3,
                                 0, 2, 'b', 'b', 0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(b.len, sizeof v1);
    assert_memory_equal(b.data, v1, sizeof v1);
    kw_arena a;
    kw_arena_init(&a);
    kw_consumerprotocol_assignment d;
    int16_t ver;
    assert_int_equal(kw_cp_assignment_decode(b.data, b.len, &d, &ver, &a, NULL), 0);
    assert_int_equal(ver, 1);
    assert_int_equal(d.n_assigned_partitions, 2);
    assert_int_equal(d.assigned_partitions[1].partitions[0], 0);
    /* a newer version: read at v3, what it appended ignored */
    uint8_t v9[sizeof v1 + 3];
    memcpy(v9, v1, sizeof v1);
    v9[1] = 9;
    memcpy(v9 + sizeof v1, "xyz", 3);
    assert_int_equal(kw_cp_assignment_decode(v9, sizeof v9, &d, &ver, &a, NULL), 0);
    assert_int_equal(ver, 9);
    assert_int_equal(d.n_assigned_partitions, 2);
    /* the same trailing bytes on a version kwire knows: corrupt */
    v9[1] = 1;
    kw_proto_err pe;
    assert_int_equal(kw_cp_assignment_decode(v9, sizeof v9, &d, &ver, &a, &pe), KW_ERR_CORRUPT);
    /* truncated anywhere: an error, never a read past the end */
    for (size_t n = 1; n < sizeof v1; n++)
        assert_true(kw_cp_assignment_decode(v1, n, &d, &ver, &a, NULL) < 0);
    /* a negative version */
    uint8_t neg[] = {0xff, 0xfe, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(kw_cp_assignment_decode(neg, sizeof neg, &d, &ver, &a, NULL), KW_ERR_UNSUPPORTED);
    /* empty: nothing assigned */
    assert_int_equal(kw_cp_assignment_decode(v1, 0, &d, &ver, &a, NULL), 0);
    assert_int_equal(d.n_assigned_partitions, 0);
    assert_int_equal(ver, 0);
    /* an empty subscription is not one */
    kw_consumerprotocol_subscription s;
    assert_int_equal(kw_cp_subscription_decode(v1, 0, &s, &ver, &a, NULL), KW_ERR_TRUNCATED);
    kw_arena_free(&a);
    kw_buf_free(&b);
}

/* Annotation collector: names seen, and byte coverage of FIELD / ENTER events at depth. */
typedef struct coll {
    char names[4096];
    size_t covered;
    size_t next_off; /* FIELD/ENTER offsets must follow each other */
    int gaps, errors;
} coll;

static int collect(void *ud, const kw_ann *a)
{
    coll *c = ud;
    if (a->kind == KW_ANN_ERROR) c->errors++;
    if (a->kind != KW_ANN_FIELD && a->kind != KW_ANN_ENTER) return 0;
    if (a->off != c->next_off && a->len) c->gaps++;
    c->next_off = a->off + a->len;
    c->covered += a->len;
    size_t n = strlen(c->names);
    snprintf(c->names + n, sizeof c->names - n, "%s%s", n ? " " : "", a->name);
    return 0;
}

static void annotate_check(int api, int16_t v, int dir, const kw_buf *body, coll *c)
{
    memset(c, 0, sizeof *c);
    assert_int_equal(kw_msg_annotate(api, v, dir, body->data, body->len, 0, collect, c), 0);
    assert_int_equal(c->errors, 0);
    assert_int_equal(c->gaps, 0);
    assert_int_equal(c->covered, body->len);
}

static void test_annotated_in_group_messages(void **st)
{
    (void)st;
    kw_buf sub, asg, body;
    kw_buf_init(&sub);
    kw_buf_init(&asg);
    kw_buf_init(&body);
    kw_consumerprotocol_subscription s;
    kw_desc_defaults(&kw__ConsumerProtocolSubscription, &s);
    kw_str topics[2] = {kw_s("orders"), kw_s("refunds")};
    s.topics = topics;
    s.n_topics = 2;
    assert_int_equal(kw_cp_subscription_encode(&s, 3, &sub), 0);
    kw_consumerprotocol_assignment as;
    kw_desc_defaults(&kw__ConsumerProtocolAssignment, &as);
    int32_t p[1] = {4};
    kw_consumerprotocol_topic_partition tp = {kw_s("orders"), p, 1};
    as.assigned_partitions = &tp;
    as.n_assigned_partitions = 1;
    assert_int_equal(kw_cp_assignment_encode(&as, 3, &asg), 0);

    /* JoinGroup request v9 (flexible) and v5 (classic): the metadata opened */
    for (int16_t v = 5; v <= 9; v += 4) {
        kw_joingroup_req j;
        kw_msg_defaults(KW_API_JoinGroup, KW_REQ, &j);
        j.group_id = kw_s("g");
        j.member_id = kw_s("");
        j.protocol_type = kw_s("consumer");
        kw_joingroup_req_protocol pr[2] = {{kw_s("range"), kw_b(sub.data, sub.len)},
                                           {kw_s("cooperative-sticky"), kw_b(sub.data, sub.len)}};
        j.protocols = pr;
        j.n_protocols = 2;
        body.len = 0;
        assert_int_equal(kw_msg_encode(KW_API_JoinGroup, v, KW_REQ, &j, &body), 0);
        coll c;
        annotate_check(KW_API_JoinGroup, v, KW_REQ, &body, &c);
        assert_non_null(strstr(c.names, "metadata version topics [0] [1] user_data owned_partitions generation_id "
                                        "rack_id"));
        /* another protocol type: plain bytes */
        j.protocol_type = kw_s("connect");
        body.len = 0;
        assert_int_equal(kw_msg_encode(KW_API_JoinGroup, v, KW_REQ, &j, &body), 0);
        annotate_check(KW_API_JoinGroup, v, KW_REQ, &body, &c);
        assert_null(strstr(c.names, "version"));
    }
    /* JoinGroup response: the leader sees each member's subscription */
    kw_joingroup_resp jr;
    kw_msg_defaults(KW_API_JoinGroup, KW_RESP, &jr);
    jr.protocol_type = kw_s("consumer");
    jr.protocol_name = kw_s("range");
    jr.leader = kw_s("m1");
    jr.member_id = kw_s("m1");
    kw_joingroup_resp_member mem = {kw_s("m1"), KW_STR_NULL, kw_b(sub.data, sub.len)};
    jr.members = &mem;
    jr.n_members = 1;
    body.len = 0;
    assert_int_equal(kw_msg_encode(KW_API_JoinGroup, 7, KW_RESP, &jr, &body), 0);
    coll c;
    annotate_check(KW_API_JoinGroup, 7, KW_RESP, &body, &c);
    assert_non_null(strstr(c.names, "metadata version topics"));
    /* SyncGroup request (leader's assignments) and response (own assignment), v3: no
     * protocol_type on the wire, so the bytes are tried as an assignment */
    kw_syncgroup_req sr;
    kw_msg_defaults(KW_API_SyncGroup, KW_REQ, &sr);
    sr.group_id = kw_s("g");
    sr.generation_id = 1;
    sr.member_id = kw_s("m1");
    kw_syncgroup_req_assignment sa = {kw_s("m1"), kw_b(asg.data, asg.len)};
    sr.assignments = &sa;
    sr.n_assignments = 1;
    body.len = 0;
    assert_int_equal(kw_msg_encode(KW_API_SyncGroup, 3, KW_REQ, &sr, &body), 0);
    annotate_check(KW_API_SyncGroup, 3, KW_REQ, &body, &c);
    assert_non_null(strstr(c.names, "assignment version assigned_partitions [0] topic partitions [0] user_data"));
    kw_syncgroup_resp sp;
    kw_msg_defaults(KW_API_SyncGroup, KW_RESP, &sp);
    sp.assignment = kw_b(asg.data, asg.len);
    body.len = 0;
    assert_int_equal(kw_msg_encode(KW_API_SyncGroup, 5, KW_RESP, &sp, &body), 0);
    annotate_check(KW_API_SyncGroup, 5, KW_RESP, &body, &c);
    assert_non_null(strstr(c.names, "assignment version assigned_partitions"));
    /* bytes that do not decode as an assignment stay bytes */
    uint8_t junk[3] = {0, 0, 9};
    sp.assignment = kw_b(junk, 3);
    body.len = 0;
    assert_int_equal(kw_msg_encode(KW_API_SyncGroup, 5, KW_RESP, &sp, &body), 0);
    annotate_check(KW_API_SyncGroup, 5, KW_RESP, &body, &c);
    assert_null(strstr(c.names, "version"));
    /* DescribeGroups: a member's metadata and assignment */
    kw_describegroups_resp dr;
    kw_msg_defaults(KW_API_DescribeGroups, KW_RESP, &dr);
    kw_describegroups_member dm;
    memset(&dm, 0, sizeof dm);
    dm.member_id = kw_s("m1");
    dm.group_instance_id = KW_STR_NULL;
    dm.client_id = kw_s("c");
    dm.client_host = kw_s("/127.0.0.1");
    dm.member_metadata = kw_b(sub.data, sub.len);
    dm.member_assignment = kw_b(asg.data, asg.len);
    kw_describegroups_group dg;
    memset(&dg, 0, sizeof dg);
    dg.group_id = kw_s("g");
    dg.group_state = kw_s("Stable");
    dg.protocol_type = kw_s("consumer");
    dg.protocol_data = kw_s("range");
    dg.members = &dm;
    dg.n_members = 1;
    dg.authorized_operations = INT32_MIN;
    dr.groups = &dg;
    dr.n_groups = 1;
    body.len = 0;
    assert_int_equal(kw_msg_encode(KW_API_DescribeGroups, 5, KW_RESP, &dr, &body), 0);
    annotate_check(KW_API_DescribeGroups, 5, KW_RESP, &body, &c);
    assert_non_null(strstr(c.names, "member_metadata version topics"));
    assert_non_null(strstr(c.names, "member_assignment version assigned_partitions"));
    kw_buf_free(&sub);
    kw_buf_free(&asg);
    kw_buf_free(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subscription_bytes),
        cmocka_unit_test(test_assignment_and_versions),
        cmocka_unit_test(test_annotated_in_group_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
