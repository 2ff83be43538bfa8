/*
 * tests/test_proto_all.c — every API key and every version kwire describes (the
 * generated descriptions of Kafka's message specifications), both directions: random
 * messages built from the description round-trip through encode -> decode -> encode
 * byte for byte with the exact size; annotate covers every byte once with balanced
 * ENTER/LEAVE and no error; every strict prefix fails cleanly (decode and annotate);
 * a request built from the description's defaults encodes. Also the API table's
 * facts: header versions, the generated ranges, the versions Kafka 4.0 removed.
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

#include "proto_gen.h"

/* ---- round trips ---- */

static int count_cb(void *ud, const kw_ann *a)
{
    int *n = ud;
    if (a->kind == KW_ANN_ERROR) n[1]++;
    else n[0]++;
    return 0;
}

/* Every byte of a body is shown exactly once, in order; ENTER and LEAVE balance. */
typedef struct cover { size_t next; int bal, in_rec, bad; } cover;
static int cover_cb(void *ud, const kw_ann *a)
{
    cover *c = ud;
    if (c->in_rec >= 0) { /* inside record batches: the batch annotator's own offsets */
        if (a->kind == KW_ANN_LEAVE && a->depth == c->in_rec) { c->in_rec = -1; c->bal--; c->next = a->off; }
        return 0;
    }
    if ((a->kind == KW_ANN_FIELD || a->kind == KW_ANN_ENTER) && a->len) {
        if (a->off != c->next) c->bad++;
        c->next = a->off + a->len;
    }
    if (a->kind == KW_ANN_ENTER) {
        c->bal++;
        if (!strcmp(a->type, "records") || !strcmp(a->type, "compact_records")) c->in_rec = a->depth;
    }
    if (a->kind == KW_ANN_LEAVE) c->bal--;
    if (a->kind == KW_ANN_ERROR) c->bad++;
    return 0;
}

static const char *dname(int dir) { return dir == KW_REQ ? "request" : "response"; }

/* One random message of (key, v, dir): the checks in the file comment; prefixes when cuts. */
static void roundtrip_one(int key, int16_t v, int dir, uint64_t seed, int cuts)
{
    const kw_struct *s = kw__api_desc(key, dir);
    gen g;
    uint8_t *msg = gen_message(&g, key, v, dir, seed);

    kw_buf b; kw_buf_init(&b);
    int rc = kw_msg_encode(key, v, dir, msg, &b);
    if (rc) fail_msg("%s v%d %s: encode %s", kw_api_name(key), v, dname(dir), kw_err_name(rc));
    if (b.len != kw_msg_size(key, v, dir, msg))
        fail_msg("%s v%d %s: size %zu, encoded %zu", kw_api_name(key), v, dname(dir), kw_msg_size(key, v, dir, msg), b.len);

    kw_arena a; kw_arena_init(&a);
    uint8_t *dec = kw_arena_alloc(&a, s->size);
    kw_proto_err e;
    rc = kw_msg_decode(key, v, dir, b.data, b.len, dec, &a, &e);
    if (rc) fail_msg("%s v%d %s: decode %s at %s off %zu", kw_api_name(key), v, dname(dir), kw_err_name(rc), e.path, e.off);
    kw_buf b2; kw_buf_init(&b2);
    assert_int_equal(kw_msg_encode(key, v, dir, dec, &b2), 0);
    if (b2.len != b.len || (b.len && memcmp(b2.data, b.data, b.len)))
        fail_msg("%s v%d %s: re-encoding differs (%zu / %zu bytes)", kw_api_name(key), v, dname(dir), b2.len, b.len);

    int n[2] = {0, 0};
    assert_int_equal(kw_msg_annotate(key, v, dir, b.data, b.len, 0, count_cb, n), 0);
    assert_int_equal(n[1], 0);
    assert_true(n[0] > 0 || b.len == 0);
    cover cv = {0, 0, -1, 0};
    assert_int_equal(kw_msg_annotate(key, v, dir, b.data, b.len, 0, cover_cb, &cv), 0);
    if (cv.bad || cv.bal || cv.next != b.len)
        fail_msg("%s v%d %s: annotation covers %zu of %zu bytes, %d gaps, balance %d", kw_api_name(key), v,
                 dname(dir), cv.next, b.len, cv.bad, cv.bal);

    /* every strict prefix fails, with an error reported by decode and annotate */
    for (size_t cut = 0; cuts && cut < b.len; cut++) {
        uint8_t *p = malloc(cut ? cut : 1); /* exact-size copy: ASan catches any over-read */
        memcpy(p, b.data, cut);
        kw_arena ta; kw_arena_init(&ta);
        uint8_t *t = kw_arena_alloc(&ta, s->size);
        rc = kw_msg_decode(key, v, dir, p, cut, t, &ta, &e);
        if (rc == 0) fail_msg("%s v%d %s: prefix %zu of %zu decoded", kw_api_name(key), v, dname(dir), cut, b.len);
        assert_int_equal(e.code, rc);
        assert_true(e.off <= cut);
        int m[2] = {0, 0};
        assert_true(kw_msg_annotate(key, v, dir, p, cut, 0, count_cb, m) < 0);
        assert_int_equal(m[1], 1);
        kw_arena_free(&ta);
        free(p);
    }
    kw_buf_free(&b); kw_buf_free(&b2);
    kw_arena_free(&a); kw_arena_free(&g.a);
}

static void test_roundtrip_every_api_and_version(void **st)
{
    (void)st;
    int apis = 0, versions = 0;
#define RT(key, name, lo, hi, flex)                                                        \
    apis++;                                                                                \
    for (int v = lo; v <= hi; v++) {                                                       \
        versions++;                                                                        \
        for (int dir = 0; dir < 2; dir++)                                                  \
            for (uint64_t seed = 1; seed <= 8; seed++)                                     \
                roundtrip_one(key, (int16_t)v, dir, seed * 977 + (uint64_t)v, seed <= 2);  \
    }
    KW_API_MAP(RT)
#undef RT
    print_message("%d APIs, %d versions, both directions\n", apis, versions);
    assert_true(apis >= 90);
}

/* A message of nothing but defaults encodes at every version (what `kwire explain`
 * sends for an API the client does not build) and decodes back to the same bytes. */
static void test_defaults_encode_every_api_and_version(void **st)
{
    (void)st;
#define DF(key, name, lo, hi, flex)                                                          \
    for (int v = lo; v <= hi; v++)                                                           \
        for (int dir = 0; dir < 2; dir++) {                                                  \
            const kw_struct *s = kw__api_desc(key, dir);                                     \
            kw_arena a; kw_arena_init(&a);                                                   \
            uint8_t *m = kw_arena_alloc(&a, s->size);                                        \
            kw_msg_defaults(key, dir, m);                                                    \
            kw_buf b; kw_buf_init(&b);                                                       \
            int rc = kw_msg_encode(key, (int16_t)v, dir, m, &b);                             \
            if (rc) fail_msg("%s v%d %s defaults: %s", #name, v, dname(dir), kw_err_name(rc)); \
            uint8_t *d = kw_arena_alloc(&a, s->size);                                        \
            assert_int_equal(kw_msg_decode(key, (int16_t)v, dir, b.data, b.len, d, &a, NULL), 0); \
            kw_buf_free(&b);                                                                 \
            kw_arena_free(&a);                                                               \
        }
    KW_API_MAP(DF)
#undef DF
}

static void test_api_table_facts(void **st)
{
    (void)st;
    int16_t lo, hi;
    /* the newest versions of Kafka 4.4 */
    assert_int_equal(kw_api_described(KW_API_Produce, &lo, &hi), 0); assert_int_equal(hi, 13);
    assert_int_equal(kw_api_described(KW_API_Fetch, &lo, &hi), 0); assert_int_equal(lo, 4); assert_int_equal(hi, 18);
    assert_int_equal(kw_api_described(KW_API_ApiVersions, &lo, &hi), 0); assert_int_equal(hi, 5);
    /* what the client sends: the newest of the APIs it uses, but InitProducerId v6
       (unstable) */
    assert_int_equal(kw_api_range(KW_API_Produce, &lo, &hi), 0); assert_int_equal(hi, 13);
    assert_int_equal(kw_api_range(KW_API_Fetch, &lo, &hi), 0); assert_int_equal(hi, 18);
    assert_int_equal(kw_api_range(KW_API_OffsetCommit, &lo, &hi), 0); assert_int_equal(hi, 10);
    assert_int_equal(kw_api_range(KW_API_OffsetFetch, &lo, &hi), 0); assert_int_equal(hi, 10);
    /* group membership: JoinGroup from v2 (4.0 removed v0-v1), the rest whole */
    assert_int_equal(kw_api_range(KW_API_JoinGroup, &lo, &hi), 0); assert_int_equal(lo, 2); assert_int_equal(hi, 9);
    assert_int_equal(kw_api_range(KW_API_ConsumerGroupHeartbeat, &lo, &hi), 0); assert_int_equal(hi, 1);
    assert_int_equal(kw_api_range(KW_API_ShareGroupHeartbeat, &lo, &hi), KW_ERR_UNKNOWN_API);
    /* names */
    assert_string_equal(kw_api_name(52), "Vote");
    assert_string_equal(kw_api_name(68), "ConsumerGroupHeartbeat");
    assert_int_equal(kw_api_parse("addraftvoter"), 80);
    assert_int_equal(kw_api_parse("ListClientMetricsResources"), 74);
    assert_int_equal(kw_api_parse("94"), 94);
    assert_null(kw_api_name(200));
    /* header versions: flexible -> request v2 / response v1, with the two exceptions */
    assert_int_equal(kw_req_header_version(KW_API_JoinGroup, 5), 1);
    assert_int_equal(kw_req_header_version(KW_API_JoinGroup, 6), 2);
    assert_int_equal(kw_resp_header_version(KW_API_JoinGroup, 6), 1);
    assert_int_equal(kw_req_header_version(KW_API_SaslHandshake, 1), 1); /* never flexible */
    assert_int_equal(kw_req_header_version(KW_API_Vote, 0), 2);
    assert_int_equal(kw_req_header_version(KW_API_ControlledShutdown, 0), 0);
    assert_int_equal(kw_req_header_version(KW_API_ControlledShutdown, 1), 1);
    assert_int_equal(kw_req_header_version(KW_API_ControlledShutdown, 3), 2);
    assert_int_equal(kw_resp_header_version(KW_API_ApiVersions, 5), 0);
    assert_int_equal(kw_req_header_version(KW_API_ApiVersions, 5), 2);
    /* KIP-896: what 4.0 removed */
    assert_int_equal(kw_api_removed_4_0(KW_API_Produce, &lo, &hi), 1); assert_int_equal(lo, 0); assert_int_equal(hi, 2);
    assert_int_equal(kw_api_removed_4_0(KW_API_Fetch, &lo, &hi), 1); assert_int_equal(hi, 3);
    assert_int_equal(kw_api_removed_4_0(KW_API_ControlledShutdown, &lo, &hi), 1); assert_int_equal(hi, 3);
    assert_int_equal(kw_api_removed_4_0(KW_API_Heartbeat, &lo, &hi), 0);
}

/* A ControlledShutdown v0 request frame: header v0 (no client_id) is encoded and read back. */
static void test_controlled_shutdown_v0_header(void **st)
{
    (void)st;
    kw_arena a; kw_arena_init(&a);
    const kw_struct *s = kw__api_desc(KW_API_ControlledShutdown, KW_REQ);
    uint8_t *m = kw_arena_alloc(&a, s->size);
    kw_msg_defaults(KW_API_ControlledShutdown, KW_REQ, m);
    kw_buf b; kw_buf_init(&b);
    assert_int_equal(kw_request_encode(&b, KW_API_ControlledShutdown, 0, 7, "ignored", m), 0);
    /* size, key 7, version 0, correlation id 7, broker_id int32: no client_id */
    const uint8_t want[] = {0, 0, 0, 12, 0, 7, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0};
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    kw_req_header h;
    size_t hl;
    assert_int_equal(kw_req_header_decode(b.data + 4, b.len - 4, &h, &hl), 0);
    assert_int_equal(hl, 8);
    assert_int_equal(h.client_id_len, -1);
    int n[2] = {0, 0};
    assert_int_equal(kw_request_frame_annotate(b.data, b.len, count_cb, n), 0);
    assert_int_equal(n[1], 0);
    kw_buf_free(&b);
    kw_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_every_api_and_version),
        cmocka_unit_test(test_defaults_encode_every_api_and_version),
        cmocka_unit_test(test_api_table_facts),
        cmocka_unit_test(test_controlled_shutdown_v0_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
