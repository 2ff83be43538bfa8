/*
 * codec/msgset.c — legacy message sets (magic 0 and 1), read and written.
 *
 * Layout of one entry (big-endian):
 *   offset int64 | messageSize int32 (bytes from crc to the end)
 *   | crc uint32 (CRC-32 IEEE, zlib's crc32, of magic..end) | magic int8 (0 or 1)
 *   | attributes int8 (bits 0-2 codec, bit 3 timestamp type: magic 1 only)
 *   | timestamp int64 (magic 1 only) | keyLength int32 (-1 null) | key
 *   | valueLength int32 (-1 null) | value
 * A compressed message ("wrapper") holds in its value the compressed bytes of an
 * inner message set. Magic 0 inner messages carry absolute offsets; magic 1 inner
 * messages carry relative offsets 0..n-1, so absolute = wrapper offset - last inner
 * relative offset + inner relative offset. A magic 1 wrapper with log append time
 * gives its timestamp to every inner message. Inner messages are never compressed.
 */
#include <stdlib.h>
#include <zlib.h>

#include "batch.h"
#include "compress.h"

#define MSG_OVERHEAD 12 /* offset + messageSize */
#define MSG_MIN_V0 14   /* crc + magic + attributes + keyLength + valueLength */
#define MSG_MIN_V1 22   /* ... + timestamp */

/*
 * Parse the message at p (left bytes available). Returns its total size (> 0), or
 * KW_ERR_INCOMPLETE (partial), KW_ERR_CORRUPT (incl. magic > 2 or negative),
 * KW_ERR_UNSUPPORTED (magic 2: a record batch, read with kw_batch_next),
 * KW_ERR_CRC (m filled, CRC checked only when check_crc).
 */
static long parse_msg(const uint8_t *p, size_t left, kw_legacy_msg *m, int check_crc)
{
    memset(m, 0, sizeof *m);
    if (left < MSG_OVERHEAD) return KW_ERR_INCOMPLETE;
    int32_t size = (int32_t)kw_ld32(p + 8);
    if (left >= 17 && p[16] == 2) return KW_ERR_UNSUPPORTED;
    if (left >= 17 && p[16] > 2) return KW_ERR_CORRUPT;
    if (size < MSG_MIN_V0) return KW_ERR_CORRUPT;
    if ((size_t)size > left - MSG_OVERHEAD) return KW_ERR_INCOMPLETE;
    m->offset = (int64_t)kw_ld64(p);
    m->crc = kw_ld32(p + 12);
    m->magic = (int8_t)p[16];
    m->attributes = (int8_t)p[17];
    const uint8_t *q = p + 18, *end = p + MSG_OVERHEAD + size;
    m->timestamp = -1;
    if (m->magic == 1) {
        if (size < MSG_MIN_V1) return KW_ERR_CORRUPT;
        m->timestamp = (int64_t)kw_ld64(q);
        q += 8;
    }
    int32_t kl = (int32_t)kw_ld32(q);
    q += 4;
    if (kl < -1 || (kl > 0 && kl > end - q - 4)) return KW_ERR_CORRUPT;
    m->key = kl >= 0 ? q : NULL;
    m->key_len = kl;
    if (kl > 0) q += kl;
    int32_t vl = (int32_t)kw_ld32(q);
    q += 4;
    if (vl < -1 || (vl >= 0 && vl != end - q) || (vl == -1 && q != end)) return KW_ERR_CORRUPT;
    m->value = vl >= 0 ? q : NULL;
    m->value_len = vl;
    m->crc_computed = (uint32_t)crc32(0L, p + 16, (uInt)(size - 4));
    if (check_crc && m->crc != m->crc_computed) return KW_ERR_CRC;
    return (long)(MSG_OVERHEAD + (size_t)size);
}

void kw_msgset_reader_init(kw_msgset_reader *r, const uint8_t *p, size_t len, const kw_batch_reader_opts *o)
{
    memset(r, 0, sizeof *r);
    kw_rd_init(&r->outer, p, len);
    kw_rd_init(&r->inner, NULL, 0);
    kw_buf_init(&r->scratch);
    if (o) r->opts = *o;
}

void kw_msgset_reader_free(kw_msgset_reader *r)
{
    kw_buf_free(&r->scratch);
    r->in_wrapper = 0;
}

/* Decompress a wrapper's value into scratch and check the inner set: complete,
 * uncompressed messages of the wrapper's magic. Sets inner_last_rel. */
static int open_wrapper(kw_msgset_reader *r, const kw_legacy_msg *w)
{
    int codec = w->attributes & KW_ATTR_CODEC_MASK;
    if (codec > KW_CODEC_LZ4) return KW_ERR_UNSUPPORTED;
    if (w->value_len < 0) return KW_ERR_CORRUPT;
    size_t cap = r->opts.max_decompressed ? r->opts.max_decompressed : KW_DECOMPRESS_MAX_DEFAULT;
    r->scratch.len = 0;
    r->scratch.err = 0;
    int rc = kw_decompress(codec, w->value, (size_t)w->value_len, &r->scratch, cap);
    if (rc) return rc;
    size_t off = 0;
    int64_t last = 0;
    while (off < r->scratch.len) {
        kw_legacy_msg m;
        long n = parse_msg(r->scratch.data + off, r->scratch.len - off, &m, r->opts.check_crc);
        if (n == KW_ERR_INCOMPLETE || n == KW_ERR_UNSUPPORTED) return KW_ERR_CORRUPT;
        if (n < 0) return (int)n;
        if (m.attributes & KW_ATTR_CODEC_MASK) return KW_ERR_CORRUPT; /* nested compression */
        if (m.magic != w->magic) return KW_ERR_CORRUPT;
        last = m.offset;
        off += (size_t)n;
    }
    kw_rd_init(&r->inner, r->scratch.data, r->scratch.len);
    r->in_wrapper = 1;
    r->wrapper_offset = w->offset;
    r->wrapper_magic = w->magic;
    r->wrapper_ts = w->timestamp;
    r->wrapper_attr = w->attributes;
    r->inner_last_rel = last;
    return 0;
}

int kw_msgset_next(kw_msgset_reader *r, kw_legacy_msg *m)
{
    for (;;) {
        if (r->in_wrapper) {
            kw_rd *in = &r->inner;
            if (kw_rd_left(in) > 0) {
                long n = parse_msg(in->p + in->off, kw_rd_left(in), m, 0); /* checked in open_wrapper */
                if (n < 0) return KW_ERR_CORRUPT;
                in->off += (size_t)n;
                if (r->wrapper_magic == 1)
                    m->offset = (int64_t)((uint64_t)r->wrapper_offset - (uint64_t)r->inner_last_rel
                                          + (uint64_t)m->offset);
                if (r->wrapper_magic == 1 && (r->wrapper_attr & KW_ATTR_LOG_APPEND_TIME))
                    m->timestamp = r->wrapper_ts;
                return 1;
            }
            r->in_wrapper = 0;
        }
        kw_rd *out = &r->outer;
        if (out->err) return out->err;
        size_t left = kw_rd_left(out);
        if (left == 0) return 0;
        long n = parse_msg(out->p + out->off, left, m, r->opts.check_crc);
        if (n < 0) return (int)n;
        if ((m->attributes & KW_ATTR_CODEC_MASK) == 0) {
            out->off += (size_t)n;
            return 1;
        }
        kw_legacy_msg w = *m;
        int rc = open_wrapper(r, &w);
        if (rc) { r->in_wrapper = 0; return rc; }
        out->off += (size_t)n;
    }
}

int kw_msgset_append(kw_buf *out, int8_t magic, int64_t offset, int8_t attributes, int64_t ts,
                     const void *key, int32_t key_len, const void *value, int32_t value_len)
{
    if (magic != 0 && magic != 1) return KW_ERR_INVALID_ARG;
    if (key_len < -1 || value_len < -1 || (key_len > 0 && !key) || (value_len > 0 && !value))
        return KW_ERR_INVALID_ARG;
    uint64_t size = (uint64_t)(magic == 1 ? MSG_MIN_V1 : MSG_MIN_V0)
                  + (key_len > 0 ? (uint64_t)key_len : 0) + (value_len > 0 ? (uint64_t)value_len : 0);
    if (size > INT32_MAX) return KW_ERR_TOO_LARGE;
    if (out->err) return out->err;
    size_t start = out->len;
    kw_buf_i64(out, offset);
    kw_buf_i32(out, (int32_t)size);
    kw_buf_u32(out, 0); /* crc, filled below */
    kw_buf_i8(out, magic);
    kw_buf_i8(out, attributes);
    if (magic == 1) kw_buf_i64(out, ts);
    kw_buf_i32(out, key_len);
    if (key_len > 0) kw_buf_put(out, key, (size_t)key_len);
    kw_buf_i32(out, value_len);
    if (value_len > 0) kw_buf_put(out, value, (size_t)value_len);
    if (out->err) { out->len = start; return out->err; }
    uint8_t *p = out->data + start;
    kw_be32(p + 12, (uint32_t)crc32(0L, p + 16, (uInt)(size - 4)));
    return 0;
}
