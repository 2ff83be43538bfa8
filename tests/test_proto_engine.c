/*
 * tests/test_proto_engine.c — the description engine (proto/desc.c) over every
 * described (API, version, direction): generated values round-trip through
 * encode -> decode -> encode with the exact size; every truncation fails cleanly and
 * is reported by annotate; unknown tagged fields are skipped and shown; huge array
 * counts fail before allocating; request/response frames and headers.
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
#include "proto/msg_produce.h"

/* ---- a value generator walking the description ---- */

typedef struct gen {
    uint64_t s;
    kw_arena a;
    int16_t v;
    int flex;
} gen;

static uint32_t rnd(gen *g)
{
    g->s ^= g->s << 13; g->s ^= g->s >> 7; g->s ^= g->s << 17;
    return (uint32_t)(g->s >> 11);
}

static const char *const words[] = {"", "a", "topic-1", "kwire", "\xc3\xa9t\xc3\xa9", "rack/eu-west-1a",
                                    "a-much-longer-string-value-to-cross-the-one-byte-varint-boundary-"
                                    "0123456789012345678901234567890123456789012345678901234567890123"};

static void gen_struct(gen *g, const kw_struct *s, uint8_t *out, int depth);

static void gen_prim(gen *g, const kw_field *f, int t, uint8_t *m)
{
    int nullable = g->v >= f->null_from;
    switch (t) {
    case KW_T_BOOL: *m = (uint8_t)(rnd(g) & 1); break;
    case KW_T_INT8: *(int8_t *)m = (int8_t)rnd(g); break;
    case KW_T_INT16: case KW_T_UINT16: *(int16_t *)m = (int16_t)rnd(g); break;
    case KW_T_INT32: case KW_T_UINT32: case KW_T_VARINT: case KW_T_UVARINT:
        *(int32_t *)m = (rnd(g) & 3) ? (int32_t)(rnd(g) % 300) - 10 : (int32_t)(rnd(g) * 3u);
        break;
    case KW_T_INT64: case KW_T_VARLONG:
        *(int64_t *)m = (int64_t)(((uint64_t)rnd(g) << 32) | rnd(g)) >> (rnd(g) % 60);
        break;
    case KW_T_FLOAT64: *(double *)m = (double)(int32_t)rnd(g) / 7.0; break;
    case KW_T_UUID: for (int i = 0; i < 16; i++) m[i] = (uint8_t)rnd(g); break;
    case KW_T_STRING:
        if (nullable && rnd(g) % 4 == 0) *(kw_str *)m = KW_STR_NULL;
        else *(kw_str *)m = kw_s(words[rnd(g) % (sizeof words / sizeof words[0])]);
        break;
    case KW_T_BYTES: case KW_T_RECORDS: {
        if (nullable && rnd(g) % 4 == 0) { *(kw_bytes *)m = KW_BYTES_NULL; break; }
        size_t n = rnd(g) % 40;
        uint8_t *p = kw_arena_alloc(&g->a, n);
        for (size_t i = 0; i < n; i++) p[i] = (uint8_t)rnd(g);
        *(kw_bytes *)m = kw_b(p, n);
        break;
    }
    default: fail_msg("unexpected primitive type %d", t);
    }
}

static void gen_field(gen *g, const kw_field *f, uint8_t *m, int depth)
{
    if (f->type == KW_T_STRUCT) { gen_struct(g, f->sub, m, depth + 1); return; }
    if (f->type != KW_T_ARRAY) { gen_prim(g, f, f->type, m); return; }
    int32_t *np = (int32_t *)(m - f->off + f->off_n);
    if (g->v >= f->null_from && rnd(g) % 4 == 0) { *(void **)m = NULL; *np = -1; return; }
    int32_t n = depth > 3 ? (int32_t)(rnd(g) % 2) : (int32_t)(rnd(g) % 4);
    size_t esz = f->sub ? f->sub->size : kw_type_csize(f->elem);
    uint8_t *arr = n ? kw_arena_alloc(&g->a, (size_t)n * esz) : NULL;
    for (int32_t i = 0; i < n; i++) {
        if (f->sub) gen_struct(g, f->sub, arr + (size_t)i * esz, depth + 1);
        else gen_prim(g, f, f->elem, arr + (size_t)i * esz);
    }
    *(void **)m = arr;
    *np = n;
}

static void gen_struct(gen *g, const kw_struct *s, uint8_t *out, int depth)
{
    kw_desc_defaults(s, out);
    for (unsigned i = 0; i < s->nfields; i++) {
        const kw_field *f = &s->fields[i];
        if (g->v < f->vmin || g->v > f->vmax) continue;
        if (f->tag >= 0 && (!g->flex || rnd(g) % 3 == 0)) continue; /* tagged: often left default */
        gen_field(g, f, out + f->off, depth);
    }
}

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

static void roundtrip_one(int key, int16_t v, int dir, uint64_t seed)
{
    const kw_struct *s = kw__api_desc(key, dir);
    gen g = {seed * 2654435761u + 1, {0}, v, kw_api_flexible(key, v)};
    kw_arena_init(&g.a);
    uint8_t *msg = kw_arena_alloc(&g.a, s->size);
    gen_struct(&g, s, msg, 0);

    kw_buf b; kw_buf_init(&b);
    int rc = kw_msg_encode(key, v, dir, msg, &b);
    if (rc) fail_msg("%s v%d %s: encode %s", kw_api_name(key), v, dir ? "resp" : "req", kw_err_name(rc));
    assert_int_equal(b.len, kw_msg_size(key, v, dir, msg));

    kw_arena a; kw_arena_init(&a);
    uint8_t *dec = kw_arena_alloc(&a, s->size);
    kw_proto_err e;
    rc = kw_msg_decode(key, v, dir, b.data, b.len, dec, &a, &e);
    if (rc) fail_msg("%s v%d %s: decode %s at %s off %zu", kw_api_name(key), v, dir ? "resp" : "req",
                     kw_err_name(rc), e.path, e.off);
    kw_buf b2; kw_buf_init(&b2);
    assert_int_equal(kw_msg_encode(key, v, dir, dec, &b2), 0);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.data, b.data, b.len);

    int n[2] = {0, 0};
    assert_int_equal(kw_msg_annotate(key, v, dir, b.data, b.len, 0, count_cb, n), 0);
    assert_int_equal(n[1], 0);
    assert_true(n[0] > 0 || b.len == 0);
    cover cv = {0, 0, -1, 0};
    assert_int_equal(kw_msg_annotate(key, v, dir, b.data, b.len, 0, cover_cb, &cv), 0);
    assert_int_equal(cv.bad, 0);
    assert_int_equal(cv.bal, 0);
    assert_int_equal(cv.next, b.len);

    /* every strict prefix fails, with an error reported by decode and annotate */
    for (size_t cut = 0; cut < b.len; cut++) {
        uint8_t *p = malloc(cut ? cut : 1); /* exact-size copy: ASan catches any over-read */
        memcpy(p, b.data, cut);
        kw_arena ta; kw_arena_init(&ta);
        uint8_t *t = kw_arena_alloc(&ta, s->size);
        rc = kw_msg_decode(key, v, dir, p, cut, t, &ta, &e);
        if (rc == 0) fail_msg("%s v%d dir %d: prefix %zu of %zu decoded", kw_api_name(key), v, dir, cut, b.len);
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

static void test_roundtrip_every_version(void **st)
{
    (void)st;
    int described = 0;
#define RT(key, name, lo, hi)                                                  \
    if (kw__api_desc(key, KW_REQ)) {                                           \
        described++;                                                           \
        for (int v = lo; v <= hi; v++)                                         \
            for (int dir = 0; dir < 2; dir++)                                  \
                for (uint64_t seed = 1; seed <= 6; seed++)                     \
                    roundtrip_one(key, (int16_t)v, dir, seed * 977 + (uint64_t)v); \
    }
    KW_API_MAP(RT)
#undef RT
    assert_true(described >= 1);
}

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
    assert_int_equal(kw_msg_encode(KW_API_ApiVersions, 5, KW_REQ, &q, &b), KW_ERR_UNSUPPORTED);
    assert_int_equal(kw_msg_encode(KW_API_ListGroups + 100, 0, KW_REQ, &q, &b), KW_ERR_UNSUPPORTED);
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
    kw_produce_topic t = {kw_s("t"), &p, 1};
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
    assert_null(kw_api_name(4));
    assert_int_equal(kw_api_parse("listoffsets"), 2);
    assert_int_equal(kw_api_parse("InitProducerId"), 22);
    assert_int_equal(kw_api_parse("nope"), KW_ERR_UNKNOWN_API);
    int16_t lo, hi;
    assert_int_equal(kw_api_range(1, &lo, &hi), 0);
    assert_int_equal(lo, 4); assert_int_equal(hi, 17);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_every_version),
        cmocka_unit_test(test_unknown_tag_skipped_and_annotated),
        cmocka_unit_test(test_huge_array_count_rejected_before_allocating),
        cmocka_unit_test(test_encode_rejects_null_where_not_nullable),
        cmocka_unit_test(test_request_frame_and_header),
        cmocka_unit_test(test_response_frame),
        cmocka_unit_test(test_annotation_text_is_bounded),
        cmocka_unit_test(test_records_field_annotated_into_batches),
        cmocka_unit_test(test_api_table),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_utf8_strings_shown_as_text),
        cmocka_unit_test(test_enum_names),
    };
    return cmocka_run_group_tests_name("proto_engine", tests, NULL, NULL);
}
