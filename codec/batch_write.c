/*
 * codec/batch_write.c — the record batch (magic 2) writer: begin / append / seal, and
 * kw_batch_set_producer() (see batch.h for the layout and the contracts).
 *
 * The batch is built in place at the end of the caller's kw_buf: begin() reserves the
 * 61-byte header, append() encodes one record straight into the buffer (sizes are
 * computed first, then every varint is written directly — no allocation and no
 * indirect call per record), and seal() compresses the records region if asked and
 * fills in the header and its CRC-32C.
 */
#include "batch.h"
#include "compress.h"
#include "crc32c.h"

void kw_batch_opts_default(kw_batch_opts *o)
{
    memset(o, 0, sizeof *o);
    o->codec = KW_CODEC_NONE;
    o->level = KW_LEVEL_DEFAULT;
    o->base_offset = 0;
    o->leader_epoch = -1;
    o->producer_id = -1;
    o->producer_epoch = -1;
    o->base_sequence = -1;
    o->max_bytes = 0;
}

int kw_batch_begin(kw_batch_writer *w, kw_buf *out, const kw_batch_opts *opts)
{
    memset(w, 0, sizeof *w);
    kw_buf_init(&w->scratch);
    if (opts) w->opts = *opts;
    else kw_batch_opts_default(&w->opts);
    if (w->opts.codec < KW_CODEC_NONE || w->opts.codec > KW_CODEC_ZSTD) return KW_ERR_UNSUPPORTED;
    w->out = out;
    w->start = out->len;
    w->base_ts = -1;
    w->max_ts = -1;
    uint8_t *h = kw_buf_extend(out, KW_BATCH_HEADER_SIZE);
    if (!h) return out->err ? out->err : KW_ERR_NOMEM;
    memset(h, 0, KW_BATCH_HEADER_SIZE);
    return 0;
}

/* Unsigned varint straight into p (the caller reserved room); returns the new end. */
static inline uint8_t *put_uv(uint8_t *p, uint64_t v)
{
    if (v < 0x80) { *p = (uint8_t)v; return p + 1; }
    if (v < 0x4000) { p[0] = (uint8_t)(v | 0x80); p[1] = (uint8_t)(v >> 7); return p + 2; }
    return p + kw_uvarint_enc(p, v);
}

static inline size_t uv_size(uint64_t v)
{
    if (v < 0x80) return 1;
    if (v < 0x4000) return 2;
    return kw_uvarint_size(v);
}

/*
 * Size of rec's body (everything after its length varint) for the next slot of w,
 * or 0 when rec is not valid (negative lengths other than -1, a NULL pointer with a
 * positive length, a null header key) or would not fit an int32 length.
 */
static inline __attribute__((always_inline)) size_t rec_body(const kw_batch_writer *w, const kw_record *rec, int64_t *tsd)
{
    int64_t base = w->count ? w->base_ts : rec->timestamp;
    *tsd = (int64_t)((uint64_t)rec->timestamp - (uint64_t)base);
    if (rec->key_len < -1 || rec->value_len < -1 || rec->header_count < 0) return 0;
    if ((rec->key_len > 0 && !rec->key) || (rec->value_len > 0 && !rec->value)) return 0;
    if (rec->header_count > 0 && !rec->headers) return 0;
    uint64_t n = 1 /* attributes */ + uv_size(kw_zigzag64(*tsd)) + uv_size(kw_zigzag32(w->count))
               + uv_size(kw_zigzag32(rec->key_len)) + (rec->key_len > 0 ? (uint64_t)rec->key_len : 0)
               + uv_size(kw_zigzag32(rec->value_len)) + (rec->value_len > 0 ? (uint64_t)rec->value_len : 0)
               + uv_size(kw_zigzag32(rec->header_count));
    for (int32_t i = 0; i < rec->header_count; i++) {
        const kw_header *h = &rec->headers[i];
        if (h->key_len < 0 || h->value_len < -1) return 0;
        if ((h->key_len > 0 && !h->key) || (h->value_len > 0 && !h->value)) return 0;
        n += uv_size(kw_zigzag32(h->key_len)) + (uint64_t)h->key_len
           + uv_size(kw_zigzag32(h->value_len)) + (h->value_len > 0 ? (uint64_t)h->value_len : 0);
        if (n > INT32_MAX) return 0;
    }
    if (n > INT32_MAX) return 0;
    return (size_t)n;
}

size_t kw_batch_size_with(const kw_batch_writer *w, const kw_record *rec)
{
    int64_t tsd;
    size_t cur = w->out->len - w->start;
    size_t body = rec_body(w, rec, &tsd);
    if (!body) return SIZE_MAX;
    return cur + uv_size(kw_zigzag32((int32_t)body)) + body;
}

/*
 * Copy n bytes to dst. Short copies are done inline in 16-byte steps (a libc call per key and value costs
 * more than the copy itself at 100-byte records); the source is never over-read.
 */
static inline __attribute__((always_inline)) void copy_bytes(uint8_t *dst, const uint8_t *src, size_t n)
{
    if (n > 256) { memcpy(dst, src, n); return; }
    if (n >= 16) {
        size_t i = 0;
        for (; i + 16 <= n; i += 16) memcpy(dst + i, src + i, 16);
        if (i < n) memcpy(dst + n - 16, src + n - 16, 16); /* overlapping tail */
        return;
    }
    if (n >= 8) { memcpy(dst, src, 8); memcpy(dst + n - 8, src + n - 8, 8); return; }
    if (n >= 4) { memcpy(dst, src, 4); memcpy(dst + n - 4, src + n - 4, 4); return; }
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
}

int kw_batch_append(kw_batch_writer *w, const kw_record *rec)
{
    kw_buf *out = w->out;
    if (w->sealed) return KW_ERR_STATE;
    if (out->err) return out->err;
    if (w->count == INT32_MAX) return KW_ERR_TOO_LARGE;
    int64_t tsd;
    size_t body = rec_body(w, rec, &tsd);
    if (!body) return KW_ERR_INVALID_ARG;
    size_t total = uv_size(kw_zigzag32((int32_t)body)) + body;
    size_t cur = out->len - w->start;
    if (w->count && w->opts.max_bytes && cur + total > w->opts.max_bytes) return KW_ERR_TOO_LARGE;
    if (cur + total - KW_BATCH_OVERHEAD_LEN > INT32_MAX) return KW_ERR_TOO_LARGE;

    uint8_t *p = kw_buf_extend(out, total);
    if (!p) return out->err ? out->err : KW_ERR_NOMEM;
    p = put_uv(p, kw_zigzag32((int32_t)body));
    *p++ = 0; /* record attributes: unused */
    p = put_uv(p, kw_zigzag64(tsd));
    p = put_uv(p, kw_zigzag32(w->count));
    p = put_uv(p, kw_zigzag32(rec->key_len));
    if (rec->key_len > 0) { copy_bytes(p, rec->key, (size_t)rec->key_len); p += rec->key_len; }
    p = put_uv(p, kw_zigzag32(rec->value_len));
    if (rec->value_len > 0) { copy_bytes(p, rec->value, (size_t)rec->value_len); p += rec->value_len; }
    p = put_uv(p, kw_zigzag32(rec->header_count));
    for (int32_t i = 0; i < rec->header_count; i++) {
        const kw_header *h = &rec->headers[i];
        p = put_uv(p, kw_zigzag32(h->key_len));
        if (h->key_len > 0) { memcpy(p, h->key, (size_t)h->key_len); p += h->key_len; }
        p = put_uv(p, kw_zigzag32(h->value_len));
        if (h->value_len > 0) { memcpy(p, h->value, (size_t)h->value_len); p += h->value_len; }
    }

    if (w->count == 0) { w->base_ts = rec->timestamp; w->max_ts = rec->timestamp; }
    else if (rec->timestamp > w->max_ts) w->max_ts = rec->timestamp;
    w->count++;
    return 0;
}

/* Fill the header fields of the batch at b (total bytes long) and compute its CRC. */
static void fill_header(uint8_t *b, size_t total, const kw_batch_writer *w)
{
    const kw_batch_opts *o = &w->opts;
    int16_t attr = (int16_t)(o->codec & KW_ATTR_CODEC_MASK);
    if (o->log_append_time) attr |= KW_ATTR_LOG_APPEND_TIME;
    if (o->transactional) attr |= KW_ATTR_TRANSACTIONAL;
    kw_be64(b + 0, (uint64_t)o->base_offset);                    /* baseOffset */
    kw_be32(b + 8, (uint32_t)(total - KW_BATCH_OVERHEAD_LEN));   /* batchLength */
    kw_be32(b + 12, (uint32_t)o->leader_epoch);                  /* partitionLeaderEpoch */
    b[16] = 2;                                                   /* magic */
    kw_be16(b + 21, (uint16_t)attr);                             /* attributes */
    kw_be32(b + 23, (uint32_t)(w->count - 1));                   /* lastOffsetDelta */
    kw_be64(b + 27, (uint64_t)w->base_ts);                       /* baseTimestamp */
    kw_be64(b + 35, (uint64_t)w->max_ts);                        /* maxTimestamp */
    kw_be64(b + 43, (uint64_t)o->producer_id);                   /* producerId */
    kw_be16(b + 51, (uint16_t)o->producer_epoch);                /* producerEpoch */
    kw_be32(b + 53, (uint32_t)o->base_sequence);                 /* baseSequence */
    kw_be32(b + 57, (uint32_t)w->count);                         /* recordsCount */
    kw_be32(b + KW_BATCH_CRC_OFFSET,
            kw_crc32c(0, b + KW_BATCH_ATTR_OFFSET, total - KW_BATCH_ATTR_OFFSET));
}

int kw_batch_seal(kw_batch_writer *w)
{
    kw_buf *out = w->out;
    if (w->sealed) return KW_ERR_STATE;
    if (out->err) return out->err;
    size_t rec_off = w->start + KW_BATCH_HEADER_SIZE;
    if (w->opts.codec != KW_CODEC_NONE && w->count > 0) {
        w->scratch.len = 0;
        int rc = kw_compress(w->opts.codec, w->opts.level, out->data + rec_off, out->len - rec_off,
                             &w->scratch);
        if (rc) return rc;
        if (w->scratch.err) return w->scratch.err;
        if (KW_BATCH_HEADER_SIZE + w->scratch.len - KW_BATCH_OVERHEAD_LEN > INT32_MAX) return KW_ERR_TOO_LARGE;
        out->len = rec_off;
        kw_buf_put(out, w->scratch.data, w->scratch.len);
        if (out->err) return out->err;
    }
    fill_header(out->data + w->start, out->len - w->start, w);
    w->sealed = 1;
    return 0;
}

void kw_batch_writer_free(kw_batch_writer *w)
{
    kw_buf_free(&w->scratch);
}

void kw_batch_set_producer(uint8_t *batch, size_t len, int64_t pid, int16_t epoch, int32_t base_seq)
{
    if (!batch || len < KW_BATCH_HEADER_SIZE || batch[16] != 2) return;
    uint32_t bl = kw_ld32(batch + 8);
    if (bl < KW_BATCH_HEADER_SIZE - KW_BATCH_OVERHEAD_LEN || bl > len - KW_BATCH_OVERHEAD_LEN) return;
    size_t total = (size_t)bl + KW_BATCH_OVERHEAD_LEN;
    kw_be64(batch + 43, (uint64_t)pid);
    kw_be16(batch + 51, (uint16_t)epoch);
    kw_be32(batch + 53, (uint32_t)base_seq);
    kw_be32(batch + KW_BATCH_CRC_OFFSET,
            kw_crc32c(0, batch + KW_BATCH_ATTR_OFFSET, total - KW_BATCH_ATTR_OFFSET));
}
