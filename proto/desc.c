/*
 * proto/desc.c — the engine over message descriptions (proto/desc.h): one read-side
 * walk that decodes into C structs and/or annotates, one write-side walk that encodes
 * or counts the exact size, and the per-message arena.
 *
 * The walks know nothing about any particular API: every version decision is a
 * comparison against a field's [vmin, vmax], null_from or tag in the description.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/batch.h"
#include "codec/text.h"
#include "proto/consumer_protocol.h"
#include "proto/desc.h"
#include "proto/proto.h"

/* ---------------------------------------------------------------- arena */

struct kw__chunk { kw__chunk *next; size_t size; };
#define KW__ARENA_MIN 4096
#define KW__ALIGN 16
#define KW__HDR ((sizeof(kw__chunk) + KW__ALIGN - 1) & ~(size_t)(KW__ALIGN - 1))

void kw_arena_init(kw_arena *a) { a->head = NULL; a->p = NULL; a->left = 0; a->total = 0; }

void *kw_arena_alloc(kw_arena *a, size_t n)
{
    if (n == 0) n = 1;
    if (n > SIZE_MAX / 4) return NULL;
    n = (n + KW__ALIGN - 1) & ~(size_t)(KW__ALIGN - 1);
    if (n > a->left) {
        size_t want = a->total < KW__ARENA_MIN ? KW__ARENA_MIN : a->total; /* grow geometrically */
        if (want < n) want = n;
        kw__chunk *c = malloc(KW__HDR + want);
        if (!c) return NULL;
        c->next = a->head; c->size = want;
        a->head = c;
        a->p = (uint8_t *)c + KW__HDR;
        a->left = want;
        a->total += want;
    }
    void *r = a->p;
    a->p += n; a->left -= n;
    memset(r, 0, n);
    return r;
}

void kw_arena_reset(kw_arena *a)
{
    if (!a->head) return;
    if (a->head->next) { /* several chunks: replace them by one that holds them all */
        size_t total = a->total;
        kw_arena_free(a);
        kw__chunk *c = malloc(KW__HDR + total);
        if (!c) return;
        c->next = NULL; c->size = total;
        a->head = c; a->total = total;
    }
    a->p = (uint8_t *)a->head + KW__HDR;
    a->left = a->head->size;
}

void kw_arena_free(kw_arena *a)
{
    kw__chunk *c = a->head;
    while (c) { kw__chunk *nx = c->next; free(c); c = nx; }
    kw_arena_init(a);
}

/* ---------------------------------------------------------------- types */

size_t kw_type_csize(int t)
{
    switch (t) {
    case KW_T_BOOL: case KW_T_INT8: return 1;
    case KW_T_INT16: case KW_T_UINT16: return 2;
    case KW_T_INT32: case KW_T_UINT32: case KW_T_VARINT: case KW_T_UVARINT: return 4;
    case KW_T_INT64: case KW_T_VARLONG: return 8;
    case KW_T_FLOAT64: return sizeof(double);
    case KW_T_UUID: return sizeof(kw_uuid);
    case KW_T_STRING: return sizeof(kw_str);
    case KW_T_BYTES: case KW_T_RECORDS: return sizeof(kw_bytes);
    default: return 0;
    }
}

/* Fixed wire size of a primitive, 0 for variable-length types. */
static size_t wire_fixed(int t)
{
    switch (t) {
    case KW_T_BOOL: case KW_T_INT8: return 1;
    case KW_T_INT16: case KW_T_UINT16: return 2;
    case KW_T_INT32: case KW_T_UINT32: return 4;
    case KW_T_INT64: case KW_T_FLOAT64: return 8;
    case KW_T_UUID: return 16;
    default: return 0;
    }
}

const char *kw_type_name(int t, int compact, int nullable)
{
    switch (t) {
    case KW_T_BOOL: return "boolean";
    case KW_T_INT8: return "int8";
    case KW_T_INT16: return "int16";
    case KW_T_INT32: return "int32";
    case KW_T_INT64: return "int64";
    case KW_T_UINT16: return "uint16";
    case KW_T_UINT32: return "uint32";
    case KW_T_FLOAT64: return "float64";
    case KW_T_UUID: return "uuid";
    case KW_T_VARINT: return "varint";
    case KW_T_VARLONG: return "varlong";
    case KW_T_UVARINT: return "unsigned_varint";
    case KW_T_STRING:
        return compact ? (nullable ? "compact_nullable_string" : "compact_string")
                       : (nullable ? "nullable_string" : "string");
    case KW_T_BYTES:
        return compact ? (nullable ? "compact_nullable_bytes" : "compact_bytes")
                       : (nullable ? "nullable_bytes" : "bytes");
    case KW_T_RECORDS: return compact ? "compact_records" : "records";
    case KW_T_ARRAY: return compact ? "compact_array" : "array";
    case KW_T_STRUCT: return "struct";
    default: return "?";
    }
}

static inline int f_in(const kw_field *f, int16_t v) { return v >= f->vmin && v <= f->vmax; }
static inline int f_compact(const kw_field *f, int flex)
{
    return (f->flags & KW_FL_COMPACT) || (flex && !(f->flags & KW_FL_CLASSIC));
}
static inline int f_nullable(const kw_field *f, int16_t v) { return v >= f->null_from; }
/* A nullable struct: its member is a pointer. */
static inline int f_ptr(const kw_field *f) { return f->type == KW_T_STRUCT && f->null_from != KW_NEVER; }

static void set_int(uint8_t *p, int t, int64_t v)
{
    switch (t) {
    case KW_T_BOOL: *(uint8_t *)p = (uint8_t)v; break;
    case KW_T_INT8: *(int8_t *)p = (int8_t)v; break;
    case KW_T_INT16: *(int16_t *)p = (int16_t)v; break;
    case KW_T_UINT16: *(uint16_t *)p = (uint16_t)v; break;
    case KW_T_INT32: case KW_T_VARINT: *(int32_t *)p = (int32_t)v; break;
    case KW_T_UINT32: case KW_T_UVARINT: *(uint32_t *)p = (uint32_t)v; break;
    case KW_T_INT64: case KW_T_VARLONG: *(int64_t *)p = v; break;
    case KW_T_FLOAT64: *(double *)p = (double)v; break;
    default: break;
    }
}

static int64_t get_int(const uint8_t *p, int t)
{
    switch (t) {
    case KW_T_BOOL: return *(const uint8_t *)p;
    case KW_T_INT8: return *(const int8_t *)p;
    case KW_T_INT16: return *(const int16_t *)p;
    case KW_T_UINT16: return *(const uint16_t *)p;
    case KW_T_INT32: case KW_T_VARINT: return *(const int32_t *)p;
    case KW_T_UINT32: case KW_T_UVARINT: return *(const uint32_t *)p;
    case KW_T_INT64: case KW_T_VARLONG: return *(const int64_t *)p;
    default: return 0;
    }
}

void kw_desc_defaults(const kw_struct *s, void *out)
{
    uint8_t *o = out;
    memset(o, 0, s->size);
    for (unsigned i = 0; i < s->nfields; i++) {
        const kw_field *f = &s->fields[i];
        uint8_t *m = o + f->off;
        switch (f->type) {
        case KW_T_STRING: /* def -1: null, else empty */
            if (f->def == -1) ((kw_str *)m)->len = -1; else ((kw_str *)m)->p = "";
            break;
        case KW_T_BYTES: case KW_T_RECORDS:
            if (f->def == -1) ((kw_bytes *)m)->len = -1; else ((kw_bytes *)m)->p = (const uint8_t *)"";
            break;
        case KW_T_ARRAY: if (f->def == -1) *(int32_t *)(o + f->off_n) = -1; break;
        case KW_T_UUID: break;
        case KW_T_STRUCT: if (!f_ptr(f)) kw_desc_defaults(f->sub, m); break; /* pointers: NULL */
        case KW_T_FLOAT64: *(double *)m = (double)f->def; break;
        default: if (f->def) set_int(m, f->type, f->def); break;
        }
    }
}

/* Smallest encoding of a struct in a version: bounds array counts before allocating. */
static size_t min_size(const kw_struct *s, int16_t v, int flex)
{
    size_t n = flex ? 1 : 0;
    for (unsigned i = 0; i < s->nfields; i++) {
        const kw_field *f = &s->fields[i];
        if (f->tag >= 0 || !f_in(f, v)) continue;
        size_t w = wire_fixed(f->type);
        if (w) n += w;
        else if (f->type == KW_T_STRUCT) n += f_ptr(f) && f_nullable(f, v) ? 1 : min_size(f->sub, v, flex);
        else if (f_compact(f, flex)) n += 1;
        else if (f->type == KW_T_STRING) n += 2;
        else if (f->type == KW_T_BYTES || f->type == KW_T_RECORDS || f->type == KW_T_ARRAY) n += 4;
        else n += 1; /* varints */
    }
    return n;
}

/* ---------------------------------------------------------------- read side */

#define KW__MAXDEPTH 24

typedef struct rctx {
    kw_rd r;
    int16_t v;
    int flex;
    kw_arena *a;            /* decode: where arrays go */
    kw_ann_cb cb; void *ud; /* annotate */
    size_t base;
    int depth;
    int stop;               /* callback's non-zero return */
    int failed;             /* error reported already */
    kw_proto_err *err;
    int api, dir;           /* annotate: the message's API key (-1 unknown) and direction */
    const char *ptype;      /* the last protocol_type string seen (embedded messages) */
    int32_t ptype_len;      /* -1: none seen (or null) */
    int np;                 /* path stack */
    const char *pname[KW__MAXDEPTH];
    int32_t pidx[KW__MAXDEPTH];
    char idxname[KW__MAXDEPTH][16];
    char val[320];
} rctx;

static void path_format(const rctx *c, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < c->np && n < cap; i++) {
        int k;
        if (c->pname[i]) k = snprintf(out + n, cap - n, "%s%s", n ? "." : "", c->pname[i]);
        else k = snprintf(out + n, cap - n, "[%" PRId32 "]", c->pidx[i]);
        if (k < 0) break;
        n += (size_t)k;
    }
}

static int emit(rctx *c, kw_ann_kind kind, const char *name, const char *type, size_t start, size_t len,
                const char *value)
{
    if (!c->cb || c->stop) return c->stop;
    kw_ann a = {kind, name, type, c->r.p + start, c->base + start, len, value, c->depth};
    int rc = c->cb(c->ud, &a);
    if (rc) c->stop = rc;
    return rc;
}

/* First failure: remember where, and tell the annotation callback. */
static void fail_at(rctx *c, size_t start, int code)
{
    if (!c->r.err) kw_rd_fail(&c->r, code);
    if (c->failed) return;
    c->failed = 1;
    char path[160];
    path_format(c, path, sizeof path);
    if (!path[0]) snprintf(path, sizeof path, "(end of body)"); /* past the last field */
    if (c->err) {
        c->err->code = c->r.err;
        c->err->off = c->base + start;
        snprintf(c->err->path, sizeof c->err->path, "%s", path);
    }
    if (c->cb) {
        snprintf(c->val, sizeof c->val, "%s at %s (offset %zu)", kw_strerror(c->r.err), path, c->base + start);
        emit(c, KW_ANN_ERROR, path, "error", start, 0, c->val);
    }
}

static inline void push(rctx *c, const char *name, int32_t idx)
{
    if (c->np < KW__MAXDEPTH) { c->pname[c->np] = name; c->pidx[c->np] = idx; }
    c->np++;
}
static inline void pop(rctx *c) { c->np--; }

const char *kw__enum_text(const char *field, int64_t v)
{
    if (!field) return NULL;
    size_t n = strlen(field);
    if (n >= 10 && !strcmp(field + n - 10, "error_code")) {
        if (v == -1) return "UNKNOWN_SERVER_ERROR";
        return v >= 0 && v <= INT16_MAX ? kw_err_name((int)v) : NULL;
    }
    if (!strcmp(field, "acks"))
        return v == -1 ? "all: every in-sync replica" : v == 0 ? "none: no response" : v == 1 ? "leader" : NULL;
    if (!strcmp(field, "isolation_level")) return v == 0 ? "read_uncommitted" : v == 1 ? "read_committed" : NULL;
    if (!strcmp(field, "key_type")) return v == 0 ? "group" : v == 1 ? "transaction" : v == 2 ? "share" : NULL;
    if (!strcmp(field, "api_key") || !strcmp(field, "request_api_key"))
        return v >= 0 && v <= INT16_MAX ? kw_api_kafka_name((int)v) : NULL;
    return NULL;
}

/* Decimal text of v (buffer of at least 21 bytes). */
static void fmt_i64(char *out, int64_t v)
{
    char tmp[20];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    if (v < 0) *out++ = '-';
    while (n) *out++ = tmp[--n];
    *out = 0;
}

/* Text for a string (quoted, escaped) or bytes (length and hex), cut with "..." to fit cap
 * (>= 32). Kafka's strings are UTF-8: valid sequences are kept as the characters, only
 * control characters, C1 controls and bytes that are not UTF-8 become \xNN (returns 1
 * when a string holds such invalid bytes, else 0). */
static int fmt_slice(char *out, size_t cap, const uint8_t *p, int32_t len, int is_str)
{
    static const char hx[] = "0123456789abcdef";
    if (len < 0) { snprintf(out, cap, "null"); return 0; }
    size_t n = 0, lim = cap - 10; /* room for one escape, "...", the quote and the NUL */
    int32_t i = 0;
    int invalid = 0;
    if (is_str) {
        out[n++] = '"';
        for (; i < len && n < lim; i++) {
            uint8_t ch = p[i];
            if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') { out[n++] = (char)ch; continue; }
            size_t l = ch >= 0x80 ? kw_utf8_seq(p + i, (size_t)(len - i)) : 0;
            if (l && !(l == 2 && ch == 0xc2 && p[i + 1] < 0xa0)) { /* not a C1 control */
                if (n + l > lim) break;
                memcpy(out + n, p + i, l);
                n += l;
                i += (int32_t)l - 1;
                continue;
            }
            if (ch >= 0x80 && !l) invalid = 1;
            out[n++] = '\\'; out[n++] = 'x'; out[n++] = hx[ch >> 4]; out[n++] = hx[ch & 15];
            if (l == 2 && n < lim) { /* the C1 control's second byte, escaped too */
                ch = p[++i];
                out[n++] = '\\'; out[n++] = 'x'; out[n++] = hx[ch >> 4]; out[n++] = hx[ch & 15];
            }
        }
    } else {
        int k = snprintf(out, cap, len > 0 ? "%" PRId32 " bytes " : "%" PRId32 " bytes", len);
        n = k > 0 && (size_t)k < lim ? (size_t)k : lim;
        for (; i < len && n < lim; i++) { out[n++] = hx[p[i] >> 4]; out[n++] = hx[p[i] & 15]; }
    }
    if (i < len) { memcpy(out + n, "...", 3); n += 3; }
    if (is_str) out[n++] = '"';
    out[n] = 0;
    return invalid;
}

static int r_struct(rctx *c, const kw_struct *s, uint8_t *out);

/* Read one value of primitive type t into m (if not NULL); emit it under name. */
static void r_prim(rctx *c, const kw_field *f, int t, const char *name, uint8_t *m)
{
    size_t start = c->r.off;
    int64_t iv = 0;
    int compact = f_compact(f, c->flex);
    const char *tn = c->cb ? kw_type_name(t, compact, 0) : NULL;
    switch (t) {
    case KW_T_BOOL: iv = kw_rd_i8(&c->r) != 0; break;
    case KW_T_INT8: iv = kw_rd_i8(&c->r); break;
    case KW_T_INT16: iv = kw_rd_i16(&c->r); break;
    case KW_T_UINT16: iv = (uint16_t)kw_rd_i16(&c->r); break;
    case KW_T_INT32: iv = kw_rd_i32(&c->r); break;
    case KW_T_UINT32: iv = kw_rd_u32(&c->r); break;
    case KW_T_INT64: iv = kw_rd_i64(&c->r); break;
    case KW_T_VARINT: iv = kw_rd_varint(&c->r); break;
    case KW_T_VARLONG: iv = kw_rd_varlong(&c->r); break;
    case KW_T_UVARINT: iv = kw_rd_uvarint32(&c->r); break;
    case KW_T_FLOAT64: {
        uint64_t u = (uint64_t)kw_rd_i64(&c->r);
        double d; memcpy(&d, &u, sizeof d);
        if (c->r.err) break;
        if (m) *(double *)m = d;
        if (c->cb) { snprintf(c->val, sizeof c->val, "%g", d); emit(c, KW_ANN_FIELD, name, tn, start, 8, c->val); }
        return;
    }
    case KW_T_UUID: {
        const uint8_t *p = kw_rd_take(&c->r, 16);
        if (!p) break;
        if (m) memcpy(m, p, 16);
        if (c->cb) {
            static const char hx[] = "0123456789abcdef";
            size_t n = 0;
            for (int i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10) c->val[n++] = '-';
                c->val[n++] = hx[p[i] >> 4]; c->val[n++] = hx[p[i] & 15];
            }
            c->val[n] = 0;
            emit(c, KW_ANN_FIELD, name, tn, start, 16, c->val);
        }
        return;
    }
    case KW_T_STRING: case KW_T_BYTES: case KW_T_RECORDS: {
        int64_t len;
        int nullable = f_nullable(f, c->v);
        if (compact) len = (int64_t)kw_rd_uvarint32(&c->r) - 1;
        else if (t == KW_T_STRING) len = kw_rd_i16(&c->r);
        else len = kw_rd_i32(&c->r);
        if (c->r.err) break;
        if (len < -1 || (len == -1 && !nullable)) { fail_at(c, start, KW_ERR_CORRUPT); return; }
        const uint8_t *p = NULL;
        if (len >= 0 && !(p = kw_rd_take(&c->r, (size_t)len))) break;
        if (m) {
            if (t == KW_T_STRING) { ((kw_str *)m)->p = (const char *)p; ((kw_str *)m)->len = (int32_t)len; }
            else { ((kw_bytes *)m)->p = p; ((kw_bytes *)m)->len = (int32_t)len; }
        }
        if (!c->cb) return;
        tn = kw_type_name(t, compact, nullable);
        if (t == KW_T_RECORDS && !(f->flags & KW_FL_RAW)) {
            size_t hl = c->r.off - start - (len > 0 ? (size_t)len : 0);
            snprintf(c->val, sizeof c->val, len < 0 ? "null" : "%" PRId64 " bytes", len);
            if (emit(c, KW_ANN_ENTER, name, tn, start, hl, c->val)) return;
            if (len > 0) {
                int rc = kw_records_annotate(p, (size_t)len, c->depth + 1, c->cb, c->ud);
                if (rc > 0) { c->stop = rc; return; }
            }
            emit(c, KW_ANN_LEAVE, name, tn, c->r.off, 0, NULL);
            return;
        }
        if (t == KW_T_STRING && !strcmp(name, "protocol_type")) {
            c->ptype = (const char *)p;
            c->ptype_len = (int32_t)len;
        }
        /* bytes that carry a message of their own (the consumer protocol's subscription
         * and assignment): walked as that message when they decode as one */
        int kind = t == KW_T_BYTES && len > 0 && c->api >= 0
                       ? kw__cp_embedded(c->api, c->dir, name, c->ptype_len >= 0 ? c->ptype : NULL, c->ptype_len)
                       : 0;
        if (kind && kw__cp_valid(kind, p, (size_t)len)) {
            size_t hl = c->r.off - start - (size_t)len;
            snprintf(c->val, sizeof c->val, "%" PRId64 " bytes, %s", len,
                     kind == KW_CP_SUBSCRIPTION ? "ConsumerProtocolSubscription" : "ConsumerProtocolAssignment");
            if (emit(c, KW_ANN_ENTER, name, tn, start, hl, c->val)) return;
            int rc = kw_cp_annotate(kind, p, (size_t)len, c->base + start + hl, c->depth + 1, c->cb, c->ud);
            if (rc > 0) { c->stop = rc; return; }
            emit(c, KW_ANN_LEAVE, name, tn, c->r.off, 0, NULL);
            return;
        }
        int bad = fmt_slice(c->val, sizeof c->val, p, (int32_t)len, t == KW_T_STRING);
        if (emit(c, KW_ANN_FIELD, name, tn, start, c->r.off - start, c->val)) return;
        if (bad)
            emit(c, KW_ANN_NOTE, name, tn, start, c->r.off - start,
                 "not valid UTF-8 (Kafka strings are UTF-8): the bytes that are not are shown as \\xNN");
        return;
    }
    default:
        fail_at(c, start, KW_ERR_CORRUPT);
        return;
    }
    if (c->r.err) { fail_at(c, start, c->r.err); return; }
    if (m) set_int(m, t, iv);
    if (c->cb) {
        if (t == KW_T_BOOL) memcpy(c->val, iv ? "true" : "false", iv ? 5 : 6);
        else {
            fmt_i64(c->val, iv);
            const char *e = kw__enum_text(name, iv);
            if (e) {
                size_t n = strlen(c->val);
                snprintf(c->val + n, sizeof c->val - n, " (%s)", e);
            }
        }
        emit(c, KW_ANN_FIELD, name, tn, start, c->r.off - start, c->val);
    }
}

/* Decode-only fast path for fixed-width integers: 1 if handled. */
static inline int r_fast(rctx *c, int t, uint8_t *m)
{
    kw_rd *r = &c->r;
    size_t w = t == KW_T_INT32 ? 4 : t == KW_T_INT16 ? 2 : t == KW_T_INT64 ? 8 : 0;
    if (!w || c->cb || r->len - r->off < w) return 0;
    const uint8_t *p = r->p + r->off;
    r->off += w;
    if (!m) return 1;
    if (w == 4) *(int32_t *)m = (int32_t)kw_ld32(p);
    else if (w == 2) *(int16_t *)m = (int16_t)kw_ld16(p);
    else *(int64_t *)m = (int64_t)kw_ld64(p);
    return 1;
}

/* A nullable struct (pointer member m): int8 -1 null / 1 present in its nullable versions. */
static void r_nullable_struct(rctx *c, const kw_field *f, uint8_t *m)
{
    size_t start = c->r.off;
    int present = 1;
    if (f_nullable(f, c->v)) {
        int8_t b = kw_rd_i8(&c->r);
        if (c->r.err) { fail_at(c, start, c->r.err); return; }
        if (b != -1 && b != 1) { fail_at(c, start, KW_ERR_CORRUPT); return; }
        present = b == 1;
    }
    if (!present) {
        if (m) *(void **)m = NULL;
        emit(c, KW_ANN_FIELD, f->name, "nullable_struct", start, 1, "null");
        return;
    }
    uint8_t *sub = NULL;
    if (m && !(sub = kw_arena_alloc(c->a, f->sub->size))) { fail_at(c, start, KW_ERR_NOMEM); return; }
    if (m) *(void **)m = sub;
    if (emit(c, KW_ANN_ENTER, f->name, "nullable_struct", start, c->r.off - start, "present")) return;
    c->depth++;
    r_struct(c, f->sub, sub);
    c->depth--;
    emit(c, KW_ANN_LEAVE, f->name, "nullable_struct", c->r.off, 0, NULL);
}

static void r_field(rctx *c, const kw_field *f, uint8_t *m)
{
    if (r_fast(c, f->type, m)) return;
    push(c, f->name, 0);
    if (f_ptr(f)) {
        r_nullable_struct(c, f, m);
    } else if (f->type == KW_T_STRUCT) {
        if (!emit(c, KW_ANN_ENTER, f->name, "struct", c->r.off, 0, NULL)) {
            c->depth++;
            r_struct(c, f->sub, m);
            c->depth--;
            emit(c, KW_ANN_LEAVE, f->name, "struct", c->r.off, 0, NULL);
        }
    } else if (f->type == KW_T_ARRAY) {
        size_t start = c->r.off;
        int compact = f_compact(f, c->flex);
        int64_t n = compact ? (int64_t)kw_rd_uvarint32(&c->r) - 1 : kw_rd_i32(&c->r);
        if (c->r.err) { fail_at(c, start, c->r.err); goto out; }
        if (n < -1 || (n == -1 && !f_nullable(f, c->v))) { fail_at(c, start, KW_ERR_CORRUPT); goto out; }
        size_t esz = f->sub ? f->sub->size : kw_type_csize(f->elem);
        size_t emin = f->sub ? min_size(f->sub, c->v, c->flex) : (wire_fixed(f->elem) ? wire_fixed(f->elem) : 1);
        if (emin == 0) emin = 1;
        if (n > 0 && (uint64_t)n * emin > kw_rd_left(&c->r)) { /* n < 2^32, emin small: no overflow */ fail_at(c, start, KW_ERR_TRUNCATED); goto out; }
        uint8_t *arr = NULL;
        if (m && n > 0 && !(arr = kw_arena_alloc(c->a, (size_t)n * esz))) { fail_at(c, start, KW_ERR_NOMEM); goto out; }
        if (m) { *(uint8_t **)m = arr; *(int32_t *)((uint8_t *)m - f->off + f->off_n) = (int32_t)n; }
        if (c->cb) {
            snprintf(c->val, sizeof c->val, n < 0 ? "null" : "%" PRId64 " items", n);
            if (emit(c, KW_ANN_ENTER, f->name, kw_type_name(KW_T_ARRAY, compact, f_nullable(f, c->v)), start,
                     c->r.off - start, c->val))
                goto out;
        }
        c->depth++;
        for (int64_t i = 0; i < n && !c->r.err && !c->stop; i++) {
            push(c, NULL, (int32_t)i);
            const char *en = "";
            if (c->cb) {
                int d = c->np < KW__MAXDEPTH ? c->np - 1 : KW__MAXDEPTH - 1;
                snprintf(c->idxname[d], sizeof c->idxname[d], "[%" PRId64 "]", i);
                en = c->idxname[d];
            }
            uint8_t *em = arr ? arr + (size_t)i * esz : NULL;
            if (f->sub) {
                if (!emit(c, KW_ANN_ENTER, en, "struct", c->r.off, 0, NULL)) {
                    c->depth++;
                    r_struct(c, f->sub, em);
                    c->depth--;
                    emit(c, KW_ANN_LEAVE, en, "struct", c->r.off, 0, NULL);
                }
            } else if (!r_fast(c, f->elem, em)) {
                r_prim(c, f, f->elem, en, em);
            }
            pop(c);
        }
        c->depth--;
        if (!c->r.err) emit(c, KW_ANN_LEAVE, f->name, "array", c->r.off, 0, NULL);
    } else {
        r_prim(c, f, f->type, f->name, m);
    }
out:
    pop(c);
}

static void r_tags(rctx *c, const kw_struct *s, uint8_t *out)
{
    size_t start = c->r.off;
    uint32_t n = kw_rd_uvarint32(&c->r);
    if (c->r.err) { push(c, "_tagged_fields", 0); fail_at(c, start, c->r.err); pop(c); return; }
    if ((uint64_t)n * 2 > kw_rd_left(&c->r)) { push(c, "_tagged_fields", 0); fail_at(c, start, KW_ERR_TRUNCATED); pop(c); return; }
    if (c->cb) {
        snprintf(c->val, sizeof c->val, "%" PRIu32, n);
        if (emit(c, n ? KW_ANN_ENTER : KW_ANN_FIELD, "_tagged_fields", "tagged_fields", start, c->r.off - start, c->val))
            return;
    }
    if (n == 0) return;
    c->depth++;
    for (uint32_t i = 0; i < n && !c->r.err && !c->stop; i++) {
        size_t ts = c->r.off;
        uint32_t tag = kw_rd_uvarint32(&c->r);
        uint32_t size = kw_rd_uvarint32(&c->r);
        if (!c->r.err && size > kw_rd_left(&c->r)) kw_rd_fail(&c->r, KW_ERR_TRUNCATED);
        if (c->r.err) { push(c, "_tagged_fields", 0); fail_at(c, ts, c->r.err); pop(c); break; }
        const kw_field *f = NULL;
        for (unsigned k = 0; k < s->nfields; k++) {
            const kw_field *g = &s->fields[k];
            if (g->tag >= 0 && (uint32_t)g->tag == tag && f_in(g, c->v)) { f = g; break; }
        }
        size_t end = c->r.off + size;
        if (!f) {
            const uint8_t *p = kw_rd_take(&c->r, size);
            if (c->cb) {
                int k = snprintf(c->val, sizeof c->val, "tag %" PRIu32 ", ", tag);
                fmt_slice(c->val + k, sizeof c->val - (size_t)k, p, (int32_t)size, 0);
                emit(c, KW_ANN_FIELD, "unknown_tag", "tagged_field", ts, c->r.off - ts, c->val);
            }
            continue;
        }
        if (c->cb) {
            snprintf(c->val, sizeof c->val, "tag %" PRIu32 ", %" PRIu32 " bytes", tag, size);
            if (emit(c, KW_ANN_ENTER, f->name, "tagged_field", ts, c->r.off - ts, c->val)) break;
        }
        size_t saved_len = c->r.len;
        c->r.len = end; /* the value may not run past its announced size */
        c->depth++;
        if (f->type == KW_T_STRUCT) { /* its fields directly under the tagged_field entry */
            push(c, f->name, 0);
            r_struct(c, f->sub, out ? out + f->off : NULL);
            pop(c);
        } else {
            r_field(c, f, out ? out + f->off : NULL);
        }
        c->depth--;
        c->r.len = saved_len;
        if (c->r.err) break;
        c->r.off = end; /* a newer writer may append to a known tagged value: skip the rest */
        emit(c, KW_ANN_LEAVE, f->name, "tagged_field", c->r.off, 0, NULL);
    }
    c->depth--;
    if (!c->r.err) emit(c, KW_ANN_LEAVE, "_tagged_fields", "tagged_fields", c->r.off, 0, NULL);
}

static int r_struct(rctx *c, const kw_struct *s, uint8_t *out)
{
    if (out) kw_desc_defaults(s, out);
    for (unsigned i = 0; i < s->nfields && !c->r.err && !c->stop; i++) {
        const kw_field *f = &s->fields[i];
        if (f->tag >= 0 || !f_in(f, c->v)) continue;
        r_field(c, f, out ? out + f->off : NULL);
    }
    if (c->flex && !c->r.err && !c->stop) r_tags(c, s, out);
    return c->r.err;
}

static void rctx_init(rctx *c, int16_t v, int flex, const uint8_t *p, size_t len)
{
    memset(c, 0, offsetof(rctx, pname));
    kw_rd_init(&c->r, p, len);
    c->v = v; c->flex = flex;
    c->api = -1;
    c->ptype_len = -1;
}

int kw__desc_decode_prefix(const kw_struct *s, int16_t version, int flexible, const uint8_t *p, size_t len,
                           void *out, kw_arena *a, kw_proto_err *err, size_t *used)
{
    rctx c;
    rctx_init(&c, version, flexible, p, len);
    c.a = a; c.err = err;
    if (err) { err->code = 0; err->off = 0; err->path[0] = 0; }
    r_struct(&c, s, out);
    if (!c.r.err && !used && kw_rd_left(&c.r) != 0) fail_at(&c, c.r.off, KW_ERR_CORRUPT); /* trailing bytes */
    if (used) *used = c.r.off;
    return c.r.err;
}

int kw_desc_decode(const kw_struct *s, int16_t version, int flexible, const uint8_t *p, size_t len,
                   void *out, kw_arena *a, kw_proto_err *err)
{
    return kw__desc_decode_prefix(s, version, flexible, p, len, out, a, err, NULL);
}

int kw_desc_annotate(const kw_struct *s, int16_t version, int flexible, const uint8_t *p, size_t len,
                     size_t base, int depth, kw_ann_cb cb, void *ud)
{
    return kw__desc_annotate_api(s, -1, 0, version, flexible, p, len, base, depth, cb, ud);
}

int kw__desc_annotate_api(const kw_struct *s, int api_key, int dir, int16_t version, int flexible,
                          const uint8_t *p, size_t len, size_t base, int depth, kw_ann_cb cb, void *ud)
{
    rctx c;
    rctx_init(&c, version, flexible, p, len);
    c.cb = cb; c.ud = ud; c.base = base; c.depth = depth;
    c.api = api_key; c.dir = dir;
    r_struct(&c, s, NULL);
    if (c.stop) return c.stop;
    if (!c.r.err && kw_rd_left(&c.r) != 0) {
        size_t off = c.r.off;
        fmt_slice(c.val, sizeof c.val, p + off, (int32_t)(len - off > 64 ? 64 : len - off), 0);
        emit(&c, KW_ANN_NOTE, "trailing", "bytes", off, len - off, c.val);
        fail_at(&c, off, KW_ERR_CORRUPT);
    }
    return c.stop ? c.stop : c.r.err;
}

/* ---------------------------------------------------------------- write side */

typedef struct wctx {
    kw_buf *b;   /* NULL: only count */
    size_t n;    /* counted size */
    int16_t v;
    int flex;
    int err;
    kw_slice_fn slice; /* RECORDS bytes go through it (by reference) when set */
    void *slice_ud;
} wctx;

static inline void w_raw(wctx *c, const void *p, size_t n)
{
    if (c->b) kw_buf_put(c->b, p, n); else c->n += n;
}
static inline void w_uv(wctx *c, uint64_t v)
{
    if (c->b) kw_buf_uvarint(c->b, v); else c->n += kw_uvarint_size(v);
}
static inline void w_i16(wctx *c, int16_t v) { if (c->b) kw_buf_i16(c->b, v); else c->n += 2; }
static inline void w_i32(wctx *c, int32_t v) { if (c->b) kw_buf_i32(c->b, v); else c->n += 4; }
static inline void w_i64(wctx *c, int64_t v) { if (c->b) kw_buf_i64(c->b, v); else c->n += 8; }

static void w_struct(wctx *c, const kw_struct *s, const uint8_t *in);

static void w_prim(wctx *c, const kw_field *f, int t, const uint8_t *m)
{
    switch (t) {
    case KW_T_BOOL: { uint8_t b = *m ? 1 : 0; w_raw(c, &b, 1); return; }
    case KW_T_INT8: w_raw(c, m, 1); return;
    case KW_T_INT16: case KW_T_UINT16: w_i16(c, (int16_t)get_int(m, t)); return;
    case KW_T_INT32: case KW_T_UINT32: w_i32(c, (int32_t)get_int(m, t)); return;
    case KW_T_INT64: w_i64(c, get_int(m, t)); return;
    case KW_T_FLOAT64: { uint64_t u; memcpy(&u, m, 8); w_i64(c, (int64_t)u); return; }
    case KW_T_UUID: w_raw(c, m, 16); return;
    case KW_T_VARINT: w_uv(c, kw_zigzag32(*(const int32_t *)m)); return;
    case KW_T_VARLONG: w_uv(c, kw_zigzag64(*(const int64_t *)m)); return;
    case KW_T_UVARINT: w_uv(c, *(const uint32_t *)m); return;
    case KW_T_STRING: case KW_T_BYTES: case KW_T_RECORDS: {
        const uint8_t *p; int32_t len;
        if (t == KW_T_STRING) { p = (const uint8_t *)((const kw_str *)m)->p; len = ((const kw_str *)m)->len; }
        else { p = ((const kw_bytes *)m)->p; len = ((const kw_bytes *)m)->len; }
        if (len < -1 || (len == -1 && !f_nullable(f, c->v)) || (len > 0 && !p)) {
            if (!c->err) c->err = KW_ERR_INVALID_ARG;
            return;
        }
        if (f_compact(f, c->flex)) w_uv(c, (uint64_t)((int64_t)len + 1));
        else if (t == KW_T_STRING) {
            if (len > INT16_MAX) { if (!c->err) c->err = KW_ERR_TOO_LARGE; return; }
            w_i16(c, (int16_t)len);
        } else w_i32(c, len);
        if (len > 0 && t == KW_T_RECORDS && c->slice && c->b) {
            int e = c->slice(c->slice_ud, c->b, p, (size_t)len);
            if (e && !c->err) c->err = e;
        } else if (len > 0) {
            w_raw(c, p, (size_t)len);
        }
        return;
    }
    default:
        if (!c->err) c->err = KW_ERR_INVALID_ARG;
        return;
    }
}

static void w_field(wctx *c, const kw_field *f, const uint8_t *m)
{
    if (f_ptr(f)) {
        const uint8_t *sub = *(const uint8_t *const *)m;
        if (f_nullable(f, c->v)) { int8_t b = sub ? 1 : -1; w_raw(c, &b, 1); }
        else if (!sub && !c->err) c->err = KW_ERR_INVALID_ARG;
        if (sub) w_struct(c, f->sub, sub);
        return;
    }
    if (f->type == KW_T_STRUCT) { w_struct(c, f->sub, m); return; }
    if (f->type != KW_T_ARRAY) { w_prim(c, f, f->type, m); return; }
    const uint8_t *arr = *(const uint8_t *const *)m;
    int32_t n = *(const int32_t *)(m - f->off + f->off_n);
    if (n < -1 || (n == -1 && !f_nullable(f, c->v)) || (n > 0 && !arr)) {
        if (!c->err) c->err = KW_ERR_INVALID_ARG;
        return;
    }
    if (f_compact(f, c->flex)) w_uv(c, (uint64_t)((int64_t)n + 1)); else w_i32(c, n);
    size_t esz = f->sub ? f->sub->size : kw_type_csize(f->elem);
    for (int32_t i = 0; i < n; i++) {
        if (f->sub) w_struct(c, f->sub, arr + (size_t)i * esz);
        else w_prim(c, f, f->elem, arr + (size_t)i * esz);
    }
}

/* Does a tagged field differ from its default (and so get written)? */
static int non_default(const kw_field *f, const uint8_t *m)
{
    switch (f->type) {
    case KW_T_STRING: return ((const kw_str *)m)->len != (f->def == -1 ? -1 : 0);
    case KW_T_BYTES: case KW_T_RECORDS: return ((const kw_bytes *)m)->len != (f->def == -1 ? -1 : 0);
    case KW_T_ARRAY: return *(const int32_t *)(m - f->off + f->off_n) != (f->def == -1 ? -1 : 0);
    case KW_T_UUID: { static const uint8_t z[16]; return memcmp(m, z, 16) != 0; }
    case KW_T_FLOAT64: return *(const double *)m != (double)f->def;
    case KW_T_STRUCT:
        if (f_ptr(f)) return *(const void *const *)m != NULL;
        for (unsigned i = 0; i < f->sub->nfields; i++) {
            const kw_field *g = &f->sub->fields[i];
            if (non_default(g, m + g->off)) return 1;
        }
        return 0;
    default: return get_int(m, f->type) != f->def;
    }
}

static void w_struct(wctx *c, const kw_struct *s, const uint8_t *in)
{
    unsigned ntag = 0;
    for (unsigned i = 0; i < s->nfields; i++) {
        const kw_field *f = &s->fields[i];
        if (!f_in(f, c->v)) continue;
        if (f->tag >= 0) { if (c->flex && non_default(f, in + f->off)) ntag++; continue; }
        w_field(c, f, in + f->off);
    }
    if (!c->flex) return;
    w_uv(c, ntag);
    if (!ntag) return;
    for (unsigned i = 0; i < s->nfields; i++) {
        const kw_field *f = &s->fields[i];
        if (f->tag < 0 || !f_in(f, c->v) || !non_default(f, in + f->off)) continue;
        wctx sc = {NULL, 0, c->v, c->flex, 0};
        w_field(&sc, f, in + f->off);
        w_uv(c, (uint64_t)f->tag);
        w_uv(c, sc.n);
        w_field(c, f, in + f->off);
    }
}

int kw_desc_encode(const kw_struct *s, int16_t version, int flexible, const void *in, kw_buf *out)
{
    return kw_desc_encode_ref(s, version, flexible, in, out, NULL, NULL);
}

int kw_desc_encode_ref(const kw_struct *s, int16_t version, int flexible, const void *in, kw_buf *out,
                       kw_slice_fn slice, void *slice_ud)
{
    if (out->err) return out->err;
    size_t before = out->len;
    wctx c = {out, 0, version, flexible, 0, slice, slice_ud};
    w_struct(&c, s, in);
    if (c.err || out->err) { out->len = before; return c.err ? c.err : out->err; }
    return 0;
}

size_t kw_desc_size(const kw_struct *s, int16_t version, int flexible, const void *in)
{
    wctx c = {NULL, 0, version, flexible, 0, NULL, NULL};
    w_struct(&c, s, in);
    return c.n;
}
