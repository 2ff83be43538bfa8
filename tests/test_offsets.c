/* tests/test_offsets.c — client/admin/offsets.c's pure halves of OffsetFetch and OffsetCommit
 * around v10, which names topics by id: the version a list allows (v10 only when every
 * entry has a topic id; v9 for an empty OffsetFetch, "every committed partition"), ids
 * taken from metadata, the v10 requests carrying each topic's id (decoded back with
 * kw_msg_decode), the v10 answers applied by id (an id not asked about, or a zero id,
 * ignored; an "every partition" answer at v10 refused, not guessed), the v9 fallback
 * naming topics, and truncated answers refused. ListOffsets as a client asks it at every
 * version: replica id -1 (0 would name broker 0, a follower, answered with its log end
 * and no isolation), the isolation level and timestamp, each topic once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "client/admin/offsets.h"
#include "proto/msg_listoffsets.h"
#include "proto/msg_offsetcommit.h"
#include "proto/msg_offsetfetch.h"
#include "proto/proto.h"

static kw_uuid uuid_of(uint8_t x)
{
    kw_uuid u;
    for (int i = 0; i < 16; i++) u.b[i] = (uint8_t)(x + i);
    return u;
}

static int uuid_eq(kw_uuid a, kw_uuid b) { return !memcmp(&a, &b, sizeof a); }

static int str_is(kw_str s, const char *c) { return s.len == (int32_t)strlen(c) && !memcmp(s.p, c, (size_t)s.len); }

/* orders/0, orders/1, audit/0 with ids 0x10.. and 0x40.. */
static void three(kw_tpo_list *l)
{
    kw_tpo_init(l);
    assert_int_equal(kw_tpo_add(l, "orders", 0, 42), 0);
    assert_int_equal(kw_tpo_add(l, "orders", 1, 7), 0);
    assert_int_equal(kw_tpo_add(l, "audit", 0, 3), 0);
    l->v[0].topic_id = l->v[1].topic_id = uuid_of(0x10);
    l->v[2].topic_id = uuid_of(0x40);
}

static void test_max_version(void **st)
{
    (void)st;
    kw_tpo_list l;
    kw_tpo_init(&l);
    assert_int_equal(kw_offsets_max_version(&l), 9); /* every committed partition: v9 */
    assert_int_equal(kw_tpo_add(&l, "orders", 0, -1), 0);
    assert_true(uuid_eq(l.v[0].topic_id, (kw_uuid){{0}})); /* added without an id */
    assert_int_equal(kw_offsets_max_version(&l), 9);
    kw_tpo_free(&l);
    three(&l);
    assert_int_equal(kw_offsets_max_version(&l), -1); /* kwire's bound: v10 */
    memset(&l.v[2].topic_id, 0, sizeof l.v[2].topic_id);
    assert_int_equal(kw_offsets_max_version(&l), 9);
    kw_tpo_free(&l);
}

static void test_set_ids_from_metadata(void **st)
{
    (void)st;
    kw_meta_topic mt[2];
    memset(mt, 0, sizeof mt);
    mt[0].name = "orders";
    mt[0].id = uuid_of(0x10);
    mt[1].name = "legacy"; /* a broker before Metadata v10: no id */
    kw_meta m;
    memset(&m, 0, sizeof m);
    m.topics = mt;
    m.ntopics = 2;
    kw_tpo_list l;
    kw_tpo_init(&l);
    assert_int_equal(kw_tpo_add(&l, "orders", 1, -1), 0);
    assert_int_equal(kw_tpo_add(&l, "legacy", 0, -1), 0);
    assert_int_equal(kw_tpo_add(&l, "gone", 0, -1), 0);
    kw_tpo_set_ids(&l, &m);
    assert_true(uuid_eq(l.v[0].topic_id, uuid_of(0x10)));
    assert_true(uuid_eq(l.v[1].topic_id, (kw_uuid){{0}}));
    assert_true(uuid_eq(l.v[2].topic_id, (kw_uuid){{0}}));
    assert_int_equal(kw_offsets_max_version(&l), 9);
    kw_tpo_free(&l);
}

static void test_fetch_v10_request_carries_ids(void **st)
{
    (void)st;
    kw_tpo_list l;
    three(&l);
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_offsets_fetch_encode("g1", &l, 10, &b), 0);
    kw_arena a;
    kw_arena_init(&a);
    kw_offsetfetch_req r;
    assert_int_equal(kw_msg_decode(KW_API_OffsetFetch, 10, KW_REQ, b.data, b.len, &r, &a, NULL), 0);
    assert_int_equal(r.n_groups, 1);
    assert_true(str_is(r.groups[0].group_id, "g1"));
    assert_int_equal(r.groups[0].n_topics, 2);
    const kw_offsetfetch_req_topic *t = r.groups[0].topics;
    assert_true(uuid_eq(t[0].topic_id, uuid_of(0x10)));
    assert_int_equal(t[0].n_partition_indexes, 2);
    assert_int_equal(t[0].partition_indexes[0], 0);
    assert_int_equal(t[0].partition_indexes[1], 1);
    assert_true(uuid_eq(t[1].topic_id, uuid_of(0x40)));
    assert_int_equal(t[1].n_partition_indexes, 1);
    assert_int_equal(t[1].partition_indexes[0], 0);
    assert_int_equal(t[0].name.len, 0); /* not on the wire at v10 */
    kw_arena_free(&a);
    kw_buf_free(&b);
    kw_tpo_free(&l);
}

static void test_fetch_v10_refused_without_ids(void **st)
{
    (void)st;
    kw_tpo_list l;
    three(&l);
    memset(&l.v[1].topic_id, 0, sizeof l.v[1].topic_id);
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_offsets_fetch_encode("g1", &l, 10, &b), KW_ERR_VERSION);
    /* v9: the topics by name */
    b.len = 0;
    assert_int_equal(kw_offsets_fetch_encode("g1", &l, 9, &b), 0);
    kw_arena a;
    kw_arena_init(&a);
    kw_offsetfetch_req r;
    assert_int_equal(kw_msg_decode(KW_API_OffsetFetch, 9, KW_REQ, b.data, b.len, &r, &a, NULL), 0);
    assert_int_equal(r.groups[0].n_topics, 2);
    assert_true(str_is(r.groups[0].topics[0].name, "orders"));
    assert_true(str_is(r.groups[0].topics[1].name, "audit"));
    /* every committed partition: refused at v10, a null topic array at v9 */
    kw_tpo_list none;
    kw_tpo_init(&none);
    b.len = 0;
    assert_int_equal(kw_offsets_fetch_encode("g1", &none, 10, &b), KW_ERR_VERSION);
    b.len = 0;
    assert_int_equal(kw_offsets_fetch_encode("g1", &none, 9, &b), 0);
    kw_arena_reset(&a);
    assert_int_equal(kw_msg_decode(KW_API_OffsetFetch, 9, KW_REQ, b.data, b.len, &r, &a, NULL), 0);
    assert_int_equal(r.groups[0].n_topics, -1);
    kw_arena_free(&a);
    kw_buf_free(&b);
    kw_tpo_free(&l);
}

/* An OffsetFetch answer at version v for group g1: topics (id or name) with partitions. */
typedef struct of_topic {
    const char *name;
    kw_uuid id;
    int n;
    kw_offsetfetch_resp_partition p[3];
} of_topic;

static void of_answer(int16_t v, of_topic *ts, int nt, kw_buf *out)
{
    kw_offsetfetch_resp_topic rt[4];
    memset(rt, 0, sizeof rt);
    for (int i = 0; i < nt; i++) {
        rt[i].name = kw_s(ts[i].name);
        rt[i].topic_id = ts[i].id;
        rt[i].partitions = ts[i].p;
        rt[i].n_partitions = ts[i].n;
        for (int k = 0; k < ts[i].n; k++) ts[i].p[k].metadata = kw_s("");
    }
    kw_offsetfetch_resp_group g;
    memset(&g, 0, sizeof g);
    g.group_id = kw_s("g1");
    g.topics = rt;
    g.n_topics = nt;
    kw_offsetfetch_resp r;
    kw_msg_defaults(KW_API_OffsetFetch, KW_RESP, &r);
    r.groups = &g;
    r.n_groups = 1;
    out->len = 0;
    assert_int_equal(kw_msg_encode(KW_API_OffsetFetch, v, KW_RESP, &r, out), 0);
}

static void test_fetch_v10_answer_applied_by_id(void **st)
{
    (void)st;
    kw_tpo_list l;
    three(&l);
    for (size_t i = 0; i < l.n; i++) l.v[i].offset = -1;
    /* orders by its id (named "audit" to show names do not count at v10), an id kwire
     * did not ask about, and a zero id: only orders' partitions are filled */
    of_topic ts[3] = {
        {"audit", uuid_of(0x10), 2, {{.partition_index = 1, .committed_offset = 70, .committed_leader_epoch = 4},
                                     {.partition_index = 0, .committed_offset = 40, .committed_leader_epoch = 3}}},
        {"orders", uuid_of(0x77), 1, {{.partition_index = 0, .committed_offset = 999}}},
        {"audit", {{0}}, 1, {{.partition_index = 0, .committed_offset = 888}}},
    };
    kw_buf b;
    kw_buf_init(&b);
    of_answer(10, ts, 3, &b);
    assert_int_equal(kw_offsets_fetch_apply(&l, 10, b.data, b.len), 0);
    assert_int_equal(l.v[0].offset, 40);
    assert_int_equal(l.v[0].leader_epoch, 3);
    assert_int_equal(l.v[1].offset, 70);
    assert_int_equal(l.v[1].leader_epoch, 4);
    assert_int_equal(l.v[2].offset, -1); /* audit was not answered */
    assert_int_equal(l.v[2].error, 0);
    /* a partition's error by id */
    ts[0].p[1].error_code = KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
    of_answer(10, ts, 1, &b);
    assert_int_equal(kw_offsets_fetch_apply(&l, 10, b.data, b.len), KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION);
    assert_int_equal(l.v[0].error, KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION);
    assert_int_equal(l.v[1].error, 0);
    /* truncated anywhere: refused, nothing crashes */
    of_answer(10, ts, 3, &b);
    for (size_t cut = 0; cut < b.len; cut++) assert_true(kw_offsets_fetch_apply(&l, 10, b.data, cut) != 0);
    kw_buf_free(&b);
    kw_tpo_free(&l);
}

static void test_fetch_v9_answer_by_name(void **st)
{
    (void)st;
    kw_tpo_list l;
    three(&l);
    memset(&l.v[0].topic_id, 0, sizeof l.v[0].topic_id); /* ids play no part at v9 */
    of_topic ts[1] = {{"audit", uuid_of(0x10), 1, {{.partition_index = 0, .committed_offset = 5}}}};
    kw_buf b;
    kw_buf_init(&b);
    of_answer(9, ts, 1, &b);
    assert_int_equal(kw_offsets_fetch_apply(&l, 9, b.data, b.len), 0);
    assert_int_equal(l.v[2].offset, 5);
    assert_int_equal(l.v[0].offset, 42);
    /* every committed partition at v9: added by name */
    kw_tpo_list all;
    kw_tpo_init(&all);
    assert_int_equal(kw_offsets_fetch_apply(&all, 9, b.data, b.len), 0);
    assert_int_equal(all.n, 1);
    assert_string_equal(all.v[0].topic, "audit");
    assert_int_equal(all.v[0].offset, 5);
    kw_tpo_free(&all);
    /* ... and at v10 nothing names the ids: refused, the list left empty */
    of_answer(10, ts, 1, &b);
    kw_tpo_init(&all);
    assert_int_equal(kw_offsets_fetch_apply(&all, 10, b.data, b.len), KW_ERR_VERSION);
    assert_int_equal(all.n, 0);
    kw_tpo_free(&all);
    kw_buf_free(&b);
    kw_tpo_free(&l);
}

static void test_commit_v10_request_carries_ids(void **st)
{
    (void)st;
    kw_tpo_list l;
    three(&l);
    kw_commit_id id = {5, "m1", NULL};
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_offsets_commit_encode("g1", &id, &l, 10, &b), 0);
    kw_arena a;
    kw_arena_init(&a);
    kw_offsetcommit_req r;
    assert_int_equal(kw_msg_decode(KW_API_OffsetCommit, 10, KW_REQ, b.data, b.len, &r, &a, NULL), 0);
    assert_true(str_is(r.group_id, "g1"));
    assert_int_equal(r.generation_id_or_member_epoch, 5);
    assert_true(str_is(r.member_id, "m1"));
    assert_int_equal(r.n_topics, 2);
    assert_true(uuid_eq(r.topics[0].topic_id, uuid_of(0x10)));
    assert_int_equal(r.topics[0].name.len, 0); /* not on the wire at v10 */
    assert_int_equal(r.topics[0].n_partitions, 2);
    assert_int_equal(r.topics[0].partitions[0].partition_index, 0);
    assert_int_equal(r.topics[0].partitions[0].committed_offset, 42);
    assert_int_equal(r.topics[0].partitions[1].partition_index, 1);
    assert_int_equal(r.topics[0].partitions[1].committed_offset, 7);
    assert_true(uuid_eq(r.topics[1].topic_id, uuid_of(0x40)));
    assert_int_equal(r.topics[1].partitions[0].committed_offset, 3);
    /* an entry without its id: refused at v10, by name at v9 */
    memset(&l.v[2].topic_id, 0, sizeof l.v[2].topic_id);
    b.len = 0;
    assert_int_equal(kw_offsets_commit_encode("g1", &id, &l, 10, &b), KW_ERR_VERSION);
    b.len = 0;
    assert_int_equal(kw_offsets_commit_encode("g1", &id, &l, 9, &b), 0);
    kw_arena_reset(&a);
    assert_int_equal(kw_msg_decode(KW_API_OffsetCommit, 9, KW_REQ, b.data, b.len, &r, &a, NULL), 0);
    assert_true(str_is(r.topics[0].name, "orders"));
    assert_true(str_is(r.topics[1].name, "audit"));
    assert_int_equal(r.topics[1].partitions[0].committed_offset, 3);
    kw_arena_free(&a);
    kw_buf_free(&b);
    kw_tpo_free(&l);
}

/* An OffsetCommit answer at v: topics[i] (name, id) with one partition each. */
static void oc_answer(int16_t v, const char *const *names, const kw_uuid *ids, const int32_t *parts,
                      const int16_t *errs, int n, kw_buf *out)
{
    kw_offsetcommit_resp_topic rt[4];
    kw_offsetcommit_resp_partition rp[4];
    memset(rt, 0, sizeof rt);
    for (int i = 0; i < n; i++) {
        rp[i].partition_index = parts[i];
        rp[i].error_code = errs[i];
        rt[i].name = kw_s(names[i]);
        rt[i].topic_id = ids[i];
        rt[i].partitions = &rp[i];
        rt[i].n_partitions = 1;
    }
    kw_offsetcommit_resp r;
    kw_msg_defaults(KW_API_OffsetCommit, KW_RESP, &r);
    r.topics = rt;
    r.n_topics = n;
    out->len = 0;
    assert_int_equal(kw_msg_encode(KW_API_OffsetCommit, v, KW_RESP, &r, out), 0);
}

static void test_commit_v10_answer_applied_by_id(void **st)
{
    (void)st;
    kw_tpo_list l;
    three(&l);
    /* orders/1 refused, audit/0 fine, an unknown id's error ignored */
    const char *names[3] = {"audit", "orders", "orders"};
    kw_uuid ids[3] = {uuid_of(0x10), uuid_of(0x40), uuid_of(0x99)};
    int32_t parts[3] = {1, 0, 0};
    int16_t errs[3] = {KW_KAFKA_ILLEGAL_GENERATION, 0, KW_KAFKA_GROUP_AUTHORIZATION_FAILED};
    kw_buf b;
    kw_buf_init(&b);
    oc_answer(10, names, ids, parts, errs, 3, &b);
    assert_int_equal(kw_offsets_commit_apply(&l, 10, b.data, b.len), KW_KAFKA_ILLEGAL_GENERATION);
    assert_int_equal(l.v[0].error, 0);
    assert_int_equal(l.v[1].error, KW_KAFKA_ILLEGAL_GENERATION);
    assert_int_equal(l.v[2].error, 0);
    /* the unknown id alone: nothing of l matched, no error */
    for (size_t i = 0; i < l.n; i++) l.v[i].error = 0;
    oc_answer(10, names + 2, ids + 2, parts + 2, errs + 2, 1, &b);
    assert_int_equal(kw_offsets_commit_apply(&l, 10, b.data, b.len), 0);
    for (size_t i = 0; i < l.n; i++) assert_int_equal(l.v[i].error, 0);
    /* v9: by name ("audit" partition 1 is not in l; "orders" 0 is) */
    oc_answer(9, names, ids, parts, errs, 2, &b);
    assert_int_equal(kw_offsets_commit_apply(&l, 9, b.data, b.len), 0);
    errs[1] = KW_KAFKA_OFFSET_METADATA_TOO_LARGE;
    oc_answer(9, names, ids, parts, errs, 2, &b);
    assert_int_equal(kw_offsets_commit_apply(&l, 9, b.data, b.len), KW_KAFKA_OFFSET_METADATA_TOO_LARGE);
    assert_int_equal(l.v[0].error, KW_KAFKA_OFFSET_METADATA_TOO_LARGE);
    /* truncated anywhere: refused */
    oc_answer(10, names, ids, parts, errs, 3, &b);
    for (size_t cut = 0; cut < b.len; cut++) assert_true(kw_offsets_commit_apply(&l, 10, b.data, cut) != 0);
    kw_buf_free(&b);
    kw_tpo_free(&l);
}

static void test_list_offsets_as_a_client(void **st)
{
    (void)st;
    kw_tpo_list l;
    three(&l);
    int16_t lo, hi;
    assert_int_equal(kw_api_range(KW_API_ListOffsets, &lo, &hi), 0);
    for (int16_t v = lo; v <= hi; v++) {
        kw_buf b;
        kw_buf_init(&b);
        assert_int_equal(kw_list_offsets_encode(&l, -1, 1, v, &b), 0);
        kw_arena a;
        kw_arena_init(&a);
        kw_listoffsets_req r;
        assert_int_equal(kw_msg_decode(KW_API_ListOffsets, v, KW_REQ, b.data, b.len, &r, &a, NULL), 0);
        assert_int_equal(r.replica_id, -1);
        if (v >= 2) assert_int_equal(r.isolation_level, 1);
        assert_int_equal(r.n_topics, 2);
        assert_true(str_is(r.topics[0].name, "orders"));
        assert_int_equal(r.topics[0].n_partitions, 2);
        assert_int_equal(r.topics[0].partitions[1].partition_index, 1);
        assert_int_equal(r.topics[0].partitions[1].timestamp, -1);
        assert_true(str_is(r.topics[1].name, "audit"));
        kw_arena_free(&a);
        kw_buf_free(&b);
    }
    kw_tpo_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_version),
        cmocka_unit_test(test_list_offsets_as_a_client),
        cmocka_unit_test(test_set_ids_from_metadata),
        cmocka_unit_test(test_fetch_v10_request_carries_ids),
        cmocka_unit_test(test_fetch_v10_refused_without_ids),
        cmocka_unit_test(test_fetch_v10_answer_applied_by_id),
        cmocka_unit_test(test_fetch_v9_answer_by_name),
        cmocka_unit_test(test_commit_v10_request_carries_ids),
        cmocka_unit_test(test_commit_v10_answer_applied_by_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
