/* tests/test_explain.c — client/cli/explain: topic ids from text, top-level fields set
 * from text (ranges, booleans, null strings, the messages for bad values), settings (the
 * last one wins, a name is matched whole), and whole request frames built for the
 * client's own APIs and for others from their defaults, decoded back to check what they
 * carry; bad settings and fields refused with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/admin/offsets.h"
#include "client/cli/explain.h"
#include "client/conn/metadata.h"
#include "proto/msg_addoffsetstotxn.h"
#include "proto/msg_endtxn.h"
#include "proto/msg_joingroup.h"
#include "proto/msg_metadata.h"
#include "proto/msg_produce.h"
#include "proto/proto.h"

static void parse_uuid(void **st)
{
    (void)st;
    kw_uuid u;
    assert_int_equal(kw__explain_parse_uuid("0123456789abcdef0123456789ABCDEF", &u), 0);
    assert_int_equal(u.b[0], 0x01);
    assert_int_equal(u.b[7], 0xef);
    assert_int_equal(u.b[15], 0xef);
    assert_int_equal(kw__explain_parse_uuid("00112233-4455-6677-8899-aabbccddeeff", &u), 0);
    assert_int_equal(u.b[4], 0x44);
    assert_int_equal(u.b[15], 0xff);
    assert_int_equal(kw__explain_parse_uuid("0123456789abcdef0123456789abcde", &u), -1);   /* 31 digits */
    assert_int_equal(kw__explain_parse_uuid("0123456789abcdef0123456789abcdef0", &u), -1); /* 33 */
    assert_int_equal(kw__explain_parse_uuid("0123456789abcdef0123456789abcdeg", &u), -1);
    assert_int_equal(kw__explain_parse_uuid("", &u), -1);
}

static void fields(void **st)
{
    (void)st;
    kw_explain x;
    kw__explain_init(&x);
    const kw_struct *s = kw__api_desc(KW_API_JoinGroup, KW_REQ);
    kw_joingroup_req jg;
    kw_desc_defaults(s, &jg);
    const kw_field *f = kw__explain_top_field(s, 5, "session_timeout_ms", 18);
    assert_non_null(f);
    assert_int_equal(kw__explain_set_field(&x, f, &jg, "4500", "--field"), 0);
    assert_int_equal(jg.session_timeout_ms, 4500);
    assert_int_equal(kw__explain_set_field(&x, f, &jg, "2147483648", "--field"), KW_ERR_CONFIG);
    assert_string_equal(x.err, "--field: session_timeout_ms needs an integer in [-2147483648, 2147483647]");
    assert_int_equal(kw__explain_set_field(&x, f, &jg, "12x", "--field"), KW_ERR_CONFIG);
    assert_int_equal(jg.session_timeout_ms, 4500); /* unchanged */
    /* a prefix is not a name; a field absent at the version is not found */
    assert_null(kw__explain_top_field(s, 5, "session_timeout_m", 17));
    assert_null(kw__explain_top_field(s, 0, "rebalance_timeout_ms", 20));
    assert_non_null(kw__explain_top_field(s, 1, "rebalance_timeout_ms", 20));
    /* strings: null by name */
    f = kw__explain_top_field(s, 7, "protocol_type", 13);
    assert_non_null(f);
    assert_int_equal(kw__explain_set_field(&x, f, &jg, "consumer", "--field"), 0);
    assert_int_equal(jg.protocol_type.len, 8);
    assert_memory_equal(jg.protocol_type.p, "consumer", 8);
    assert_int_equal(kw__explain_set_field(&x, f, &jg, "null", "--field"), 0);
    assert_int_equal(jg.protocol_type.len, -1);
    /* arrays are not set from text */
    f = kw__explain_top_field(s, 7, "protocols", 9);
    assert_non_null(f);
    assert_int_equal(kw__explain_set_field(&x, f, &jg, "1", "-X x"), KW_ERR_CONFIG);
    assert_string_equal(x.err, "-X x: protocols is not a number, boolean or string field");
    /* booleans */
    const kw_struct *e = kw__api_desc(KW_API_EndTxn, KW_REQ);
    kw_endtxn_req et;
    kw_desc_defaults(e, &et);
    f = kw__explain_top_field(e, 3, "committed", 9);
    assert_int_equal(kw__explain_set_field(&x, f, &et, "true", "--field"), 0);
    assert_int_equal(et.committed, 1);
    assert_int_equal(kw__explain_set_field(&x, f, &et, "false", "--field"), 0);
    assert_int_equal(et.committed, 0);
    assert_int_equal(kw__explain_set_field(&x, f, &et, "1", "--field"), KW_ERR_CONFIG);
    assert_string_equal(x.err, "--field: committed is a boolean (true or false)");
}

static void settings(void **st)
{
    (void)st;
    const char *set[] = {"acks=1", "acksx=0", "acks=0", "client.id=me"};
    kw_explain x;
    kw__explain_init(&x);
    x.settings = set;
    x.nsettings = 4;
    assert_string_equal(kw__explain_setting(&x, "acks"), "0");
    assert_string_equal(kw__explain_setting(&x, "client.id"), "me");
    assert_null(kw__explain_setting(&x, "ack"));
    assert_int_equal(kw__explain_check_settings(&x), KW_ERR_CONFIG); /* acksx */
    assert_non_null(strstr(x.err, "acksx"));
    /* settings only explain reads pass; the others as every command checks them */
    const char *ok[] = {"client.rack=r1", "group.instance.id=g", "linger.ms=5"};
    x.settings = ok;
    x.nsettings = 3;
    assert_int_equal(kw__explain_check_settings(&x), 0);
}

/* Decode out's frame: header into *h, body into msg (arena a). */
static void decode_frame(const kw_buf *out, kw_req_header *h, void *msg, kw_arena *a)
{
    assert_true(out->len > 4);
    uint32_t size = (uint32_t)out->data[0] << 24 | (uint32_t)out->data[1] << 16 | (uint32_t)out->data[2] << 8 | out->data[3];
    assert_int_equal(size, out->len - 4);
    size_t hl;
    assert_int_equal(kw_req_header_decode(out->data + 4, out->len - 4, h, &hl), 0);
    assert_int_equal(h->correlation_id, 1);
    assert_int_equal(kw_msg_decode(h->api_key, h->api_version, KW_REQ, out->data + 4 + hl, out->len - 4 - hl, msg, a, NULL), 0);
}

static void build_client_requests(void **st)
{
    (void)st;
    kw_explain x;
    kw__explain_init(&x);
    const char *set[] = {"acks=1", "request.timeout.ms=1234", "client.id=teach"};
    x.settings = set;
    x.nsettings = 3;
    x.api = KW_API_Produce;
    x.version = 9;
    x.records = 3;
    x.partition = 2;
    kw_buf out;
    kw_buf_init(&out);
    assert_int_equal(kw__explain_build(&x, &out), 0);
    kw_arena a;
    kw_arena_init(&a);
    kw_req_header h;
    kw_produce_req pr;
    decode_frame(&out, &h, &pr, &a);
    assert_int_equal(h.api_key, KW_API_Produce);
    assert_int_equal(h.api_version, 9);
    assert_int_equal(h.client_id_len, 5);
    assert_memory_equal(h.client_id, "teach", 5);
    assert_int_equal(pr.acks, 1);
    assert_int_equal(pr.timeout_ms, 1234);
    assert_int_equal(pr.n_topic_data, 1);
    assert_int_equal(pr.topic_data[0].name.len, (int)strlen(KW_EXPLAIN_DEFAULT_TOPIC));
    assert_int_equal(pr.topic_data[0].n_partition_data, 1);
    assert_int_equal(pr.topic_data[0].partition_data[0].index, 2);
    const kw_bytes rec = pr.topic_data[0].partition_data[0].records;
    /* a v2 batch of 3 records: record count at byte 57 */
    assert_true(rec.len > 61);
    assert_int_equal(rec.p[57 + 3], 3);
    kw_arena_free(&a);

    /* Metadata: each topic named, auto-creation as set */
    const char *set2[] = {"allow.auto.create.topics=false"};
    kw__explain_init(&x);
    x.settings = set2;
    x.nsettings = 1;
    x.api = KW_API_Metadata;
    x.version = 12;
    x.topics[x.ntopics++] = "orders";
    x.topics[x.ntopics++] = "payments";
    out.len = 0;
    assert_int_equal(kw__explain_build(&x, &out), 0);
    kw_arena_init(&a);
    kw_metadata_req mr;
    decode_frame(&out, &h, &mr, &a);
    assert_int_equal(h.client_id_len, 0); /* the clients' default client.id */
    assert_int_equal(mr.n_topics, 2);
    assert_memory_equal(mr.topics[1].name.p, "payments", 8);
    assert_int_equal(mr.allow_auto_topic_creation, 0);
    kw_arena_free(&a);
    kw_buf_free(&out);
}

static void build_refused(void **st)
{
    (void)st;
    kw_explain x;
    kw_buf out;
    kw_buf_init(&out);
    const char *bad[][2] = {
        {"acks=2", "-X acks=2: expected all, -1, 0 or 1"},
        {"compression.type=brotli", "-X compression.type=brotli: expected none, gzip, snappy, lz4 or zstd"},
        {"request.timeout.ms=-1", "-X request.timeout.ms=-1: expected an integer in [0, 2147483647]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kw__explain_init(&x);
        x.settings = bad[i];
        x.nsettings = 1;
        x.api = KW_API_Produce;
        x.version = 9;
        assert_int_equal(kw__explain_build(&x, &out), KW_ERR_CONFIG);
        assert_string_equal(x.err, bad[i][1]);
    }
    /* zstd before Produce v7 (KIP-110) */
    const char *z[] = {"compression.type=zstd"};
    kw__explain_init(&x);
    x.settings = z;
    x.nsettings = 1;
    x.api = KW_API_Produce;
    x.version = 6;
    assert_int_equal(kw__explain_build(&x, &out), KW_ERR_CONFIG);
    assert_string_equal(x.err, "compression.type=zstd needs Produce v7 or later (asked for v6)");
    /* --field only for APIs the client does not send */
    kw__explain_init(&x);
    x.api = KW_API_Produce;
    x.version = 9;
    x.fields[x.nfields++] = "acks=1";
    assert_int_equal(kw__explain_build(&x, &out), KW_ERR_CONFIG);
    assert_non_null(strstr(x.err, "--field applies to the APIs the client does not send"));
    kw__explain_init(&x);
    x.api = KW_API_AddOffsetsToTxn;
    x.version = 4;
    x.fields[x.nfields++] = "nope=1";
    assert_int_equal(kw__explain_build(&x, &out), KW_ERR_CONFIG);
    assert_string_equal(x.err, "--field nope=1: AddOffsetsToTxn v4 requests have no top-level field 'nope'");
    kw_buf_free(&out);
}

static void build_generic(void **st)
{
    (void)st;
    kw_explain x;
    kw__explain_init(&x);
    const char *set[] = {"transactional.id=tx-1", "group.id=from-setting"};
    x.settings = set;
    x.nsettings = 2;
    x.api = KW_API_AddOffsetsToTxn; /* not sent by the client: built from its defaults */
    x.version = 4;
    x.fields[x.nfields++] = "producer_id=4242";
    x.fields[x.nfields++] = "transactional_id=tx-2"; /* after the settings */
    kw_buf out;
    kw_buf_init(&out);
    assert_int_equal(kw__explain_build(&x, &out), 0);
    kw_arena a;
    kw_arena_init(&a);
    kw_req_header h;
    kw_addoffsetstotxn_req r;
    decode_frame(&out, &h, &r, &a);
    assert_int_equal(h.api_key, KW_API_AddOffsetsToTxn);
    assert_int_equal(h.api_version, 4);
    assert_int_equal(r.group_id.len, 12);
    assert_memory_equal(r.group_id.p, "from-setting", 12);
    assert_int_equal(r.producer_id, 4242);
    kw_addoffsetstotxn_req d;
    kw_desc_defaults(kw__api_desc(KW_API_AddOffsetsToTxn, KW_REQ), &d);
    assert_int_equal(r.producer_epoch, d.producer_epoch); /* the description's default */
    assert_int_equal(r.transactional_id.len, 4);
    assert_memory_equal(r.transactional_id.p, "tx-2", 4);
    kw_arena_free(&a);
    kw_buf_free(&out);
}

/* The body of out's frame (after size and header). */
static void frame_body(const kw_buf *out, const uint8_t **body, size_t *len)
{
    kw_req_header h;
    size_t hl;
    assert_int_equal(kw_req_header_decode(out->data + 4, out->len - 4, &h, &hl), 0);
    *body = out->data + 4 + hl;
    *len = out->len - 4 - hl;
}

/* The client's own requests are the client's encoders' bytes. */
static void same_as_client(void **st)
{
    (void)st;
    kw_explain x;
    kw_buf out, want;
    kw_buf_init(&out);
    kw_buf_init(&want);
    const uint8_t *body;
    size_t len;
    kw_uuid id;
    assert_int_equal(kw__explain_parse_uuid("00112233445566778899aabbccddeeff", &id), 0);
    kw_tpo e = {.topic = "t1", .topic_id = id, .partition = 4, .offset = 99, .leader_epoch = -1};
    kw_tpo_list l = {&e, 1, 1};
    for (int api = 0; api < 2; api++)
        for (int16_t v = 8; v <= 10; v++) {
            const char *set[] = {"group.instance.id=gi"};
            kw__explain_init(&x);
            x.settings = set;
            x.nsettings = 1;
            x.api = api ? KW_API_OffsetCommit : KW_API_OffsetFetch;
            x.version = v;
            x.group = "g1";
            x.topics[x.ntopics++] = "t1";
            x.topic_id = id;
            x.partition = 4;
            x.offset = 99;
            out.len = want.len = 0;
            assert_int_equal(kw__explain_build(&x, &out), 0);
            kw_commit_id cid = {-1, NULL, "gi"};
            assert_int_equal(api ? kw_offsets_commit_encode("g1", &cid, &l, v, &want)
                                 : kw_offsets_fetch_encode("g1", &l, v, &want), 0);
            frame_body(&out, &body, &len);
            assert_int_equal(len, want.len);
            assert_memory_equal(body, want.data, len);
        }
    /* without a broker the id is zero: shown at v10, where the client would refuse it */
    kw__explain_init(&x);
    x.api = KW_API_OffsetFetch;
    x.version = 10;
    out.len = 0;
    assert_int_equal(kw__explain_build(&x, &out), 0);
    x.api = KW_API_Produce;
    x.version = 13;
    out.len = 0;
    assert_int_equal(kw__explain_build(&x, &out), 0);
    /* Metadata below v4 without auto-creation asks for every topic, as kw_meta_fetch does */
    const char *no[] = {"allow.auto.create.topics=false"};
    kw__explain_init(&x);
    x.settings = no;
    x.nsettings = 1;
    x.api = KW_API_Metadata;
    x.version = 3;
    x.topics[x.ntopics++] = "orders";
    out.len = want.len = 0;
    assert_int_equal(kw__explain_build(&x, &out), 0);
    assert_int_equal(kw_meta_encode(x.topics, 1, 0, 3, &want), 0);
    frame_body(&out, &body, &len);
    assert_int_equal(len, want.len);
    assert_memory_equal(body, want.data, len);
    assert_int_equal(len, 4);
    assert_memory_equal(body, "\xff\xff\xff\xff", 4); /* a null array: every topic */
    kw_buf_free(&out);
    kw_buf_free(&want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_uuid),           cmocka_unit_test(fields),
        cmocka_unit_test(settings),             cmocka_unit_test(build_client_requests),
        cmocka_unit_test(build_refused),        cmocka_unit_test(build_generic),
        cmocka_unit_test(same_as_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
