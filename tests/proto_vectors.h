/*
 * tests/proto_vectors.h — shared machinery of the hand-worked vector tests
 * (tests/test_proto_vectors_*.c): the vector table, a field-by-field comparison of two
 * message structs over their description, the annotation byte-walk check, and the
 * per-vector and every-version checks. Static definitions: each test program includes
 * it once.
 *
 * A vector is a message body worked out byte by byte from the protocol grammar, with
 * the builder that fills the struct it encodes. pv_check_vector asserts:
 *   encode(struct) == bytes, size(struct) == length;
 *   decode(bytes) == struct, field by field (fields the version lacks hold defaults);
 *   annotate(bytes) reports byte-carrying events back to back over every byte, no error;
 *   every proper prefix fails to decode and to annotate (one error event); one trailing
 *   byte is KW_ERR_CORRUPT.
 */
#ifndef KW_TESTS_PROTO_VECTORS_H
#define KW_TESTS_PROTO_VECTORS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/desc.h"
#include "proto/proto.h"

/* Strings the vectors use, spelled out once (lengths in the comments). */
#define TEST_GROUP 't', 'e', 's', 't', '-', 'g', 'r', 'o', 'u', 'p'                 /* 10 */
#define OTHER_GROUP 'o', 't', 'h', 'e', 'r', '-', 'g', 'r', 'o', 'u', 'p'           /* 11 */
#define TEST_TOPIC 't', 'e', 's', 't', '-', 't', 'o', 'p', 'i', 'c'                 /* 10 */
#define LOCALHOST 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't'                       /* 9 */
#define MEMBER_1 'm', 'e', 'm', 'b', 'e', 'r', '-', '1'                             /* 8 */
#define CONSUMER 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r'                             /* 8 */
#define CLIENT_HOST '/', '1', '2', '7', '.', '0', '.', '0', '.', '1'                /* 10 */
#define CLEANUP_POLICY 'c', 'l', 'e', 'a', 'n', 'u', 'p', '.', 'p', 'o', 'l', 'i', 'c', 'y' /* 14 */
#define RETENTION_MS 'r', 'e', 't', 'e', 'n', 't', 'i', 'o', 'n', '.', 'm', 's'     /* 12 */

typedef struct vec {
    const char *name;
    int api;
    int16_t v;
    int dir;
    const uint8_t *bytes;
    size_t len;
    void (*build)(void *); /* fills the struct (already holding its defaults) */
} vec;

/* A table entry for the array `nm` and its builder `b_nm`. */
#define VEC(nm, api, ver, dir) {#nm, KW_API_##api, ver, dir, nm, sizeof nm, b_##nm}

/* Room for any message struct these tests use. */
typedef union msgbuf { _Alignas(16) uint8_t b[512]; int64_t align; } msgbuf;

/* The struct a vector encodes: defaults first (as a caller would start), then its values. */
static void pv_build(const vec *t, msgbuf *m)
{
    const kw_struct *s = kw__api_desc(t->api, t->dir);
    assert_non_null(s);
    assert_true(s->size <= sizeof m->b);
    memset(m, 0xa5, sizeof *m);
    kw_msg_defaults(t->api, t->dir, m->b);
    t->build(m->b);
}

/* ================================================= field-by-field comparison over a description */

static int present(const kw_field *f, int16_t v, int flex)
{
    return v >= f->vmin && v <= f->vmax && (f->tag < 0 || flex);
}

static int64_t int_at(const uint8_t *m, int t)
{
    switch (t) {
    case KW_T_BOOL: return *m;
    case KW_T_INT8: return *(const int8_t *)m;
    case KW_T_INT16: return *(const int16_t *)m;
    case KW_T_UINT16: return *(const uint16_t *)m;
    case KW_T_INT32: case KW_T_VARINT: return *(const int32_t *)m;
    case KW_T_UINT32: case KW_T_UVARINT: return *(const uint32_t *)m;
    default: return *(const int64_t *)m;
    }
}

static int cmp_fail(const char *path, const char *name, const char *what)
{
    print_error("mismatch at %s.%s: %s\n", path, name, what);
    return 1;
}

static int cmp_prim(int t, const uint8_t *a, const uint8_t *b, const char *path, const char *name)
{
    switch (t) {
    case KW_T_STRING: {
        const kw_str *x = (const kw_str *)a, *y = (const kw_str *)b;
        if (x->len != y->len) return cmp_fail(path, name, "string length");
        if (x->len > 0 && memcmp(x->p, y->p, (size_t)x->len)) return cmp_fail(path, name, "string bytes");
        return 0;
    }
    case KW_T_BYTES: case KW_T_RECORDS: {
        const kw_bytes *x = (const kw_bytes *)a, *y = (const kw_bytes *)b;
        if (x->len != y->len) return cmp_fail(path, name, "bytes length");
        if (x->len > 0 && memcmp(x->p, y->p, (size_t)x->len)) return cmp_fail(path, name, "bytes");
        return 0;
    }
    case KW_T_UUID: return memcmp(a, b, 16) ? cmp_fail(path, name, "uuid") : 0;
    case KW_T_FLOAT64: return memcmp(a, b, 8) ? cmp_fail(path, name, "float64") : 0;
    default: return int_at(a, t) != int_at(b, t) ? cmp_fail(path, name, "integer") : 0;
    }
}

static int check_default(const kw_struct *s, const uint8_t *got, const char *path);

/* A field the version lacks must hold its default after decode. */
static int field_default(const kw_field *f, const uint8_t *m, const char *path)
{
    static const uint8_t zero[16];
    switch (f->type) {
    /* strings, bytes and arrays: def -1 null, else empty; nullable structs NULL */
    case KW_T_STRING:
        return ((const kw_str *)m)->len != (f->def == -1 ? -1 : 0) ? cmp_fail(path, f->name, "absent, not default") : 0;
    case KW_T_BYTES: case KW_T_RECORDS:
        return ((const kw_bytes *)m)->len != (f->def == -1 ? -1 : 0) ? cmp_fail(path, f->name, "absent, not default") : 0;
    case KW_T_ARRAY:
        return *(const int32_t *)(m - f->off + f->off_n) != (f->def == -1 ? -1 : 0)
                   ? cmp_fail(path, f->name, "absent, not default") : 0;
    case KW_T_UUID: return memcmp(m, zero, 16) ? cmp_fail(path, f->name, "absent, not zero") : 0;
    case KW_T_STRUCT:
        if (f->null_from != KW_NEVER) return *(const void *const *)m ? cmp_fail(path, f->name, "absent, not null") : 0;
        return check_default(f->sub, m, path);
    case KW_T_FLOAT64: return *(const double *)m != (double)f->def ? cmp_fail(path, f->name, "default") : 0;
    default: return int_at(m, f->type) != f->def ? cmp_fail(path, f->name, "absent, not default") : 0;
    }
}

static int check_default(const kw_struct *s, const uint8_t *got, const char *path)
{
    int bad = 0;
    for (unsigned i = 0; i < s->nfields; i++) bad |= field_default(&s->fields[i], got + s->fields[i].off, path);
    return bad;
}

static int pv_cmp_struct(const kw_struct *s, int16_t v, int flex, const uint8_t *want, const uint8_t *got,
                      const char *path)
{
    int bad = 0;
    for (unsigned i = 0; i < s->nfields; i++) {
        const kw_field *f = &s->fields[i];
        const uint8_t *a = want + f->off, *b = got + f->off;
        char sub[200];
        snprintf(sub, sizeof sub, "%s.%s", path, f->name);
        if (!present(f, v, flex)) { bad |= field_default(f, b, path); continue; }
        if (f->type == KW_T_STRUCT && f->null_from != KW_NEVER) { /* nullable struct: pointers */
            const uint8_t *pa = *(const uint8_t *const *)a, *pb = *(const uint8_t *const *)b;
            if (!pa || !pb) { if (pa != pb) bad |= cmp_fail(path, f->name, "null vs present"); continue; }
            bad |= pv_cmp_struct(f->sub, v, flex, pa, pb, sub);
            continue;
        }
        if (f->type == KW_T_STRUCT) { bad |= pv_cmp_struct(f->sub, v, flex, a, b, sub); continue; }
        if (f->type != KW_T_ARRAY) { bad |= cmp_prim(f->type, a, b, path, f->name); continue; }
        int32_t na = *(const int32_t *)(want + f->off_n), nb = *(const int32_t *)(got + f->off_n);
        if (na != nb) { bad |= cmp_fail(path, f->name, "array count"); continue; }
        const uint8_t *ea = *(const uint8_t *const *)a, *eb = *(const uint8_t *const *)b;
        size_t esz = f->sub ? f->sub->size : kw_type_csize(f->elem);
        for (int32_t k = 0; k < na; k++) {
            char el[220];
            snprintf(el, sizeof el, "%s[%d]", sub, (int)k);
            if (f->sub) bad |= pv_cmp_struct(f->sub, v, flex, ea + (size_t)k * esz, eb + (size_t)k * esz, el);
            else bad |= cmp_prim(f->elem, ea + (size_t)k * esz, eb + (size_t)k * esz, el, "");
        }
    }
    return bad;
}

/* ============================================================================ annotation */

typedef struct annck {
    size_t cursor;  /* end of the last byte-carrying event */
    int out_of_order, errors, fields, depth;
} annck;

static int pv_ann_cb(void *ud, const kw_ann *a)
{
    annck *k = ud;
    switch (a->kind) {
    case KW_ANN_ERROR: k->errors++; break;
    case KW_ANN_ENTER: case KW_ANN_FIELD: /* both can carry bytes (array and tag headers) */
        if (a->kind == KW_ANN_ENTER) k->depth++; else k->fields++;
        if (a->len) {
            if (a->off != k->cursor) k->out_of_order++;
            k->cursor = a->off + a->len;
        }
        break;
    case KW_ANN_LEAVE: k->depth--; break;
    default: break;
    }
    return 0;
}

/* ======================================================================= one vector */

static void pv_check_vector(const vec *t)
{
    msgbuf want, got;
    kw_buf out;
    kw_arena a;
    kw_proto_err err;

    pv_build(t, &want);

    /* encode(struct) == the hand-worked bytes */
    kw_buf_init(&out);
    int rc = kw_msg_encode(t->api, t->v, t->dir, want.b, &out);
    if (rc || out.len != t->len || (t->len && memcmp(out.data, t->bytes, t->len))) {
        print_error("%s: encode rc %d, %zu bytes (want %zu)\n", t->name, rc, out.len, t->len);
        for (size_t i = 0; i < out.len; i++)
            print_error("%s%02x%s", i % 16 ? "" : "  ", out.data[i],
                        (i < t->len && out.data[i] == t->bytes[i]) ? " " : "*");
        print_error("\n");
        fail();
    }
    assert_int_equal(kw_msg_size(t->api, t->v, t->dir, want.b), t->len);
    kw_buf_free(&out);

    /* decode(bytes) == the struct */
    kw_arena_init(&a);
    memset(&got, 0x5a, sizeof got);
    rc = kw_msg_decode(t->api, t->v, t->dir, t->bytes, t->len, got.b, &a, &err);
    if (rc) print_error("%s: decode %d at %zu (%s)\n", t->name, rc, err.off, err.path);
    assert_int_equal(rc, 0);
    const kw_struct *s = kw__api_desc(t->api, t->dir);
    if (pv_cmp_struct(s, t->v, kw_api_flexible(t->api, t->v), want.b, got.b, t->name)) fail();
    kw_arena_free(&a);

    /* annotation walks every byte, in order, without an error */
    annck k = {0};
    rc = kw_msg_annotate(t->api, t->v, t->dir, t->bytes, t->len, 0, pv_ann_cb, &k);
    assert_int_equal(rc, 0);
    assert_int_equal(k.errors, 0);
    assert_int_equal(k.out_of_order, 0);
    assert_int_equal(k.cursor, t->len);
    assert_int_equal(k.depth, 0);

    /* every proper prefix is an error, for decode and for annotate */
    for (size_t n = 0; n < t->len; n++) {
        kw_arena_init(&a);
        rc = kw_msg_decode(t->api, t->v, t->dir, t->bytes, n, got.b, &a, NULL);
        kw_arena_free(&a);
        if (rc >= 0) print_error("%s: prefix %zu decoded\n", t->name, n);
        assert_true(rc < 0);
        annck kp = {0};
        rc = kw_msg_annotate(t->api, t->v, t->dir, t->bytes, n, 0, pv_ann_cb, &kp);
        assert_true(rc < 0);
        assert_int_equal(kp.errors, 1);
    }

    /* a trailing byte is corrupt */
    uint8_t longer[512];
    assert_true(t->len < sizeof longer);
    if (t->len) memcpy(longer, t->bytes, t->len);
    longer[t->len] = 0;
    kw_arena_init(&a);
    assert_int_equal(kw_msg_decode(t->api, t->v, t->dir, longer, t->len + 1, got.b, &a, NULL), KW_ERR_CORRUPT);
    kw_arena_free(&a);
}

/*
 * Every vector as a whole frame. The expected frame is laid out here by the protocol's
 * header rules, independently of the engine's tables: flexible (version >= first_flex)
 * requests use header v2 (api_key api_version correlation_id client_id, then a tagged
 * field count), older ones header v1 (no tagged fields); responses use header v1
 * (correlation_id, tagged field count) when flexible, else v0. client_id stays a
 * classic NULLABLE_STRING (int16 length) even in header v2.
 */
static void pv_check_frames(const vec *tbl, size_t n, int (*first_flex)(int api))
{
    for (size_t i = 0; i < n; i++) {
        const vec *t = &tbl[i];
        int flex = t->v >= first_flex(t->api);
        uint8_t want[600];
        size_t w = 4;
        const int32_t corr = 0x01020304 + (int32_t)i;
        if (t->dir == KW_REQ) {
            kw_be16(want + w, (uint16_t)t->api); w += 2;        /* request_api_key */
            kw_be16(want + w, (uint16_t)t->v); w += 2;          /* request_api_version */
            kw_be32(want + w, (uint32_t)corr); w += 4;          /* correlation_id */
            kw_be16(want + w, 5); w += 2;                       /* client_id: "kwire" */
            memcpy(want + w, "kwire", 5); w += 5;
            if (flex) want[w++] = 0x00;                         /* header _tagged_fields */
        } else {
            kw_be32(want + w, (uint32_t)corr); w += 4;          /* correlation_id */
            if (flex) want[w++] = 0x00;                         /* header _tagged_fields */
        }
        size_t hdr = w;
        assert_true(w + t->len <= sizeof want);
        if (t->len) memcpy(want + w, t->bytes, t->len);
        w += t->len;
        kw_be32(want, (uint32_t)(w - 4));                       /* size: all after itself */

        msgbuf m;
        pv_build(t, &m);
        kw_buf out;
        kw_buf_init(&out);
        int rc = t->dir == KW_REQ ? kw_request_encode(&out, t->api, t->v, corr, "kwire", m.b)
                                  : kw_response_encode(&out, t->api, t->v, corr, m.b);
        if (rc || out.len != w || memcmp(out.data, want, w))
            fail_msg("%s: frame rc %d, %zu bytes (want %zu, header %zu)", t->name, rc, out.len, w, hdr);
        kw_buf_free(&out);

        if (t->dir == KW_REQ) {
            kw_req_header h;
            size_t hl = 0;
            assert_int_equal(kw_req_header_decode(want + 4, w - 4, &h, &hl), 0);
            assert_int_equal(hl, hdr - 4);
            assert_int_equal(h.api_key, t->api);
            assert_int_equal(h.api_version, t->v);
            assert_int_equal(h.correlation_id, corr);
            assert_int_equal(h.client_id_len, 5);
        } else {
            int32_t c = 0;
            size_t hl = 0;
            assert_int_equal(kw_resp_header_decode(t->api, t->v, want + 4, w - 4, &c, &hl), 0);
            assert_int_equal(hl, hdr - 4);
            assert_int_equal(c, corr);
        }

        annck k = {0};
        rc = t->dir == KW_REQ ? kw_request_frame_annotate(want, w, pv_ann_cb, &k)
                              : kw_response_frame_annotate(t->api, t->v, want, w, pv_ann_cb, &k);
        if (rc || k.errors || k.out_of_order || k.cursor != w)
            fail_msg("%s: frame annotate rc %d, %d errors, %d out of order, walked %zu of %zu", t->name, rc, k.errors,
                     k.out_of_order, k.cursor, w);
    }
}

/* Every vector of a table. */
static void pv_check_table(const vec *tbl, size_t n)
{
    for (size_t i = 0; i < n; i++) pv_check_vector(&tbl[i]);
}

/* Decode the vector called name into m (the arena is the caller's to free). */
static void *pv_dec(const vec *tbl, size_t n, const char *name, kw_arena *a, msgbuf *m)
{
    for (size_t i = 0; i < n; i++) {
        const vec *t = &tbl[i];
        if (strcmp(t->name, name)) continue;
        kw_arena_init(a);
        assert_int_equal(kw_msg_decode(t->api, t->v, t->dir, t->bytes, t->len, m->b, a, NULL), 0);
        return m->b;
    }
    fail_msg("no vector %s", name);
    return NULL;
}

static int str_is(kw_str s, const char *want)
{
    return want ? s.len == (int32_t)strlen(want) && !memcmp(s.p, want, (size_t)s.len) : s.len == -1;
}

/*
 * Every version of each API in apis, both directions: encode the struct of the nearest
 * vector at or below the version, check its size, decode it, compare field by field,
 * re-encode identically, and check that every prefix fails. Returns how many
 * (api, version, direction) were checked.
 */
static int pv_roundtrip_apis(const vec *tbl, size_t nt, const int *apis, size_t na)
{
    int checked = 0;
    for (size_t ai = 0; ai < na; ai++) {
        int16_t lo, hi;
        assert_int_equal(kw_api_described(apis[ai], &lo, &hi), 0); /* every version described */
        for (int dir = KW_REQ; dir <= KW_RESP; dir++) {
            for (int16_t v = lo; v <= hi; v++) {
                const vec *best = NULL;
                for (size_t i = 0; i < nt; i++)
                    if (tbl[i].api == apis[ai] && tbl[i].dir == dir && tbl[i].v <= v && (!best || tbl[i].v > best->v))
                        best = &tbl[i];
                assert_non_null(best);
                msgbuf want, got;
                pv_build(best, &want);
                kw_buf e1, e2;
                kw_buf_init(&e1); kw_buf_init(&e2);
                int rc = kw_msg_encode(apis[ai], v, dir, want.b, &e1);
                if (rc) print_error("%s at v%d: encode %d\n", best->name, v, rc);
                assert_int_equal(rc, 0);
                assert_int_equal(kw_msg_size(apis[ai], v, dir, want.b), e1.len);
                kw_arena a;
                kw_arena_init(&a);
                assert_int_equal(kw_msg_decode(apis[ai], v, dir, e1.data, e1.len, got.b, &a, NULL), 0);
                if (pv_cmp_struct(kw__api_desc(apis[ai], dir), v, kw_api_flexible(apis[ai], v), want.b, got.b,
                                  best->name)) {
                    print_error("  (re-decoded at v%d)\n", v);
                    fail();
                }
                assert_int_equal(kw_msg_encode(apis[ai], v, dir, got.b, &e2), 0);
                assert_int_equal(e1.len, e2.len);
                if (e1.len) assert_memory_equal(e1.data, e2.data, e1.len);
                kw_arena_free(&a);
                for (size_t n = 0; n < e1.len; n++) {
                    kw_arena_init(&a);
                    assert_true(kw_msg_decode(apis[ai], v, dir, e1.data, n, got.b, &a, NULL) < 0);
                    kw_arena_free(&a);
                }
                kw_buf_free(&e1); kw_buf_free(&e2);
                checked++;
            }
        }
    }
    return checked;
}

#endif
