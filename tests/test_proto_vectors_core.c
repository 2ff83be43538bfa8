/*
 * tests/test_proto_vectors_core.c — byte-exact vectors for ApiVersions, Metadata,
 * Produce and Fetch at their lowest, first flexible and highest versions, requests and
 * responses. Every expected byte was worked out by hand from the grammar in
 * protocol_messages.txt (and the Kafka schemas for the newest response versions and
 * tagged fields), field by field as commented; both directions are checked: struct ->
 * bytes equal, and bytes -> struct fields equal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "proto/msg_apiversions.h"
#include "proto/msg_fetch.h"
#include "proto/msg_metadata.h"
#include "proto/msg_produce.h"

#define U16(v) (uint8_t)((v) >> 8), (uint8_t)(v)
#define I32(v) (uint8_t)((uint32_t)(v) >> 24), (uint8_t)((uint32_t)(v) >> 16), (uint8_t)((uint32_t)(v) >> 8), (uint8_t)(v)
#define I64(v) I32((uint64_t)(v) >> 32), I32((uint64_t)(v) & 0xffffffffu)
#define FF8 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
#define UUID_A 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10
#define UUID_B 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f

static const kw_uuid uuid_a = {{UUID_A}};
static const kw_uuid uuid_b = {{UUID_B}};

/* struct -> bytes must equal want (and kw_msg_size agree) */
static void enc_eq(int key, int16_t v, int dir, const void *msg, const uint8_t *want, size_t n)
{
    kw_buf b; kw_buf_init(&b);
    int rc = kw_msg_encode(key, v, dir, msg, &b);
    if (rc) fail_msg("%s v%d: encode %s", kw_api_name(key), v, kw_err_name(rc));
    if (b.len != n) fail_msg("%s v%d dir %d: %zu bytes, want %zu", kw_api_name(key), v, dir, b.len, n);
    assert_memory_equal(b.data, want, n);
    assert_int_equal(kw_msg_size(key, v, dir, msg), n);
    kw_buf_free(&b);
}

/* bytes -> struct (caller checks the fields) */
static void dec_ok(int key, int16_t v, int dir, const uint8_t *p, size_t n, void *out, kw_arena *a)
{
    kw_proto_err e;
    int rc = kw_msg_decode(key, v, dir, p, n, out, a, &e);
    if (rc) fail_msg("%s v%d: decode %s at %s (%zu)", kw_api_name(key), v, kw_err_name(rc), e.path, e.off);
}

static void str_eq(kw_str s, const char *want)
{
    if (!want) { assert_int_equal(s.len, -1); return; }
    assert_int_equal(s.len, (int32_t)strlen(want));
    assert_memory_equal(s.p, want, (size_t)s.len);
}

/* ------------------------------------------------------------ ApiVersions */

static void test_apiversions(void **st)
{
    (void)st;
    kw_arena a; kw_arena_init(&a);
    /* v0 request: empty body */
    kw_apiversions_req q = {kw_s("kwire"), kw_s("0.1")};
    enc_eq(KW_API_ApiVersions, 0, KW_REQ, &q, (const uint8_t *)"", 0);
    /* v3 request */
    const uint8_t q3[] = {
        0x06, 'k', 'w', 'i', 'r', 'e', /* client_software_name: compact string, length 5+1 */
        0x04, '0', '.', '1',           /* client_software_version "0.1" */
        0x00,                          /* _tagged_fields: none */
    };
    enc_eq(KW_API_ApiVersions, 3, KW_REQ, &q, q3, sizeof q3);
    enc_eq(KW_API_ApiVersions, 4, KW_REQ, &q, q3, sizeof q3); /* v4: same layout */
    kw_apiversions_req dq;
    dec_ok(KW_API_ApiVersions, 4, KW_REQ, q3, sizeof q3, &dq, &a);
    str_eq(dq.client_software_name, "kwire");
    str_eq(dq.client_software_version, "0.1");

    /* v0 response */
    const uint8_t r0[] = {
        U16(0),                        /* error_code */
        I32(2),                        /* api_keys: int32 count */
        U16(0), U16(3), U16(12),       /* Produce 3..12 */
        U16(18), U16(0), U16(4),       /* ApiVersions 0..4 */
    };
    kw_apiversions_key keys[] = {{0, 3, 12}, {18, 0, 4}};
    kw_apiversions_resp r;
    kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
    r.api_keys = keys; r.n_api_keys = 2;
    enc_eq(KW_API_ApiVersions, 0, KW_RESP, &r, r0, sizeof r0);
    kw_apiversions_resp d;
    dec_ok(KW_API_ApiVersions, 0, KW_RESP, r0, sizeof r0, &d, &a);
    assert_int_equal(d.error_code, 0);
    assert_int_equal(d.n_api_keys, 2);
    assert_int_equal(d.api_keys[0].max_version, 12);
    assert_int_equal(d.api_keys[1].api_key, 18);
    assert_int_equal(d.throttle_time_ms, 0);          /* absent in v0: default */
    assert_true(d.finalized_features_epoch == -1);    /* absent: default -1 */

    /* v3 response with two tagged fields */
    const uint8_t r3[] = {
        U16(0),                        /* error_code */
        0x02,                          /* api_keys: compact array, 1 element */
        U16(3), U16(0), U16(13), 0x00, /* Metadata 0..13, element _tagged_fields */
        I32(0),                        /* throttle_time_ms */
        0x02,                          /* _tagged_fields: 2 */
        0x01, 0x08, I64(7),            /* tag 1 finalized_features_epoch, 8 bytes: 7 */
        0x03, 0x01, 0x01,              /* tag 3 zk_migration_ready, 1 byte: true */
    };
    kw_apiversions_key k3[] = {{3, 0, 13}};
    kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
    r.api_keys = k3; r.n_api_keys = 1;
    r.finalized_features_epoch = 7;
    r.zk_migration_ready = 1;
    enc_eq(KW_API_ApiVersions, 3, KW_RESP, &r, r3, sizeof r3);
    dec_ok(KW_API_ApiVersions, 3, KW_RESP, r3, sizeof r3, &d, &a);
    assert_int_equal(d.api_keys[0].max_version, 13);
    assert_true(d.finalized_features_epoch == 7);
    assert_int_equal(d.zk_migration_ready, 1);
    assert_int_equal(d.n_supported_features, 0);

    /* v4 response: supported_features (tag 0) */
    const uint8_t r4[] = {
        U16(0),                        /* error_code */
        0x01,                          /* api_keys: empty compact array */
        I32(100),                      /* throttle_time_ms 100 */
        0x01,                          /* _tagged_fields: 1 */
        0x00, 0x08,                    /* tag 0 supported_features, 8 bytes: */
        0x02,                          /*   compact array, 1 element */
        0x02, 'm',                     /*   name "m" */
        U16(1), U16(2),                /*   min_version 1, max_version 2 */
        0x00,                          /*   element _tagged_fields */
    };
    kw_apiversions_feature feat = {kw_s("m"), 1, 2};
    kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
    r.throttle_time_ms = 100;
    r.supported_features = &feat; r.n_supported_features = 1;
    enc_eq(KW_API_ApiVersions, 4, KW_RESP, &r, r4, sizeof r4);
    dec_ok(KW_API_ApiVersions, 4, KW_RESP, r4, sizeof r4, &d, &a);
    assert_int_equal(d.throttle_time_ms, 100);
    assert_int_equal(d.n_api_keys, 0);
    assert_int_equal(d.n_supported_features, 1);
    str_eq(d.supported_features[0].name, "m");
    assert_int_equal(d.supported_features[0].max_version, 2);
    assert_true(d.finalized_features_epoch == -1);
    kw_arena_free(&a);
}

/* ------------------------------------------------------------ Metadata */

static void test_metadata_requests(void **st)
{
    (void)st;
    kw_arena a; kw_arena_init(&a);
    kw_metadata_req q, d;
    /* v0 */
    const uint8_t q0[] = {
        I32(1),                        /* topics: 1 */
        U16(1), 't',                   /* name "t" */
    };
    kw_metadata_req_topic t = {{{0}}, kw_s("t")};
    kw_msg_defaults(KW_API_Metadata, KW_REQ, &q);
    q.topics = &t; q.n_topics = 1;
    enc_eq(KW_API_Metadata, 0, KW_REQ, &q, q0, sizeof q0);
    dec_ok(KW_API_Metadata, 0, KW_REQ, q0, sizeof q0, &d, &a);
    assert_int_equal(d.n_topics, 1);
    str_eq(d.topics[0].name, "t");
    /* v9: null topics array (= all topics) */
    const uint8_t q9[] = {
        0x00,                          /* topics: compact null array */
        0x01,                          /* allow_auto_topic_creation true */
        0x00,                          /* include_cluster_authorized_operations false */
        0x01,                          /* include_topic_authorized_operations true */
        0x00,                          /* _tagged_fields */
    };
    kw_msg_defaults(KW_API_Metadata, KW_REQ, &q);
    assert_int_equal(q.allow_auto_topic_creation, 1); /* default true */
    q.topics = NULL; q.n_topics = -1;
    q.include_topic_authorized_operations = 1;
    enc_eq(KW_API_Metadata, 9, KW_REQ, &q, q9, sizeof q9);
    dec_ok(KW_API_Metadata, 9, KW_REQ, q9, sizeof q9, &d, &a);
    assert_int_equal(d.n_topics, -1);
    assert_null(d.topics);
    assert_int_equal(d.include_topic_authorized_operations, 1);
    /* v13: a topic by id with a null name */
    const uint8_t q13[] = {
        0x02,                          /* topics: 1 */
        UUID_A,                        /* topic_id */
        0x00,                          /* name: compact nullable string, null */
        0x00,                          /* topic _tagged_fields */
        0x00,                          /* allow_auto_topic_creation false */
        0x00,                          /* include_topic_authorized_operations false */
        0x00,                          /* _tagged_fields */
    };
    kw_metadata_req_topic t13 = {uuid_a, KW_STR_NULL};
    kw_msg_defaults(KW_API_Metadata, KW_REQ, &q);
    q.topics = &t13; q.n_topics = 1;
    q.allow_auto_topic_creation = 0;
    enc_eq(KW_API_Metadata, 13, KW_REQ, &q, q13, sizeof q13);
    dec_ok(KW_API_Metadata, 13, KW_REQ, q13, sizeof q13, &d, &a);
    assert_memory_equal(d.topics[0].topic_id.b, uuid_a.b, 16);
    assert_int_equal(d.topics[0].name.len, -1);
    assert_int_equal(d.allow_auto_topic_creation, 0);
    kw_arena_free(&a);
}

static void test_metadata_responses(void **st)
{
    (void)st;
    kw_arena a; kw_arena_init(&a);
    kw_metadata_resp r, d;
    int32_t one[] = {1};
    /* v0 */
    const uint8_t r0[] = {
        I32(1),                        /* brokers: 1 */
        I32(1), U16(1), 'h', I32(9092), /* node_id 1, host "h", port 9092 */
        I32(1),                        /* topics: 1 */
        U16(0), U16(1), 't',           /* error_code 0, name "t" */
        I32(1),                        /* partitions: 1 */
        U16(0), I32(0), I32(1),        /* error_code, partition_index 0, leader_id 1 */
        I32(1), I32(1),                /* replica_nodes [1] */
        I32(1), I32(1),                /* isr_nodes [1] */
    };
    kw_metadata_broker br = {1, kw_s("h"), 9092, KW_STR_NULL};
    kw_metadata_partition pa;
    kw_metadata_topic tp;
    memset(&pa, 0, sizeof pa);
    pa.leader_id = 1; pa.leader_epoch = -1;
    pa.replica_nodes = one; pa.n_replica_nodes = 1;
    pa.isr_nodes = one; pa.n_isr_nodes = 1;
    memset(&tp, 0, sizeof tp);
    tp.name = kw_s("t"); tp.partitions = &pa; tp.n_partitions = 1;
    kw_msg_defaults(KW_API_Metadata, KW_RESP, &r);
    r.brokers = &br; r.n_brokers = 1;
    r.topics = &tp; r.n_topics = 1;
    enc_eq(KW_API_Metadata, 0, KW_RESP, &r, r0, sizeof r0);
    dec_ok(KW_API_Metadata, 0, KW_RESP, r0, sizeof r0, &d, &a);
    assert_int_equal(d.brokers[0].port, 9092);
    str_eq(d.brokers[0].host, "h");
    str_eq(d.brokers[0].rack, NULL);
    assert_int_equal(d.controller_id, -1);
    str_eq(d.topics[0].name, "t");
    assert_int_equal(d.topics[0].partitions[0].leader_id, 1);
    assert_int_equal(d.topics[0].partitions[0].leader_epoch, -1);
    assert_int_equal(d.topics[0].partitions[0].isr_nodes[0], 1);
    assert_int_equal(d.topics[0].partitions[0].n_offline_replicas, 0);
    /* v9: null rack, no topics */
    const uint8_t r9[] = {
        I32(0),                        /* throttle_time_ms */
        0x02,                          /* brokers: 1 */
        I32(1), 0x02, 'h', I32(9092),  /* node_id, host "h", port */
        0x00,                          /* rack: null */
        0x00,                          /* broker _tagged_fields */
        0x02, 'c',                     /* cluster_id "c" */
        I32(1),                        /* controller_id 1 */
        0x01,                          /* topics: empty */
        I32(INT32_MIN),                /* cluster_authorized_operations (v8-10) */
        0x00,                          /* _tagged_fields */
    };
    kw_msg_defaults(KW_API_Metadata, KW_RESP, &r);
    r.brokers = &br; r.n_brokers = 1;
    r.cluster_id = kw_s("c"); r.controller_id = 1;
    r.topics = NULL; r.n_topics = 0;
    enc_eq(KW_API_Metadata, 9, KW_RESP, &r, r9, sizeof r9);
    dec_ok(KW_API_Metadata, 9, KW_RESP, r9, sizeof r9, &d, &a);
    str_eq(d.cluster_id, "c");
    assert_int_equal(d.controller_id, 1);
    assert_int_equal(d.n_topics, 0);
    assert_int_equal(d.cluster_authorized_operations, INT32_MIN);
    str_eq(d.brokers[0].rack, NULL);
    /* v13: topic found by id only (null name), top-level error_code */
    const uint8_t r13[] = {
        I32(0),                        /* throttle_time_ms */
        0x01,                          /* brokers: empty */
        0x00,                          /* cluster_id: null */
        I32(-1),                       /* controller_id */
        0x02,                          /* topics: 1 */
        U16(3),                        /* error_code 3 UNKNOWN_TOPIC_OR_PARTITION */
        0x00,                          /* name: null */
        UUID_A,                        /* topic_id */
        0x00,                          /* is_internal false */
        0x01,                          /* partitions: empty */
        I32(INT32_MIN),                /* topic_authorized_operations */
        0x00,                          /* topic _tagged_fields */
        U16(129),                      /* error_code REBOOTSTRAP_REQUIRED (v13+) */
        0x00,                          /* _tagged_fields */
    };
    kw_metadata_topic t13;
    memset(&t13, 0, sizeof t13);
    t13.error_code = 3; t13.name = KW_STR_NULL; t13.topic_id = uuid_a;
    t13.topic_authorized_operations = INT32_MIN;
    kw_msg_defaults(KW_API_Metadata, KW_RESP, &r);
    r.topics = &t13; r.n_topics = 1;
    r.error_code = 129;
    enc_eq(KW_API_Metadata, 13, KW_RESP, &r, r13, sizeof r13);
    dec_ok(KW_API_Metadata, 13, KW_RESP, r13, sizeof r13, &d, &a);
    assert_int_equal(d.error_code, 129);
    assert_int_equal(d.topics[0].error_code, 3);
    str_eq(d.topics[0].name, NULL);
    assert_memory_equal(d.topics[0].topic_id.b, uuid_a.b, 16);
    str_eq(d.cluster_id, NULL);
    kw_arena_free(&a);
}

/* ------------------------------------------------------------ Produce */

static void test_produce_requests(void **st)
{
    (void)st;
    kw_arena a; kw_arena_init(&a);
    kw_produce_req q, d;
    static const uint8_t rec3[] = {0xaa, 0xbb, 0xcc};
    /* v3 */
    const uint8_t q3[] = {
        U16(0xffff),                   /* transactional_id: null (int16 -1) */
        U16(0xffff),                   /* acks -1 */
        I32(1000),                     /* timeout_ms */
        I32(1),                        /* topic_data: 1 */
        U16(1), 't',                   /* name "t" */
        I32(1),                        /* partition_data: 1 */
        I32(0),                        /* index 0 */
        I32(3), 0xaa, 0xbb, 0xcc,      /* records: int32 length 3 + bytes */
    };
    kw_produce_partition p = {0, kw_b(rec3, 3)};
    kw_produce_topic t = {.name = kw_s("t"), .partition_data = &p, .n_partition_data = 1};
    q.transactional_id = KW_STR_NULL; q.acks = -1; q.timeout_ms = 1000;
    q.topic_data = &t; q.n_topic_data = 1;
    enc_eq(KW_API_Produce, 3, KW_REQ, &q, q3, sizeof q3);
    dec_ok(KW_API_Produce, 3, KW_REQ, q3, sizeof q3, &d, &a);
    str_eq(d.transactional_id, NULL);
    assert_int_equal(d.acks, -1);
    assert_int_equal(d.topic_data[0].partition_data[0].records.len, 3);
    /* the records are a slice into the input, not a copy */
    assert_ptr_equal(d.topic_data[0].partition_data[0].records.p, q3 + sizeof q3 - 3);
    /* v9: null records */
    const uint8_t q9[] = {
        0x02, 'x',                     /* transactional_id "x" */
        U16(1),                        /* acks 1 */
        I32(30000),                    /* timeout_ms */
        0x02,                          /* topic_data: 1 */
        0x02, 't',                     /* name "t" */
        0x02,                          /* partition_data: 1 */
        I32(1),                        /* index 1 */
        0x00,                          /* records: compact null */
        0x00,                          /* partition _tagged_fields */
        0x00,                          /* topic _tagged_fields */
        0x00,                          /* _tagged_fields */
    };
    kw_produce_partition p9 = {1, KW_BYTES_NULL};
    kw_produce_topic t9 = {.name = kw_s("t"), .partition_data = &p9, .n_partition_data = 1};
    q.transactional_id = kw_s("x"); q.acks = 1; q.timeout_ms = 30000;
    q.topic_data = &t9;
    enc_eq(KW_API_Produce, 9, KW_REQ, &q, q9, sizeof q9);
    dec_ok(KW_API_Produce, 9, KW_REQ, q9, sizeof q9, &d, &a);
    str_eq(d.transactional_id, "x");
    assert_int_equal(d.topic_data[0].partition_data[0].index, 1);
    assert_int_equal(d.topic_data[0].partition_data[0].records.len, -1);
    /* v12 */
    const uint8_t q12[] = {
        0x00,                          /* transactional_id: null */
        U16(0xffff),                   /* acks -1 */
        I32(1000),                     /* timeout_ms */
        0x02, 0x02, 't',               /* topic_data: 1, name "t" */
        0x02, I32(0),                  /* partition_data: 1, index 0 */
        0x03, 0x01, 0x02,              /* records: compact, 2 bytes */
        0x00, 0x00, 0x00,              /* _tagged_fields: partition, topic, request */
    };
    static const uint8_t rec12[] = {0x01, 0x02};
    kw_produce_partition p12 = {0, kw_b(rec12, 2)};
    kw_produce_topic t12 = {.name = kw_s("t"), .partition_data = &p12, .n_partition_data = 1};
    q.transactional_id = KW_STR_NULL; q.acks = -1; q.timeout_ms = 1000;
    q.topic_data = &t12;
    enc_eq(KW_API_Produce, 12, KW_REQ, &q, q12, sizeof q12);
    dec_ok(KW_API_Produce, 12, KW_REQ, q12, sizeof q12, &d, &a);
    assert_int_equal(d.topic_data[0].partition_data[0].records.len, 2);
    assert_memory_equal(d.topic_data[0].partition_data[0].records.p, rec12, 2);
    kw_arena_free(&a);
}

static void test_produce_responses(void **st)
{
    (void)st;
    kw_arena a; kw_arena_init(&a);
    kw_produce_resp r, d;
    kw_produce_partition_resp pr;
    kw_produce_topic_resp tr;
    /* v3 */
    const uint8_t r3[] = {
        I32(1), U16(1), 't',           /* responses: 1, name "t" */
        I32(1),                        /* partition_responses: 1 */
        I32(0), U16(0), I64(5),        /* index 0, error_code 0, base_offset 5 */
        FF8,                           /* log_append_time_ms -1 */
        I32(0),                        /* throttle_time_ms */
    };
    kw_msg_defaults(KW_API_Produce, KW_RESP, &r);
    memset(&pr, 0, sizeof pr);
    pr.base_offset = 5; pr.log_append_time_ms = -1; pr.log_start_offset = 0;
    pr.error_message = KW_STR_NULL;
    pr.current_leader.leader_id = -1; pr.current_leader.leader_epoch = -1;
    tr.name = kw_s("t"); tr.partition_responses = &pr; tr.n_partition_responses = 1;
    r.responses = &tr; r.n_responses = 1;
    enc_eq(KW_API_Produce, 3, KW_RESP, &r, r3, sizeof r3);
    dec_ok(KW_API_Produce, 3, KW_RESP, r3, sizeof r3, &d, &a);
    assert_true(d.responses[0].partition_responses[0].base_offset == 5);
    assert_true(d.responses[0].partition_responses[0].log_append_time_ms == -1);
    assert_true(d.responses[0].partition_responses[0].log_start_offset == -1); /* absent in v3 */
    /* v9 */
    const uint8_t r9[] = {
        0x02, 0x02, 't',               /* responses: 1, name "t" */
        0x02,                          /* partition_responses: 1 */
        I32(0), U16(0), I64(5),        /* index, error_code, base_offset 5 */
        FF8,                           /* log_append_time_ms -1 */
        I64(0),                        /* log_start_offset 0 */
        0x01,                          /* record_errors: empty */
        0x00,                          /* error_message: null */
        0x00,                          /* partition _tagged_fields */
        0x00,                          /* topic _tagged_fields */
        I32(0),                        /* throttle_time_ms */
        0x00,                          /* _tagged_fields */
    };
    enc_eq(KW_API_Produce, 9, KW_RESP, &r, r9, sizeof r9);
    dec_ok(KW_API_Produce, 9, KW_RESP, r9, sizeof r9, &d, &a);
    assert_true(d.responses[0].partition_responses[0].log_start_offset == 0);
    str_eq(d.responses[0].partition_responses[0].error_message, NULL);
    /* v12: NOT_LEADER_OR_FOLLOWER with the new leader in tagged fields */
    const uint8_t r12[] = {
        0x02, 0x02, 't',               /* responses: 1, name "t" */
        0x02,                          /* partition_responses: 1 */
        I32(0), U16(6),                /* index 0, error_code 6 */
        FF8, FF8, FF8,                 /* base_offset, log_append_time_ms, log_start_offset: -1 */
        0x02, I32(0), 0x04, 'b', 'a', 'd', 0x00, /* record_errors: [{0, "bad"}] + its tags */
        0x00,                          /* error_message: null */
        0x01,                          /* partition _tagged_fields: 1 */
        0x00, 0x09,                    /* tag 0 current_leader, 9 bytes: */
        I32(2), I32(7), 0x00,          /*   leader_id 2, leader_epoch 7, struct tags */
        0x00,                          /* topic _tagged_fields */
        I32(0),                        /* throttle_time_ms */
        0x01,                          /* _tagged_fields: 1 */
        0x00, 0x0e,                    /* tag 0 node_endpoints, 14 bytes: */
        0x02, I32(2), 0x03, 'h', '2', I32(9093), 0x00, 0x00, /* [{2, "h2", 9093, rack null}] + tags */
    };
    kw_produce_record_error re = {0, kw_s("bad")};
    kw_node_endpoint ne = {2, kw_s("h2"), 9093, KW_STR_NULL};
    memset(&pr, 0, sizeof pr);
    pr.error_code = 6; pr.base_offset = -1; pr.log_append_time_ms = -1; pr.log_start_offset = -1;
    pr.record_errors = &re; pr.n_record_errors = 1;
    pr.error_message = KW_STR_NULL;
    pr.current_leader.leader_id = 2; pr.current_leader.leader_epoch = 7;
    r.node_endpoints = &ne; r.n_node_endpoints = 1;
    enc_eq(KW_API_Produce, 12, KW_RESP, &r, r12, sizeof r12);
    dec_ok(KW_API_Produce, 12, KW_RESP, r12, sizeof r12, &d, &a);
    const kw_produce_partition_resp *dp = &d.responses[0].partition_responses[0];
    assert_int_equal(dp->error_code, 6);
    str_eq(dp->record_errors[0].batch_index_error_message, "bad");
    assert_int_equal(dp->current_leader.leader_id, 2);
    assert_int_equal(dp->current_leader.leader_epoch, 7);
    assert_int_equal(d.n_node_endpoints, 1);
    str_eq(d.node_endpoints[0].host, "h2");
    assert_int_equal(d.node_endpoints[0].port, 9093);
    str_eq(d.node_endpoints[0].rack, NULL);
    kw_arena_free(&a);
}

/* ------------------------------------------------------------ Fetch */

static void test_fetch_requests(void **st)
{
    (void)st;
    kw_arena a; kw_arena_init(&a);
    kw_fetch_req q, d;
    kw_fetch_partition fp;
    kw_fetch_topic ft;
    /* v4 */
    const uint8_t q4[] = {
        I32(-1),                       /* replica_id */
        I32(500), I32(1), I32(1 << 20), /* max_wait_ms, min_bytes, max_bytes */
        0x01,                          /* isolation_level READ_COMMITTED */
        I32(1), U16(1), 't',           /* topics: 1, topic "t" */
        I32(1),                        /* partitions: 1 */
        I32(0), I64(42), I32(65536),   /* partition 0, fetch_offset 42, partition_max_bytes */
    };
    kw_msg_defaults(KW_API_Fetch, KW_REQ, &q);
    assert_int_equal(q.replica_id, -1);
    assert_int_equal(q.max_bytes, INT32_MAX);
    memset(&fp, 0, sizeof fp);
    fp.fetch_offset = 42; fp.partition_max_bytes = 65536;
    fp.current_leader_epoch = 5; fp.last_fetched_epoch = -1; fp.log_start_offset = -1;
    memset(&ft, 0, sizeof ft);
    ft.topic = kw_s("t"); ft.partitions = &fp; ft.n_partitions = 1;
    q.max_wait_ms = 500; q.min_bytes = 1; q.max_bytes = 1 << 20; q.isolation_level = 1;
    q.topics = &ft; q.n_topics = 1;
    enc_eq(KW_API_Fetch, 4, KW_REQ, &q, q4, sizeof q4);
    dec_ok(KW_API_Fetch, 4, KW_REQ, q4, sizeof q4, &d, &a);
    assert_int_equal(d.isolation_level, 1);
    str_eq(d.topics[0].topic, "t");
    assert_true(d.topics[0].partitions[0].fetch_offset == 42);
    assert_int_equal(d.topics[0].partitions[0].current_leader_epoch, -1); /* absent in v4 */
    /* v12: cluster_id in a tagged field */
    const uint8_t q12[] = {
        I32(-1), I32(500), I32(1), I32(1 << 20), /* replica_id, max_wait_ms, min_bytes, max_bytes */
        0x01,                          /* isolation_level */
        I32(0), I32(-1),               /* session_id 0, session_epoch -1 */
        0x02, 0x02, 't',               /* topics: 1, topic "t" */
        0x02,                          /* partitions: 1 */
        I32(0), I32(5), I64(42),       /* partition, current_leader_epoch 5, fetch_offset 42 */
        I32(-1), FF8, I32(65536),      /* last_fetched_epoch, log_start_offset, partition_max_bytes */
        0x00, 0x00,                    /* partition and topic _tagged_fields */
        0x01,                          /* forgotten_topics_data: empty */
        0x01,                          /* rack_id "" */
        0x01,                          /* _tagged_fields: 1 */
        0x00, 0x02, 0x02, 'c',         /* tag 0 cluster_id, 2 bytes: "c" */
    };
    q.cluster_id = kw_s("c");
    q.rack_id = kw_s("");
    enc_eq(KW_API_Fetch, 12, KW_REQ, &q, q12, sizeof q12);
    dec_ok(KW_API_Fetch, 12, KW_REQ, q12, sizeof q12, &d, &a);
    str_eq(d.cluster_id, "c");
    str_eq(d.rack_id, "");
    assert_int_equal(d.session_epoch, -1);
    assert_int_equal(d.topics[0].partitions[0].current_leader_epoch, 5);
    /* v17: topic ids, forgotten topics, replica_state in a tagged field */
    const uint8_t q17[] = {
        I32(500), I32(1), I32(1 << 20), /* max_wait_ms, min_bytes, max_bytes (no replica_id) */
        0x00,                          /* isolation_level */
        I32(7), I32(2),                /* session_id 7, session_epoch 2 */
        0x02, UUID_A,                  /* topics: 1, topic_id */
        0x02,                          /* partitions: 1 */
        I32(0), I32(5), I64(42),       /* partition, current_leader_epoch, fetch_offset */
        I32(-1), FF8, I32(65536),      /* last_fetched_epoch, log_start_offset, partition_max_bytes */
        0x00, 0x00,                    /* partition and topic _tagged_fields */
        0x02, UUID_B,                  /* forgotten_topics_data: 1, topic_id */
        0x02, I32(3),                  /* partitions [3] */
        0x00,                          /* forgotten topic _tagged_fields */
        0x02, 'r',                     /* rack_id "r" */
        0x01,                          /* _tagged_fields: 1 (cluster_id null: not written) */
        0x01, 0x0d,                    /* tag 1 replica_state, 13 bytes: */
        I32(5), I64(9), 0x00,          /*   replica_id 5, replica_epoch 9, struct tags */
    };
    int32_t three[] = {3};
    kw_fetch_forgotten fg = {KW_STR_NULL, uuid_b, three, 1};
    ft.topic_id = uuid_a;
    q.isolation_level = 0; q.session_id = 7; q.session_epoch = 2;
    q.forgotten_topics_data = &fg; q.n_forgotten_topics_data = 1;
    q.rack_id = kw_s("r");
    q.cluster_id = KW_STR_NULL;
    q.replica_state.replica_id = 5; q.replica_state.replica_epoch = 9;
    enc_eq(KW_API_Fetch, 17, KW_REQ, &q, q17, sizeof q17);
    dec_ok(KW_API_Fetch, 17, KW_REQ, q17, sizeof q17, &d, &a);
    assert_memory_equal(d.topics[0].topic_id.b, uuid_a.b, 16);
    str_eq(d.topics[0].topic, ""); /* not in v17: default empty */
    assert_memory_equal(d.forgotten_topics_data[0].topic_id.b, uuid_b.b, 16);
    assert_int_equal(d.forgotten_topics_data[0].partitions[0], 3);
    assert_int_equal(d.replica_state.replica_id, 5);
    assert_true(d.replica_state.replica_epoch == 9);
    assert_int_equal(d.replica_id, -1);
    str_eq(d.cluster_id, NULL);
    kw_arena_free(&a);
}

static void test_fetch_responses(void **st)
{
    (void)st;
    kw_arena a; kw_arena_init(&a);
    kw_fetch_resp r, d;
    kw_fetch_partition_resp pr;
    kw_fetch_topic_resp tr;
    static const uint8_t recs[] = {0xde, 0xad, 0xbe};
    /* v4: null aborted_transactions */
    const uint8_t r4[] = {
        I32(0),                        /* throttle_time_ms */
        I32(1), U16(1), 't',           /* responses: 1, topic "t" */
        I32(1),                        /* partitions: 1 */
        I32(0), U16(0),                /* partition_index, error_code */
        I64(10), I64(10),              /* high_watermark, last_stable_offset */
        I32(-1),                       /* aborted_transactions: null */
        I32(2), 0xde, 0xad,            /* records: 2 bytes */
    };
    memset(&pr, 0, sizeof pr);
    pr.high_watermark = 10; pr.last_stable_offset = 10; pr.log_start_offset = -1;
    pr.aborted_transactions = NULL; pr.n_aborted_transactions = -1;
    pr.preferred_read_replica = -1;
    pr.records = kw_b(recs, 2);
    pr.diverging_epoch.epoch = -1; pr.diverging_epoch.end_offset = -1;
    pr.current_leader.leader_id = -1; pr.current_leader.leader_epoch = -1;
    pr.snapshot_id.end_offset = -1; pr.snapshot_id.epoch = -1;
    memset(&tr, 0, sizeof tr);
    tr.topic = kw_s("t"); tr.partitions = &pr; tr.n_partitions = 1;
    kw_msg_defaults(KW_API_Fetch, KW_RESP, &r);
    r.responses = &tr; r.n_responses = 1;
    enc_eq(KW_API_Fetch, 4, KW_RESP, &r, r4, sizeof r4);
    dec_ok(KW_API_Fetch, 4, KW_RESP, r4, sizeof r4, &d, &a);
    const kw_fetch_partition_resp *dp = &d.responses[0].partitions[0];
    assert_int_equal(dp->n_aborted_transactions, -1);
    assert_true(dp->high_watermark == 10);
    assert_int_equal(dp->records.len, 2);
    assert_ptr_equal(dp->records.p, r4 + sizeof r4 - 2);
    /* v12: aborted transactions, null records, diverging_epoch tagged */
    const uint8_t r12[] = {
        I32(0), U16(0), I32(0),        /* throttle_time_ms, error_code, session_id */
        0x02, 0x02, 't',               /* responses: 1, topic "t" */
        0x02,                          /* partitions: 1 */
        I32(0), U16(0),                /* partition_index, error_code */
        I64(10), I64(10), I64(0),      /* high_watermark, last_stable_offset, log_start_offset */
        0x02, I64(3), I64(4), 0x00,    /* aborted_transactions: [{3, 4}] + its tags */
        I32(-1),                       /* preferred_read_replica */
        0x00,                          /* records: null */
        0x01,                          /* partition _tagged_fields: 1 */
        0x00, 0x0d,                    /* tag 0 diverging_epoch, 13 bytes: */
        I32(2), I64(100), 0x00,        /*   epoch 2, end_offset 100, struct tags */
        0x00,                          /* topic _tagged_fields */
        0x00,                          /* _tagged_fields */
    };
    kw_fetch_aborted ab = {3, 4};
    pr.log_start_offset = 0;
    pr.aborted_transactions = &ab; pr.n_aborted_transactions = 1;
    pr.records = KW_BYTES_NULL;
    pr.diverging_epoch.epoch = 2; pr.diverging_epoch.end_offset = 100;
    enc_eq(KW_API_Fetch, 12, KW_RESP, &r, r12, sizeof r12);
    dec_ok(KW_API_Fetch, 12, KW_RESP, r12, sizeof r12, &d, &a);
    dp = &d.responses[0].partitions[0];
    assert_int_equal(dp->n_aborted_transactions, 1);
    assert_true(dp->aborted_transactions[0].first_offset == 4);
    assert_int_equal(dp->records.len, -1);
    assert_int_equal(dp->diverging_epoch.epoch, 2);
    assert_true(dp->diverging_epoch.end_offset == 100);
    assert_int_equal(dp->current_leader.leader_id, -1);
    /* v17: topic id, two partition tags, node_endpoints */
    const uint8_t r17[] = {
        I32(5), U16(0), I32(9),        /* throttle_time_ms 5, error_code, session_id 9 */
        0x02, UUID_A,                  /* responses: 1, topic_id */
        0x02,                          /* partitions: 1 */
        I32(1), U16(0),                /* partition_index 1, error_code */
        FF8, FF8, FF8,                 /* high_watermark, last_stable_offset, log_start_offset: -1 */
        0x00,                          /* aborted_transactions: null */
        I32(2),                        /* preferred_read_replica 2 */
        0x04, 0xde, 0xad, 0xbe,        /* records: 3 bytes */
        0x02,                          /* partition _tagged_fields: 2 */
        0x01, 0x09, I32(3), I32(4), 0x00, /* tag 1 current_leader: leader 3, epoch 4, tags */
        0x02, 0x0d, I64(8), I32(1), 0x00, /* tag 2 snapshot_id: end_offset 8, epoch 1, tags */
        0x00,                          /* topic _tagged_fields */
        0x01,                          /* _tagged_fields: 1 */
        0x00, 0x0e,                    /* tag 0 node_endpoints, 14 bytes: */
        0x02, I32(3), 0x02, 'b', I32(9094), 0x02, 'r', 0x00, /* [{3, "b", 9094, "r"}] + tags */
    };
    kw_node_endpoint ne = {3, kw_s("b"), 9094, kw_s("r")};
    memset(&pr, 0, sizeof pr);
    pr.partition_index = 1;
    pr.high_watermark = -1; pr.last_stable_offset = -1; pr.log_start_offset = -1;
    pr.n_aborted_transactions = -1;
    pr.preferred_read_replica = 2;
    pr.records = kw_b(recs, 3);
    pr.diverging_epoch.epoch = -1; pr.diverging_epoch.end_offset = -1;
    pr.current_leader.leader_id = 3; pr.current_leader.leader_epoch = 4;
    pr.snapshot_id.end_offset = 8; pr.snapshot_id.epoch = 1;
    tr.topic = KW_STR_NULL; tr.topic_id = uuid_a;
    r.throttle_time_ms = 5; r.session_id = 9;
    r.node_endpoints = &ne; r.n_node_endpoints = 1;
    enc_eq(KW_API_Fetch, 17, KW_RESP, &r, r17, sizeof r17);
    dec_ok(KW_API_Fetch, 17, KW_RESP, r17, sizeof r17, &d, &a);
    dp = &d.responses[0].partitions[0];
    assert_memory_equal(d.responses[0].topic_id.b, uuid_a.b, 16);
    assert_int_equal(dp->preferred_read_replica, 2);
    assert_int_equal(dp->current_leader.leader_epoch, 4);
    assert_true(dp->snapshot_id.end_offset == 8);
    assert_int_equal(dp->snapshot_id.epoch, 1);
    assert_int_equal(dp->diverging_epoch.epoch, -1);
    assert_int_equal(dp->n_aborted_transactions, -1);
    str_eq(d.node_endpoints[0].rack, "r");
    assert_int_equal(d.session_id, 9);
    kw_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apiversions),
        cmocka_unit_test(test_metadata_requests),
        cmocka_unit_test(test_metadata_responses),
        cmocka_unit_test(test_produce_requests),
        cmocka_unit_test(test_produce_responses),
        cmocka_unit_test(test_fetch_requests),
        cmocka_unit_test(test_fetch_responses),
    };
    return cmocka_run_group_tests_name("proto_vectors_core", tests, NULL, NULL);
}
