/*
 * codec/batch_read.c — the record batch (magic 2) reader: kw_batch_next() splits a
 * record set into batches (bounds, magic, CRC-32C, codec, decompression into the
 * caller's scratch), kw_record_iter_next() yields records as slices into the batch,
 * kw_record_header_next() walks a record's headers, kw_records_magic() peeks at the
 * magic byte of the next entry (see batch.h for the layout and the contracts).
 *
 * Error policy (documented for callers and tests):
 *   - fewer bytes than the entry announces (or than a batch header) at the end of the
 *     data: KW_ERR_INCOMPLETE, the broker's cut at max bytes, to be skipped;
 *   - batchLength below the header size, magic other than 2, negative record count,
 *     more records announced than the bytes can hold: KW_ERR_CORRUPT (magic 0/1:
 *     KW_ERR_UNSUPPORTED here, those are read with kw_msgset_next);
 *   - inside a complete batch every record field is bounded by the record's length
 *     and the record by the records region: running past either is KW_ERR_CORRUPT,
 *     an overlong or overflowing varint is KW_ERR_VARINT, a record count that
 *     disagrees with the records present is KW_ERR_CORRUPT.
 */
#include "batch.h"
#include "compress.h"
#include "crc32c.h"

/* A record takes at least 7 bytes: length, attributes, timestampDelta, offsetDelta,
 * keyLength, valueLength and headerCount of one byte each. */
#define REC_MIN 7

int kw_records_magic(const uint8_t *p, size_t len)
{
    /* baseOffset/offset int64 | length int32 | epoch or crc int32 | magic int8 */
    if (!p || len < 17) return KW_ERR_INCOMPLETE;
    return (int8_t)p[16];
}

size_t kw_records_first_len(const uint8_t *p, size_t len)
{
    /* baseOffset/offset int64 | batchLength/messageSize int32 (bytes after this field) */
    if (!p || len < KW_BATCH_OVERHEAD_LEN) return 0;
    int32_t n = (int32_t)kw_ld32(p + 8);
    return n < 0 ? KW_BATCH_OVERHEAD_LEN : KW_BATCH_OVERHEAD_LEN + (size_t)n;
}

int kw_batch_next(kw_rd *in, kw_batch *b, kw_buf *scratch, const kw_batch_reader_opts *o)
{
    if (in->err) return in->err;
    size_t left = kw_rd_left(in);
    if (left == 0) return 0;
    const uint8_t *p = in->p + in->off;
    memset(b, 0, sizeof *b);
    if (left < 17) return KW_ERR_INCOMPLETE;
    b->base_offset = (int64_t)kw_ld64(p);
    b->batch_length = (int32_t)kw_ld32(p + 8);
    b->leader_epoch = (int32_t)kw_ld32(p + 12);
    b->magic = (int8_t)p[16];
    if (b->magic == 0 || b->magic == 1) return KW_ERR_UNSUPPORTED;
    if (b->magic != 2) return KW_ERR_CORRUPT;
    if (b->batch_length < KW_BATCH_HEADER_SIZE - KW_BATCH_OVERHEAD_LEN) return KW_ERR_CORRUPT;
    size_t total = (size_t)b->batch_length + KW_BATCH_OVERHEAD_LEN;
    if (total > left) return KW_ERR_INCOMPLETE;

    b->crc = kw_ld32(p + 17);
    b->attributes = (int16_t)kw_ld16(p + 21);
    b->last_offset_delta = (int32_t)kw_ld32(p + 23);
    b->base_timestamp = (int64_t)kw_ld64(p + 27);
    b->max_timestamp = (int64_t)kw_ld64(p + 35);
    b->producer_id = (int64_t)kw_ld64(p + 43);
    b->producer_epoch = (int16_t)kw_ld16(p + 51);
    b->base_sequence = (int32_t)kw_ld32(p + 53);
    b->record_count = (int32_t)kw_ld32(p + 57);
    b->raw = p;
    b->raw_len = total;
    b->crc_computed = kw_crc32c(0, p + KW_BATCH_ATTR_OFFSET, total - KW_BATCH_ATTR_OFFSET);
    if (o && o->check_crc && b->crc != b->crc_computed) return KW_ERR_CRC;
    if (b->record_count < 0) return KW_ERR_CORRUPT;

    const uint8_t *recs = p + KW_BATCH_HEADER_SIZE;
    size_t recs_len = total - KW_BATCH_HEADER_SIZE;
    int codec = b->attributes & KW_ATTR_CODEC_MASK;
    if (codec > KW_CODEC_ZSTD) return KW_ERR_UNSUPPORTED;
    if (codec != KW_CODEC_NONE && recs_len > 0) {
        size_t cap = o && o->max_decompressed ? o->max_decompressed : KW_DECOMPRESS_MAX_DEFAULT;
        if (!scratch) return KW_ERR_INVALID_ARG;
        scratch->len = 0;
        scratch->err = 0;
        int rc = kw_decompress(codec, recs, recs_len, scratch, cap);
        if (rc) return rc;
        recs = scratch->data;
        recs_len = scratch->len;
        b->compressed = 1;
    }
    if ((size_t)b->record_count > recs_len / REC_MIN) return KW_ERR_CORRUPT;
    b->records = recs_len ? recs : p + KW_BATCH_HEADER_SIZE;
    b->records_len = recs_len;
    in->off += total;
    return 1;
}

void kw_record_iter_init(kw_record_iter *it, const kw_batch *b)
{
    it->b = b;
    kw_rd_init(&it->rd, b->records, b->records_len);
    it->seen = 0;
}

/*
 * Varint reading on raw pointers, bounded by end: returns the new position or NULL
 * with *err set (KW_ERR_CORRUPT past end, KW_ERR_VARINT overlong/overflowing).
 */
static const uint8_t *uv_slow(const uint8_t *p, const uint8_t *end, unsigned bits, uint64_t *v, int *err)
{
    unsigned maxbytes = bits == 32 ? KW_VARINT32_MAX : KW_VARINT64_MAX;
    uint64_t r = 0;
    for (unsigned i = 0; i < maxbytes; i++) {
        if (p >= end) { *err = KW_ERR_CORRUPT; return NULL; }
        uint8_t c = *p++;
        if (i == maxbytes - 1 && (c & 0x80 || (c >> (bits - 7 * i)) != 0)) { *err = KW_ERR_VARINT; return NULL; }
        r |= (uint64_t)(c & 0x7f) << (7 * i);
        if (!(c & 0x80)) { *v = r; return p; }
    }
    *err = KW_ERR_VARINT;
    return NULL;
}

static inline const uint8_t *rd_vi32(const uint8_t *p, const uint8_t *end, int32_t *out, int *err)
{
    uint64_t v;
    if (p < end && *p < 0x80) { *out = kw_unzigzag32(*p); return p + 1; }
    if (end - p >= 2 && p[1] < 0x80) { *out = kw_unzigzag32((uint32_t)((p[0] & 0x7f) | (p[1] << 7))); return p + 2; }
    p = uv_slow(p, end, 32, &v, err);
    *out = p ? kw_unzigzag32((uint32_t)v) : 0;
    return p;
}

static inline const uint8_t *rd_vi64(const uint8_t *p, const uint8_t *end, int64_t *out, int *err)
{
    uint64_t v;
    if (p < end && *p < 0x80) { *out = kw_unzigzag64(*p); return p + 1; }
    p = uv_slow(p, end, 64, &v, err);
    *out = p ? kw_unzigzag64(v) : 0;
    return p;
}

/* Fail the iterator: the error sticks in its cursor. */
static int iter_fail(kw_record_iter *it, int err)
{
    kw_rd_fail(&it->rd, err);
    return err;
}

/* Check a header region holds exactly count headers; 0 or an error. */
static int check_headers(const uint8_t *p, const uint8_t *end, int32_t count)
{
    int err = 0;
    for (int32_t i = 0; i < count; i++) {
        int32_t kl, vl;
        if (!(p = rd_vi32(p, end, &kl, &err))) return err;
        if (kl < 0 || kl > end - p) return KW_ERR_CORRUPT;
        p += kl;
        if (!(p = rd_vi32(p, end, &vl, &err))) return err;
        if (vl < -1 || vl > end - p) return KW_ERR_CORRUPT;
        if (vl > 0) p += vl;
    }
    return p == end ? 0 : KW_ERR_CORRUPT;
}

int kw_record_iter_next(kw_record_iter *it, kw_record *rec)
{
    kw_rd *r = &it->rd;
    if (r->err) return r->err;
    const uint8_t *p = r->p + r->off, *end = r->p + r->len;
    if (it->seen >= it->b->record_count) {
        if (p != end) return iter_fail(it, KW_ERR_CORRUPT); /* more bytes than records */
        return 0;
    }
    if (p == end) return iter_fail(it, KW_ERR_CORRUPT);     /* fewer records than announced */

    int err = 0;
    int32_t len, od, kl, vl, hc;
    int64_t tsd;
    if (!(p = rd_vi32(p, end, &len, &err))) return iter_fail(it, err);
    if (len < REC_MIN - 1 || len > end - p) return iter_fail(it, KW_ERR_CORRUPT);
    const uint8_t *rend = p + len;
    rec->attributes = (int8_t)*p++;
    if (!(p = rd_vi64(p, rend, &tsd, &err))) return iter_fail(it, err);
    if (!(p = rd_vi32(p, rend, &od, &err))) return iter_fail(it, err);
    if (!(p = rd_vi32(p, rend, &kl, &err))) return iter_fail(it, err);
    if (kl < -1 || kl > rend - p) return iter_fail(it, KW_ERR_CORRUPT);
    rec->key = kl >= 0 ? p : NULL;
    rec->key_len = kl;
    if (kl > 0) p += kl;
    if (!(p = rd_vi32(p, rend, &vl, &err))) return iter_fail(it, err);
    if (vl < -1 || vl > rend - p) return iter_fail(it, KW_ERR_CORRUPT);
    rec->value = vl >= 0 ? p : NULL;
    rec->value_len = vl;
    if (vl > 0) p += vl;
    if (!(p = rd_vi32(p, rend, &hc, &err))) return iter_fail(it, err);
    if (hc < 0) return iter_fail(it, KW_ERR_CORRUPT);
    if (hc == 0) {
        if (p != rend) return iter_fail(it, KW_ERR_CORRUPT);
    } else {
        if ((size_t)hc > (size_t)(rend - p) / 2) return iter_fail(it, KW_ERR_CORRUPT);
        if ((err = check_headers(p, rend, hc))) return iter_fail(it, err);
    }
    rec->headers = NULL;
    rec->header_count = hc;
    rec->hdr_data = p;
    rec->hdr_len = (size_t)(rend - p);

    const kw_batch *b = it->b;
    rec->offset = (int64_t)((uint64_t)b->base_offset + (uint64_t)(int64_t)od);
    if (b->attributes & KW_ATTR_LOG_APPEND_TIME) rec->timestamp = b->max_timestamp;
    else rec->timestamp = (int64_t)((uint64_t)b->base_timestamp + (uint64_t)tsd);
    r->off = (size_t)(rend - r->p);
    it->seen++;
    return 1;
}

int kw_record_header_next(kw_rd *hdrs, kw_header *h)
{
    if (hdrs->err) return hdrs->err;
    if (kw_rd_left(hdrs) == 0) return 0;
    int32_t kl = kw_rd_varint(hdrs);
    if (hdrs->err) return hdrs->err == KW_ERR_TRUNCATED ? KW_ERR_CORRUPT : hdrs->err;
    if (kl < 0 || (size_t)kl > kw_rd_left(hdrs)) { kw_rd_fail(hdrs, KW_ERR_CORRUPT); return KW_ERR_CORRUPT; }
    h->key = kw_rd_take(hdrs, (size_t)kl);
    h->key_len = kl;
    int32_t vl = kw_rd_varint(hdrs);
    if (hdrs->err) return hdrs->err == KW_ERR_TRUNCATED ? KW_ERR_CORRUPT : hdrs->err;
    if (vl < -1 || (vl > 0 && (size_t)vl > kw_rd_left(hdrs))) { kw_rd_fail(hdrs, KW_ERR_CORRUPT); return KW_ERR_CORRUPT; }
    h->value = vl >= 0 ? kw_rd_take(hdrs, (size_t)vl) : NULL;
    h->value_len = vl;
    return 1;
}

int kw_batch_head_read(const uint8_t *p, size_t len, kw_batch_head *h)
{
    if (len < KW_BATCH_OVERHEAD_LEN + 5) return 0;
    h->base_offset = (int64_t)kw_ld64(p);
    h->batch_length = (int32_t)kw_ld32(p + 8);
    if (h->batch_length < 0) return KW_ERR_CORRUPT;
    h->magic = (int8_t)p[16];
    if (h->magic != 2) { /* legacy: crc int32 at 12, magic at 16, attributes int8 at 17 */
        if (len < KW_BATCH_OVERHEAD_LEN + 6) return 0;
        h->attributes = (int8_t)p[17];
        h->last_offset_delta = 0;
        h->producer_id = -1;
        h->producer_epoch = -1;
        h->base_sequence = -1;
        h->record_count = 1;
        return 1;
    }
    if ((size_t)h->batch_length + KW_BATCH_OVERHEAD_LEN < KW_BATCH_HEADER_SIZE) return KW_ERR_CORRUPT;
    if (len < KW_BATCH_HEADER_SIZE) return 0;
    h->attributes = (int16_t)kw_ld16(p + KW_BATCH_ATTR_OFFSET);
    h->last_offset_delta = (int32_t)kw_ld32(p + 23);
    h->producer_id = (int64_t)kw_ld64(p + 43);
    h->producer_epoch = (int16_t)kw_ld16(p + 51);
    h->base_sequence = (int32_t)kw_ld32(p + 53);
    h->record_count = (int32_t)kw_ld32(p + 57);
    return 1;
}

int kw_control_type(const kw_record *rec)
{
    if (!rec->key || rec->key_len < 4) return -1;
    return (int16_t)kw_ld16(rec->key + 2);
}
