/*
 * tests/proto_gen.h — random message values built by walking a description
 * (proto/desc.h): every field of the version set, arrays of 0-3 elements (fewer when
 * deep), nulls where the version allows them, tagged fields often left at their default.
 * Arrays, bytes and nullable structs come from the generator's arena. Static
 * definitions: used by tests/test_proto_all.c and tests/tool_proto_seeds.c.
 */
#ifndef KW_TESTS_PROTO_GEN_H
#define KW_TESTS_PROTO_GEN_H

#include <stdint.h>
#include <stdlib.h>

#include "proto/desc.h"


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

static void gen_prim(gen *g, const kw_field *f, int t, uint8_t *m, int elem)
{
    int nullable = !elem && g->v >= f->null_from;
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
    default: abort(); /* no other primitive types */
    }
}

static void gen_field(gen *g, const kw_field *f, uint8_t *m, int depth)
{
    if (f->type == KW_T_STRUCT && f->null_from != KW_NEVER) { /* nullable struct: a pointer */
        if (g->v >= f->null_from && (depth > 4 || rnd(g) % 3 == 0)) { *(void **)m = NULL; return; }
        uint8_t *sub = kw_arena_alloc(&g->a, f->sub->size);
        gen_struct(g, f->sub, sub, depth + 1);
        *(void **)m = sub;
        return;
    }
    if (f->type == KW_T_STRUCT) { gen_struct(g, f->sub, m, depth + 1); return; }
    if (f->type != KW_T_ARRAY) { gen_prim(g, f, f->type, m, 0); return; }
    int32_t *np = (int32_t *)(m - f->off + f->off_n);
    if (g->v >= f->null_from && rnd(g) % 4 == 0) { *(void **)m = NULL; *np = -1; return; }
    int32_t n = depth > 3 ? (int32_t)(rnd(g) % 2) : (int32_t)(rnd(g) % 4);
    size_t esz = f->sub ? f->sub->size : kw_type_csize(f->elem);
    uint8_t *arr = n ? kw_arena_alloc(&g->a, (size_t)n * esz) : NULL;
    for (int32_t i = 0; i < n; i++) {
        if (f->sub) gen_struct(g, f->sub, arr + (size_t)i * esz, depth + 1);
        else gen_prim(g, f, f->elem, arr + (size_t)i * esz, 1);
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

/* A random (key, version, dir) message from seed, in g->a (kw_arena_free it after). */
static void *gen_message(gen *g, int key, int16_t v, int dir, uint64_t seed)
{
    const kw_struct *s = kw__api_desc(key, dir);
    g->s = seed * 2654435761u + 1;
    g->v = v;
    g->flex = kw_api_flexible(key, v);
    kw_arena_init(&g->a);
    uint8_t *msg = kw_arena_alloc(&g->a, s->size);
    gen_struct(g, s, msg, 0);
    return msg;
}

#endif
