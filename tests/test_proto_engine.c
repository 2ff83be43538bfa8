/*
 * tests/test_proto_engine.c — the description engine (proto/desc.c): unknown tagged
 * fields are skipped and shown; huge array counts fail before allocating; nulls where
 * a version allows none; nullable structs, default-null fields and raw records;
 * request/response frames and headers, and the peeks at their first fields; the API table. (Every API and version is
 * round-tripped by tests/test_proto_all.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/desc.h"
#include "codec/batch.h"
#include "proto/msg_apiversions.h"
#include "proto/msg_brokerheartbeat.h"
#include "proto/msg_fetchsnapshot.h"
#include "proto/msg_produce.h"

/* ---- unknown tagged fields, huge counts, nulls ---- */

typedef struct rec { char log[4096]; size_t n; } rec;
static int rec_cb(void *ud, const kw_ann *a)
{
    rec *r = ud;
    static const char *const kinds[] = {"F", "E", "L", "R", "r", "N", "X"};
    int k = snprintf(r->log + r->n, sizeof r->log - r->n, "%s %s@%zu+%zu=%s\n", kinds[a->kind], a->name, a->off, a->len,
                     a->value ? a->value : "");
    if (k > 0 && (size_t)k < sizeof r->log - r->n) r->n += (size_t)k;
    return 0;
}

static void test_unknown_tag_skipped_and_annotated(void **st)
{
    (void)st;
    /* ApiVersions v3 response with tagged fields: tag 1 (finalized_features_epoch = 5)
     * and tag 9 (unknown to kwire, 3 bytes). */
    const uint8_t body[] = {
        0x00, 0x00,             /* error_code 0 */
        0x02,                   /* api_keys: compact array, 1 element */
        0x00, 0x12, 0x00, 0x00, 0x00, 0x04, /* api_key 18, min 0, max 4 */
        0x00,                   /* element tagged fields: none */
        0x00, 0x00, 0x00, 0x00, /* throttle_time_ms 0 */
        0x02,                   /* 2 tagged fields */
        0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 5, /* tag 1, size 8: int64 5 */
        0x09, 0x03, 0xaa, 0xbb, 0xcc,       /* tag 9, size 3: unknown */
    };
    kw_arena a; kw_arena_init(&a);
    kw_apiversions_resp r;
    assert_int_equal(kw_msg_decode(KW_API_ApiVersions, 3, KW_RESP, body, sizeof body, &r, &a, NULL), 0);
    assert_int_equal(r.n_api_keys, 1);
    assert_int_equal(r.api_keys[0].max_version, 4);
    assert_true(r.finalized_features_epoch == 5);
    assert_int_equal(r.n_supported_features, 0);
    assert_int_equal(r.zk_migration_ready, 0);
    rec log = {{0}, 0};
    assert_int_equal(kw_msg_annotate(KW_API_ApiVersions, 3, KW_RESP, body, sizeof body, 0, rec_cb, &log), 0);
    assert_non_null(strstr(log.log, "F unknown_tag@25+5=tag 9, 3 bytes aabbcc\n"));
    assert_non_null(strstr(log.log, "E finalized_features_epoch@15+2=tag 1, 8 bytes\n"));
    assert_non_null(strstr(log.log, "F finalized_features_epoch@17+8=5\n"));
    /* re-encoding drops the unknown tag: kwire writes only what it knows */
    kw_buf b; kw_buf_init(&b);
    assert_int_equal(kw_msg_encode(KW_API_ApiVersions, 3, KW_RESP, &r, &b), 0);
    assert_int_equal(b.len, sizeof body - 5);
    assert_int_equal(b.data[14], 1);
    kw_buf_free(&b);
    kw_arena_free(&a);
}

/* Strings are UTF-8: é, € and 𝄞 are shown as themselves; a byte that is not UTF-8 (and
 * control characters) as \xNN, with a note saying so. Metadata v0 request topics. */
static void test_utf8_strings_shown_as_text(void **st)
{
    (void)st;
    const char *const names[] = {"caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e", "bad\xff", "c1\xc2\x85", "tab\t"};
    const char *const want[] = {"\"caf\xc3\xa9\"", "\"\xe2\x82\xac\"", "\"\xf0\x9d\x84\x9e\"", "\"bad\\xff\"",
                                "\"c1\\xc2\\x85\"", "\"tab\\x09\""};
    const int note[] = {0, 0, 0, 1, 0, 0};
    for (int i = 0; i < 6; i++) {
        uint8_t body[64];
        size_t n = strlen(names[i]);
        kw_be32(body, 1);
        kw_be16(body + 4, (uint16_t)n);
        memcpy(body + 6, names[i], n);
        rec log = {{0}, 0};
        assert_int_equal(kw_msg_annotate(KW_API_Metadata, 0, KW_REQ, body, 6 + n, 0, rec_cb, &log), 0);
        char line[64];
        snprintf(line, sizeof line, "F name@4+%zu=%s\n", n + 2, want[i]);
        if (!strstr(log.log, line)) fail_msg("%s: got %s", want[i], log.log);
        assert_int_equal(strstr(log.log, "N name@") != NULL, note[i]);
        if (note[i]) assert_non_null(strstr(log.log, "not valid UTF-8"));
    }
}

/* The teaching view names enumerated values beside the number. */
static void test_enum_names(void **st)
{
    (void)st;
    assert_string_equal(kw__enum_text("error_code", 0), "NONE");
    assert_string_equal(kw__enum_text("error_code", 35), "UNSUPPORTED_VERSION");
    assert_string_equal(kw__enum_text("top_level_error_code", -1), "UNKNOWN_SERVER_ERROR");
    assert_string_equal(kw__enum_text("acks", -1), "all: every in-sync replica");
    assert_string_equal(kw__enum_text("acks", 1), "leader");
    assert_null(kw__enum_text("acks", 2));
    assert_string_equal(kw__enum_text("isolation_level", 1), "read_committed");
    assert_string_equal(kw__enum_text("key_type", 1), "transaction");
    assert_string_equal(kw__enum_text("request_api_key", 3), "Metadata");
    assert_null(kw__enum_text("partition_index", 0));
    /* in a walk: Produce v9 acks and the response's error code */
    kw_produce_req r;
    kw_msg_defaults(KW_API_Produce, KW_REQ, &r);
    r.acks = -1;
    r.transactional_id = KW_STR_NULL;
    kw_buf b; kw_buf_init(&b);
    assert_int_equal(kw_msg_encode(KW_API_Produce, 9, KW_REQ, &r, &b), 0);
    rec log = {{0}, 0};
    assert_int_equal(kw_msg_annotate(KW_API_Produce, 9, KW_REQ, b.data, b.len, 0, rec_cb, &log), 0);
    assert_non_null(strstr(log.log, "=-1 (all: every in-sync replica)\n"));
    kw_buf_free(&b);
}

static void test_huge_array_count_rejected_before_allocating(void **st)
{
    (void)st;
    const uint8_t body[] = {0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04};
    kw_arena a; kw_arena_init(&a);
    kw_apiversions_resp r;
    kw_proto_err e;
    assert_int_equal(kw_msg_decode(KW_API_ApiVersions, 0, KW_RESP, body, sizeof body, &r, &a, &e), KW_ERR_TRUNCATED);
    assert_int_equal(e.off, 2);
    assert_string_equal(e.path, "api_keys");
    assert_true(a.total <= 4096);
    /* a compact count just as large (uvarint 2^31) */
    const uint8_t cbody[] = {0x00, 0x00, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00};
    assert_int_not_equal(kw_msg_decode(KW_API_ApiVersions, 3, KW_RESP, cbody, sizeof cbody, &r, &a, &e), 0);
    /* null where the version does not allow it: compact length 0 = null array */
    const uint8_t nbody[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(kw_msg_decode(KW_API_ApiVersions, 3, KW_RESP, nbody, sizeof nbody, &r, &a, &e), KW_ERR_CORRUPT);
    assert_string_equal(e.path, "api_keys");
    /* trailing bytes after a complete body */
    const uint8_t tbody[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xee};
    assert_int_equal(kw_msg_decode(KW_API_ApiVersions, 0, KW_RESP, tbody, sizeof tbody, &r, &a, &e), KW_ERR_CORRUPT);
    assert_int_equal(e.off, 6);
    kw_arena_free(&a);
}

static void test_encode_rejects_null_where_not_nullable(void **st)
{
    (void)st;
    kw_apiversions_req q = {KW_STR_NULL, kw_s("1.0")};
    kw_buf b; kw_buf_init(&b);
    assert_int_equal(kw_msg_encode(KW_API_ApiVersions, 3, KW_REQ, &q, &b), KW_ERR_INVALID_ARG);
    assert_int_equal(b.len, 0);
    /* absent from v0: not written, so null is fine */
    assert_int_equal(kw_msg_encode(KW_API_ApiVersions, 0, KW_REQ, &q, &b), 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(kw_msg_encode(KW_API_ApiVersions, 6, KW_REQ, &q, &b), KW_ERR_UNSUPPORTED);
    assert_int_equal(kw_msg_encode(200, 0, KW_REQ, &q, &b), KW_ERR_UNSUPPORTED);
    kw_buf_free(&b);
}

/* ---- frames and headers ---- */

static void test_request_frame_and_header(void **st)
{
    (void)st;
    kw_apiversions_req q = {kw_s("kwire"), kw_s("0.1")};
    kw_buf b; kw_buf_init(&b);
    assert_int_equal(kw_request_encode(&b, KW_API_ApiVersions, 3, 7, "cli", &q), 0);
    const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x19,             /* size 25 */
        0x00, 0x12, 0x00, 0x03,             /* api_key 18, version 3 */
        0x00, 0x00, 0x00, 0x07,             /* correlation_id 7 */
        0x00, 0x03, 'c', 'l', 'i',          /* client_id: int16 length even in header v2 */
        0x00,                               /* header tagged fields */
        0x06, 'k', 'w', 'i', 'r', 'e',      /* compact string "kwire" */
        0x04, '0', '.', '1',                /* compact string "0.1" */
        0x00,                               /* body tagged fields */
    };
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    kw_req_header h; size_t hl;
    assert_int_equal(kw_req_header_decode(b.data + 4, b.len - 4, &h, &hl), 0);
    assert_int_equal(h.api_key, 18); assert_int_equal(h.api_version, 3);
    assert_int_equal(h.correlation_id, 7);
    assert_int_equal(h.client_id_len, 3);
    assert_memory_equal(h.client_id, "cli", 3);
    assert_int_equal(hl, 14);
    rec log = {{0}, 0};
    assert_int_equal(kw_request_frame_annotate(b.data, b.len, rec_cb, &log), 0);
    assert_non_null(strstr(log.log, "F size@0+4=25\n"));
    assert_non_null(strstr(log.log, "F client_id@12+5=\"cli\"\n"));
    assert_non_null(strstr(log.log, "E body@18+0=ApiVersions v3 request\n"));
    assert_non_null(strstr(log.log, "F client_software_name@18+6=\"kwire\"\n"));
    /* v0: header v1, null client id, empty body */
    b.len = 0;
    assert_int_equal(kw_request_encode(&b, KW_API_ApiVersions, 0, -1, NULL, &q), 0);
    const uint8_t want0[] = {0, 0, 0, 10, 0, 0x12, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(b.len, sizeof want0);
    assert_memory_equal(b.data, want0, sizeof want0);
    assert_int_equal(kw_req_header_decode(b.data + 4, b.len - 4, &h, &hl), 0);
    assert_int_equal(h.client_id_len, -1);
    assert_null(h.client_id);
    assert_int_equal(kw_req_header_decode(b.data + 4, 5, &h, &hl), KW_ERR_TRUNCATED);
    /* the peeks a capture reader uses to find frames: the same fields, nothing more read */
    int32_t size, corr;
    int16_t key, ver, cid;
    assert_int_equal(kw_frame_size_peek(b.data, 3, &size), KW_ERR_TRUNCATED);
    assert_int_equal(kw_frame_size_peek(b.data, b.len, &size), 0);
    assert_int_equal(size, 10);
    assert_int_equal(kw_req_header_peek(b.data + 4, b.len - 4, &key, &ver, &corr, &cid), 0);
    assert_int_equal(key, 18); assert_int_equal(ver, 0); assert_int_equal(corr, -1); assert_int_equal(cid, -1);
    assert_int_equal(kw_req_header_peek(b.data + 4, 9, &key, &ver, &corr, &cid), KW_ERR_TRUNCATED);
    assert_int_equal(kw_req_header_peek(b.data + 4, 8, &key, &ver, &corr, NULL), 0); /* no client_id asked */
    assert_int_equal(kw_req_header_peek(b.data + 4, 7, &key, &ver, &corr, NULL), KW_ERR_TRUNCATED);
    const uint8_t resp[] = {0x00, 0x00, 0x01, 0x02, 0x00};
    assert_int_equal(kw_resp_correlation_peek(resp, sizeof resp, &corr), 0);
    assert_int_equal(corr, 258);
    assert_int_equal(kw_resp_correlation_peek(resp, 3, &corr), KW_ERR_TRUNCATED);
    kw_buf_free(&b);
}

static void test_response_frame(void **st)
{
    (void)st;
    kw_apiversions_key keys[] = {{18, 0, 4}};
    kw_apiversions_resp r;
    kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
    assert_true(r.finalized_features_epoch == -1);
    r.api_keys = keys; r.n_api_keys = 1;
    kw_buf b; kw_buf_init(&b);
    assert_int_equal(kw_response_encode(&b, KW_API_ApiVersions, 3, 99, &r), 0);
    /* ApiVersions responses use header v0 even when flexible: no header tagged fields */
    int32_t corr; size_t hl;
    assert_int_equal(kw_resp_header_decode(KW_API_ApiVersions, 3, b.data + 4, b.len - 4, &corr, &hl), 0);
    assert_int_equal(corr, 99); assert_int_equal(hl, 4);
    assert_int_equal(kw_ld32(b.data), b.len - 4);
    kw_apiversions_resp d; kw_arena a; kw_arena_init(&a);
    assert_int_equal(kw_msg_decode(KW_API_ApiVersions, 3, KW_RESP, b.data + 8, b.len - 8, &d, &a, NULL), 0);
    assert_int_equal(d.api_keys[0].api_key, 18);
    rec log = {{0}, 0};
    assert_int_equal(kw_response_frame_annotate(KW_API_ApiVersions, 3, b.data, b.len, rec_cb, &log), 0);
    assert_non_null(strstr(log.log, "F correlation_id@4+4=99\n"));
    assert_non_null(strstr(log.log, "F api_key@11+2=18 (ApiVersions)\n")); /* the key's name beside it */
    /* a cut frame: the note about the size, then the error */
    log.n = 0;
    assert_true(kw_response_frame_annotate(KW_API_ApiVersions, 3, b.data, b.len - 1, rec_cb, &log) < 0);
    assert_non_null(strstr(log.log, "N size@0+4=size says"));
    assert_non_null(strstr(log.log, "X _tagged_fields@"));
    kw_arena_free(&a);
    kw_buf_free(&b);
}

typedef struct last { char value[400]; int n; } last;
static int last_cb(void *ud, const kw_ann *a)
{
    last *l = ud;
    if (a->kind == KW_ANN_FIELD && !strcmp(a->name, "name")) {
        snprintf(l->value, sizeof l->value, "%s", a->value);
        l->n++;
    }
    return 0;
}

/* Long strings full of bytes that need escaping are cut to fit, never overflow. */
static void test_annotation_text_is_bounded(void **st)
{
    (void)st;
    for (size_t len = 250; len < 330; len += 7) {
        uint8_t body[4 + 2 + 400];
        kw_be32(body, 1);
        kw_be16(body + 4, (uint16_t)len);
        memset(body + 6, len % 2 ? 0x01 : 'x', len);
        last l = {{0}, 0};
        assert_int_equal(kw_msg_annotate(KW_API_Metadata, 0, KW_REQ, body, 6 + len, 0, last_cb, &l), 0);
        assert_int_equal(l.n, 1);
        size_t n = strlen(l.value);
        assert_true(n < 320);
        if (len % 2 || len > 309) assert_string_equal(l.value + n - 4, "...\"");
        else assert_int_equal(n, len + 2); /* fits whole, in quotes */
        assert_memory_equal(l.value, len % 2 ? "\"\\x01\\x01" : "\"xxxxxxxx", 9);
    }
}

typedef struct seen { int records_depth, base_offset_depth, values, leaves; } seen;
static int seen_cb(void *ud, const kw_ann *a)
{
    seen *s = ud;
    if (a->kind == KW_ANN_ENTER && !strcmp(a->name, "records") && !strcmp(a->type, "compact_records"))
        s->records_depth = a->depth;
    if (a->kind == KW_ANN_FIELD && !strcmp(a->name, "baseOffset")) s->base_offset_depth = a->depth;
    if (a->kind == KW_ANN_FIELD && !strcmp(a->name, "value")) s->values++;
    if (a->kind == KW_ANN_LEAVE) s->leaves++;
    return 0;
}

/* A RECORDS field continues into the record batch annotation. */
static void test_records_field_annotated_into_batches(void **st)
{
    (void)st;
    kw_buf recs; kw_buf_init(&recs);
    kw_batch_writer w; kw_batch_opts o; kw_batch_opts_default(&o);
    assert_int_equal(kw_batch_begin(&w, &recs, &o), 0);
    kw_record r; memset(&r, 0, sizeof r);
    r.key_len = -1; r.value = (const uint8_t *)"hello"; r.value_len = 5; r.timestamp = 1000;
    assert_int_equal(kw_batch_append(&w, &r), 0);
    assert_int_equal(kw_batch_append(&w, &r), 0);
    assert_int_equal(kw_batch_seal(&w), 0);
    kw_batch_writer_free(&w);
    kw_produce_partition p = {0, kw_b(recs.data, recs.len)};
    kw_produce_topic t = {.name = kw_s("t"), .partition_data = &p, .n_partition_data = 1};
    kw_produce_req q = {KW_STR_NULL, 1, 1000, &t, 1};
    kw_buf b; kw_buf_init(&b);
    assert_int_equal(kw_msg_encode(KW_API_Produce, 9, KW_REQ, &q, &b), 0);
    seen s = {-1, -1, 0, 0};
    assert_int_equal(kw_msg_annotate(KW_API_Produce, 9, KW_REQ, b.data, b.len, 0, seen_cb, &s), 0);
    assert_int_equal(s.records_depth, 4); /* topic_data > [0] > partition_data > [0] > records */
    assert_true(s.base_offset_depth > s.records_depth);
    assert_int_equal(s.values, 2);
    kw_buf_free(&b); kw_buf_free(&recs);
}

static void test_api_table(void **st)
{
    (void)st;
    assert_string_equal(kw_api_name(3), "Metadata");
    assert_string_equal(kw_api_name(4), "LeaderAndIsr"); /* described at its 3.9 versions */
    assert_null(kw_api_name(95));
    assert_int_equal(kw_api_parse("listoffsets"), 2);
    assert_int_equal(kw_api_parse("InitProducerId"), 22);
    assert_int_equal(kw_api_parse("nope"), KW_ERR_UNKNOWN_API);
    int16_t lo, hi;
    assert_int_equal(kw_api_range(1, &lo, &hi), 0);
    assert_int_equal(lo, 4); assert_int_equal(hi, 18);
    assert_int_equal(kw_api_range(99, &lo, &hi), KW_ERR_UNKNOWN_API);
    static const struct { int key; int16_t flex; } fl[] = {
        {0, 9}, {1, 12}, {2, 6}, {3, 9}, {8, 8}, {9, 6}, {10, 3}, {15, 5}, {16, 3}, {18, 3}, {19, 5}, {22, 2}};
    for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++) {
        assert_false(kw_api_flexible(fl[i].key, (int16_t)(fl[i].flex - 1)));
        assert_true(kw_api_flexible(fl[i].key, fl[i].flex));
        assert_int_equal(kw_req_header_version(fl[i].key, fl[i].flex), 2);
        assert_int_equal(kw_req_header_version(fl[i].key, (int16_t)(fl[i].flex - 1)), 1);
        assert_int_equal(kw_resp_header_version(fl[i].key, (int16_t)(fl[i].flex - 1)), 0);
        assert_int_equal(kw_resp_header_version(fl[i].key, fl[i].flex), fl[i].key == 18 ? 0 : 1);
    }
}

/* A tagged array whose default is null is written when not null (even empty); one whose
 * default is empty is written when not empty; decode gives absent tags their defaults. */
static void test_tagged_array_defaults(void **st)
{
    (void)st;
    kw_brokerheartbeat_req q;
    kw_msg_defaults(KW_API_BrokerHeartbeat, KW_REQ, &q);
    assert_int_equal(q.n_cordoned_log_dirs, -1); /* default null */
    assert_int_equal(q.n_offline_log_dirs, 0);   /* default empty */
    q.broker_id = 1;
    kw_buf b; kw_buf_init(&b);
    assert_int_equal(kw_msg_encode(KW_API_BrokerHeartbeat, 2, KW_REQ, &q, &b), 0);
    assert_int_equal(b.len, 4 + 8 + 8 + 1 + 1 + 1);
    assert_int_equal(b.data[b.len - 1], 0x00); /* no tagged field */
    b.len = 0;
    q.n_cordoned_log_dirs = 0; /* empty, not null: differs from the default */
    assert_int_equal(kw_msg_encode(KW_API_BrokerHeartbeat, 2, KW_REQ, &q, &b), 0);
    static const uint8_t tags[] = {0x01, 0x01, 0x01, 0x01}; /* 1 tag: tag 1, size 1, COMPACT_ARRAY 0 */
    assert_int_equal(b.len, 4 + 8 + 8 + 1 + 1 + sizeof tags);
    assert_memory_equal(b.data + b.len - sizeof tags, tags, sizeof tags);
    kw_arena a; kw_arena_init(&a);
    kw_brokerheartbeat_req d;
    assert_int_equal(kw_msg_decode(KW_API_BrokerHeartbeat, 2, KW_REQ, b.data, b.len, &d, &a, NULL), 0);
    assert_int_equal(d.n_cordoned_log_dirs, 0);
    assert_int_equal(d.n_offline_log_dirs, 0);
    rec r = {{0}, 0};
    assert_int_equal(kw_msg_annotate(KW_API_BrokerHeartbeat, 2, KW_REQ, b.data, b.len, 0, rec_cb, &r), 0);
    assert_non_null(strstr(r.log, "E cordoned_log_dirs@")); /* the tag shown by its name */
    kw_arena_free(&a);
    kw_buf_free(&b);
}

/* FetchSnapshot's unaligned records are a snapshot chunk that may start mid-batch:
 * shown as bytes, not walked as record batches. */
static void test_raw_records_shown_as_bytes(void **st)
{
    (void)st;
    static const uint8_t chunk[] = {0xde, 0xad, 0xbe, 0xef, 0x01};
    kw_fetchsnapshot_resp_partition_snapshot ps;
    kw_fetchsnapshot_resp_topic_snapshot ts;
    kw_fetchsnapshot_resp r;
    kw_msg_defaults(KW_API_FetchSnapshot, KW_RESP, &r);
    memset(&ps, 0, sizeof ps);
    memset(&ts, 0, sizeof ts);
    ps.unaligned_records = kw_b(chunk, sizeof chunk);
    ps.position = 4096;
    ts.name = kw_s("__cluster_metadata");
    ts.partitions = &ps;
    ts.n_partitions = 1;
    r.topics = &ts;
    r.n_topics = 1;
    kw_buf b; kw_buf_init(&b);
    assert_int_equal(kw_msg_encode(KW_API_FetchSnapshot, 1, KW_RESP, &r, &b), 0);
    rec lg = {{0}, 0};
    assert_int_equal(kw_msg_annotate(KW_API_FetchSnapshot, 1, KW_RESP, b.data, b.len, 0, rec_cb, &lg), 0);
    assert_non_null(strstr(lg.log, "F unaligned_records@"));
    assert_non_null(strstr(lg.log, "=5 bytes deadbeef01"));
    assert_null(strstr(lg.log, "RecordBatch"));
    kw_buf_free(&b);
}

/* RECORDS by reference: kw_msg_encode_ref hands each non-empty records value to the
 * slice callback right after its length prefix, in wire order, and writes everything
 * else; the callback's bytes put back where it was called give kw_msg_encode's bytes
 * exactly, in a flexible and a classic version. An error from the callback fails the
 * encode and leaves the buffer as it was. */
typedef struct slices {
    size_t at[4];          /* out->len when called */
    const uint8_t *p[4];
    size_t len[4];
    int n, fail;
} slices;

static int note_slice(void *ud, kw_buf *out, const void *p, size_t len)
{
    slices *s = ud;
    if (s->fail) return KW_ERR_NOMEM;
    if (s->n == 4) return KW_ERR_TOO_LARGE;
    s->at[s->n] = out->len;
    s->p[s->n] = p;
    s->len[s->n++] = len;
    return 0;
}

static void test_records_by_reference(void **st)
{
    (void)st;
    uint8_t r1[100], r2[7000];
    memset(r1, 0x11, sizeof r1);
    memset(r2, 0x22, sizeof r2);
    kw_produce_partition pa[3] = {{.index = 0, .records = kw_b(r1, sizeof r1)},
                                  {.index = 1, .records = KW_BYTES_NULL},
                                  {.index = 2, .records = kw_b(r2, sizeof r2)}};
    kw_produce_topic t = {.name = kw_s("t"), .partition_data = pa, .n_partition_data = 3};
    kw_produce_req q;
    kw_msg_defaults(KW_API_Produce, KW_REQ, &q);
    q.acks = -1;
    q.timeout_ms = 1000;
    q.topic_data = &t;
    q.n_topic_data = 1;
    for (int16_t v = 8; v <= 9; v++) {
        kw_buf whole, refd, joined;
        kw_buf_init(&whole);
        kw_buf_init(&refd);
        kw_buf_init(&joined);
        assert_int_equal(kw_msg_encode(KW_API_Produce, v, KW_REQ, &q, &whole), 0);
        slices s = {0};
        assert_int_equal(kw_msg_encode_ref(KW_API_Produce, v, KW_REQ, &q, &refd, note_slice, &s), 0);
        assert_int_equal(s.n, 2);
        assert_ptr_equal(s.p[0], r1);
        assert_int_equal(s.len[1], sizeof r2);
        assert_int_equal(refd.len + sizeof r1 + sizeof r2, whole.len);
        size_t from = 0;
        for (int i = 0; i < s.n; i++) {
            kw_buf_put(&joined, refd.data + from, s.at[i] - from);
            kw_buf_put(&joined, s.p[i], s.len[i]);
            from = s.at[i];
        }
        kw_buf_put(&joined, refd.data + from, refd.len - from);
        assert_int_equal(joined.len, whole.len);
        assert_memory_equal(joined.data, whole.data, whole.len);
        /* a failing callback fails the encode, out untouched */
        slices f = {.fail = 1};
        size_t before = refd.len;
        assert_int_equal(kw_msg_encode_ref(KW_API_Produce, v, KW_REQ, &q, &refd, note_slice, &f), KW_ERR_NOMEM);
        assert_int_equal(refd.len, before);
        kw_buf_free(&whole);
        kw_buf_free(&refd);
        kw_buf_free(&joined);
    }
}

static void test_arena(void **st)
{
    (void)st;
    kw_arena a; kw_arena_init(&a);
    uint8_t *p = kw_arena_alloc(&a, 3), *q = kw_arena_alloc(&a, 5);
    assert_true(((uintptr_t)p & 15) == 0 && ((uintptr_t)q & 15) == 0);
    assert_true(q >= p + 3);
    uint8_t *big = kw_arena_alloc(&a, 100000);
    assert_non_null(big);
    big[99999] = 1;
    assert_null(kw_arena_alloc(&a, SIZE_MAX / 2));
    size_t total = a.total;
    kw_arena_reset(&a);
    assert_int_equal(a.total, total);
    assert_int_equal(a.left, total); /* one chunk holding what the chunks held */
    uint8_t *again = kw_arena_alloc(&a, 100000);
    assert_non_null(again);
    assert_int_equal(again[99999], 0); /* zeroed again */
    assert_int_equal(a.total, total);
    kw_arena_free(&a);
    assert_int_equal(a.total, 0);
}

/* kw_msg_peek_error: the top-level error_code found past fixed-width fields only */
static void test_peek_error(void **st)
{
    (void)st;
    int16_t ec = 0;
    /* FindCoordinator v1: throttle_time_ms, error_code 15, then a host the grammar forbids null */
    const uint8_t fc1[] = {0, 0, 0, 9, 0, 15, 0xff, 0xff};
    assert_int_equal(kw_msg_peek_error(KW_API_FindCoordinator, 1, KW_RESP, fc1, sizeof fc1, &ec), 0);
    assert_int_equal(ec, 15);
    /* v0 has no throttle_time_ms: error_code first */
    assert_int_equal(kw_msg_peek_error(KW_API_FindCoordinator, 0, KW_RESP, fc1 + 4, 2, &ec), 0);
    assert_int_equal(ec, 15);
    /* cut before the error code */
    assert_int_equal(kw_msg_peek_error(KW_API_FindCoordinator, 1, KW_RESP, fc1, 5, &ec), KW_ERR_TRUNCATED);
    /* v4+: errors per coordinator, none at the top */
    assert_int_equal(kw_msg_peek_error(KW_API_FindCoordinator, 4, KW_RESP, fc1, sizeof fc1, &ec), KW_ERR_UNSUPPORTED);
    /* ApiVersions: error_code first in every version */
    const uint8_t av[] = {0, 35, 0, 0};
    assert_int_equal(kw_msg_peek_error(KW_API_ApiVersions, 3, KW_RESP, av, sizeof av, &ec), 0);
    assert_int_equal(ec, 35);
    /* a request has no error_code; an unknown version neither */
    assert_int_equal(kw_msg_peek_error(KW_API_ApiVersions, 3, KW_REQ, av, sizeof av, &ec), KW_ERR_UNSUPPORTED);
    assert_int_equal(kw_msg_peek_error(KW_API_ApiVersions, 999, KW_RESP, av, sizeof av, &ec), KW_ERR_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_tag_skipped_and_annotated),
        cmocka_unit_test(test_huge_array_count_rejected_before_allocating),
        cmocka_unit_test(test_encode_rejects_null_where_not_nullable),
        cmocka_unit_test(test_request_frame_and_header),
        cmocka_unit_test(test_response_frame),
        cmocka_unit_test(test_annotation_text_is_bounded),
        cmocka_unit_test(test_records_field_annotated_into_batches),
        cmocka_unit_test(test_api_table),
        cmocka_unit_test(test_tagged_array_defaults),
        cmocka_unit_test(test_raw_records_shown_as_bytes),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_utf8_strings_shown_as_text),
        cmocka_unit_test(test_enum_names),
        cmocka_unit_test(test_records_by_reference),
        cmocka_unit_test(test_peek_error),
    };
    return cmocka_run_group_tests_name("proto_engine", tests, NULL, NULL);
}
