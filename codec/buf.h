/*
 * codec/buf.h — byte buffers: a growable write buffer (kw_buf) and a bounded read
 * cursor (kw_rd), with Kafka's primitive encodings: big-endian fixed-width integers,
 * zigzag varint/varlong (protobuf-compatible, as in record batches) and unsigned
 * varints (as in flexible versions' compact lengths and tagged fields).
 *
 * Both carry a sticky error (hiredis style). A write that cannot grow the buffer sets
 * buf->err = KW_ERR_NOMEM and later writes do nothing. A read past the end, or a
 * malformed varint, sets rd->err, returns zero, and every later read returns zero too
 * — so a decoder may read a whole structure and check rd->err once at the end, and
 * never reads outside [p, p+len).
 */
#ifndef KW_CODEC_BUF_H
#define KW_CODEC_BUF_H

#include <stdint.h>
#include <string.h>

#include "kwire/errors.h"
#include "kwire/types.h"

/* Longest varints: 5 bytes for 32 bits, 10 bytes for 64 bits. */
#define KW_VARINT32_MAX 5
#define KW_VARINT64_MAX 10

/* ---- write buffer ---- */
/* kw_buf_init, kw_buf_free, kw_buf_detach: kwire/types.h */
/* Make room for n more bytes; 0 or KW_ERR_NOMEM (also stored in b->err). */
int kw__buf_grow(kw_buf *b, size_t n);

static inline int kw_buf_reserve(kw_buf *b, size_t n)
{
    if (b->err) return b->err;
    if (b->cap - b->len >= n) return 0;
    return kw__buf_grow(b, n);
}

/* Append n bytes and return where they start, or NULL when out of memory. */
static inline uint8_t *kw_buf_extend(kw_buf *b, size_t n)
{
    if (kw_buf_reserve(b, n)) return NULL;
    uint8_t *p = b->data + b->len;
    b->len += n;
    return p;
}

static inline void kw_buf_put(kw_buf *b, const void *src, size_t n)
{
    if (n == 0) return;
    uint8_t *p = kw_buf_extend(b, n);
    if (p) memcpy(p, src, n);
}

static inline void kw_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void kw_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void kw_be64(uint8_t *p, uint64_t v) { kw_be32(p, (uint32_t)(v >> 32)); kw_be32(p + 4, (uint32_t)v); }
static inline uint16_t kw_ld16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t kw_ld32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t kw_ld64(const uint8_t *p) { return ((uint64_t)kw_ld32(p) << 32) | kw_ld32(p + 4); }

static inline void kw_buf_i8(kw_buf *b, int8_t v) { uint8_t *p = kw_buf_extend(b, 1); if (p) p[0] = (uint8_t)v; }
static inline void kw_buf_i16(kw_buf *b, int16_t v) { uint8_t *p = kw_buf_extend(b, 2); if (p) kw_be16(p, (uint16_t)v); }
static inline void kw_buf_i32(kw_buf *b, int32_t v) { uint8_t *p = kw_buf_extend(b, 4); if (p) kw_be32(p, (uint32_t)v); }
static inline void kw_buf_u32(kw_buf *b, uint32_t v) { uint8_t *p = kw_buf_extend(b, 4); if (p) kw_be32(p, v); }
static inline void kw_buf_i64(kw_buf *b, int64_t v) { uint8_t *p = kw_buf_extend(b, 8); if (p) kw_be64(p, (uint64_t)v); }

/* Encode an unsigned varint at p (room for KW_VARINT64_MAX bytes); returns bytes written. */
static inline size_t kw_uvarint_enc(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) { p[n++] = (uint8_t)(v | 0x80); v >>= 7; }
    p[n++] = (uint8_t)v;
    return n;
}
static inline uint64_t kw_zigzag64(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline uint32_t kw_zigzag32(int32_t v) { return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31); }
static inline int64_t kw_unzigzag64(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }
static inline int32_t kw_unzigzag32(uint32_t v) { return (int32_t)(v >> 1) ^ -(int32_t)(v & 1); }

/* Bytes an encoding takes. */
static inline size_t kw_uvarint_size(uint64_t v) { size_t n = 1; while (v >= 0x80) { v >>= 7; n++; } return n; }
static inline size_t kw_varint_size(int32_t v) { return kw_uvarint_size(kw_zigzag32(v)); }
static inline size_t kw_varlong_size(int64_t v) { return kw_uvarint_size(kw_zigzag64(v)); }

static inline void kw_buf_uvarint(kw_buf *b, uint64_t v)
{
    if (kw_buf_reserve(b, KW_VARINT64_MAX)) return;
    b->len += kw_uvarint_enc(b->data + b->len, v);
}
static inline void kw_buf_varint(kw_buf *b, int32_t v) { kw_buf_uvarint(b, kw_zigzag32(v)); }
static inline void kw_buf_varlong(kw_buf *b, int64_t v) { kw_buf_uvarint(b, kw_zigzag64(v)); }

/* ---- read cursor ---- */
static inline void kw_rd_init(kw_rd *r, const void *p, size_t len)
{
    r->p = (const uint8_t *)p; r->len = len; r->off = 0; r->err = 0;
}
static inline size_t kw_rd_left(const kw_rd *r) { return r->len - r->off; }

/* Mark the cursor failed (first error wins) and move it to the end. */
static inline void kw_rd_fail(kw_rd *r, int err)
{
    if (!r->err) r->err = err;
    r->off = r->len;
}

/* Consume n bytes and return a pointer to them, or NULL (error set) if fewer remain. */
static inline const uint8_t *kw_rd_take(kw_rd *r, size_t n)
{
    if (r->err || r->len - r->off < n) { kw_rd_fail(r, KW_ERR_TRUNCATED); return NULL; }
    const uint8_t *p = r->p + r->off;
    r->off += n;
    return p;
}

static inline int8_t kw_rd_i8(kw_rd *r) { const uint8_t *p = kw_rd_take(r, 1); return p ? (int8_t)p[0] : 0; }
static inline int16_t kw_rd_i16(kw_rd *r) { const uint8_t *p = kw_rd_take(r, 2); return p ? (int16_t)kw_ld16(p) : 0; }
static inline int32_t kw_rd_i32(kw_rd *r) { const uint8_t *p = kw_rd_take(r, 4); return p ? (int32_t)kw_ld32(p) : 0; }
static inline uint32_t kw_rd_u32(kw_rd *r) { const uint8_t *p = kw_rd_take(r, 4); return p ? kw_ld32(p) : 0; }
static inline int64_t kw_rd_i64(kw_rd *r) { const uint8_t *p = kw_rd_take(r, 8); return p ? (int64_t)kw_ld64(p) : 0; }

/*
 * Unsigned varint of at most maxbytes bytes (5 for 32-bit, 10 for 64-bit). Overlong
 * encodings (more bytes than the width allows) and values that overflow the width set
 * KW_ERR_VARINT; running out of input sets KW_ERR_TRUNCATED.
 */
uint64_t kw__rd_uvarint_slow(kw_rd *r, unsigned bits);

static inline uint64_t kw_rd_uvarint64(kw_rd *r)
{
    if (r->off < r->len && r->p[r->off] < 0x80) return r->p[r->off++];
    return kw__rd_uvarint_slow(r, 64);
}
static inline uint32_t kw_rd_uvarint32(kw_rd *r)
{
    if (r->off < r->len && r->p[r->off] < 0x80) return r->p[r->off++];
    return (uint32_t)kw__rd_uvarint_slow(r, 32);
}
static inline int32_t kw_rd_varint(kw_rd *r) { return kw_unzigzag32(kw_rd_uvarint32(r)); }
static inline int64_t kw_rd_varlong(kw_rd *r) { return kw_unzigzag64(kw_rd_uvarint64(r)); }

#endif
