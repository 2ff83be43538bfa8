/*
 * codec/buf.c — growth of the write buffer and the slow path of varint decoding
 * (see buf.h for the contracts).
 */
#include <stdlib.h>

#include "buf.h"

void kw_buf_init(kw_buf *b)
{
    b->data = NULL; b->len = 0; b->cap = 0; b->err = 0;
}

void kw_buf_free(kw_buf *b)
{
    free(b->data);
    kw_buf_init(b);
}

uint8_t *kw_buf_detach(kw_buf *b, size_t *len)
{
    uint8_t *p = b->data;
    if (len) *len = b->len;
    kw_buf_init(b);
    return p;
}

int kw__buf_grow(kw_buf *b, size_t n)
{
    if (b->err) return b->err;
    if (n > SIZE_MAX / 2 - b->len) { b->err = KW_ERR_TOO_LARGE; return b->err; }
    size_t need = b->len + n;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p) { b->err = KW_ERR_NOMEM; return b->err; }
    b->data = p;
    b->cap = cap;
    return 0;
}

uint64_t kw__rd_uvarint_slow(kw_rd *r, unsigned bits)
{
    unsigned maxbytes = bits == 32 ? KW_VARINT32_MAX : KW_VARINT64_MAX;
    uint64_t v = 0;
    if (r->err) return 0;
    for (unsigned i = 0; i < maxbytes; i++) {
        if (r->off >= r->len) { kw_rd_fail(r, KW_ERR_TRUNCATED); return 0; }
        uint8_t c = r->p[r->off++];
        if (i == maxbytes - 1) {
            /* The last byte may only carry the bits left of the width, no continuation. */
            unsigned left = bits - 7 * i;
            if (c & 0x80 || (c >> left) != 0) { kw_rd_fail(r, KW_ERR_VARINT); return 0; }
        }
        v |= (uint64_t)(c & 0x7f) << (7 * i);
        if (!(c & 0x80)) return v;
    }
    kw_rd_fail(r, KW_ERR_VARINT);
    return 0;
}
