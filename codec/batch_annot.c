/*
 * codec/batch_annot.c — kw_records_annotate(): the field-by-field walk of a record
 * set (record batches of magic 2 and legacy messages of magic 0/1) through the
 * annotation callback of codec/annot.h.
 *
 * Stream for a batch (names as in Kafka's implementation docs):
 *   ENTER "[i]" RecordBatch
 *     baseOffset, batchLength, partitionLeaderEpoch, magic,
 *     crc ("valid" or "MISMATCH (expected 0x..., computed 0x...)", plus a NOTE),
 *     attributes, with FIELD children compression / timestampType / isTransactional /
 *       isControlBatch / hasDeleteHorizonMs over the same two bytes,
 *     lastOffsetDelta, baseTimestamp, maxTimestamp, producerId, producerEpoch,
 *     baseSequence, recordsCount,
 *     uncompressed: ENTER "records", per record ENTER "[j]" Record with length,
 *       attributes, timestampDelta, offsetDelta, keyLength, key, valueLength, value,
 *       headersCount, ENTER "headers" / "[k]" headerKeyLength, headerKey,
 *       headerValueLength, headerValue;
 *     compressed: FIELD "records" (the compressed bytes), REGION "decompressed <codec>,
 *       N bytes", the records as above with offsets relative to the region, END_REGION.
 *   LEAVE
 * Legacy messages: ENTER "[i]" Message with offset, messageSize, crc, magic,
 * attributes (+ compression, timestampType), timestamp (magic 1), keyLength, key,
 * valueLength, value; a compressed wrapper's inner messages follow in a REGION.
 * A partial entry at the end is shown as one "partialEntry" field and is not an
 * error (it is the broker's cut at max bytes).
 *
 * What the values say beyond the number: baseTimestamp and maxTimestamp in ISO 8601
 * (UTC); each record's timestampDelta and offsetDelta with the absolute timestamp and
 * offset they give; the decompressed region with the batch's compression ratio; and
 * once per record set a NOTE on the zigzag varints records are made of.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <zlib.h>

#include "batch.h"
#include "compress.h"
#include "crc32c.h"

#define VAL_MAX 256
#define REC_MIN_BODY 6 /* attributes + five one-byte varints */
#define SHOW_TEXT 64 /* characters of a key/value shown before "..." */
#define SHOW_HEX 24  /* bytes of a binary key/value shown before "..." */

typedef struct ann_ctx {
    kw_ann_cb cb;
    void *ud;
    const uint8_t *base; /* start of the current region */
    int64_t base_offset, base_ts; /* of the batch being walked: records' deltas add to them */
    int zigzag_noted;
    char val[VAL_MAX];
} ann_ctx;

/* "2026-11-22T02:10:35.123Z" for a Unix time in ms (ISO 8601, UTC), or "" when it is not
 * one (-1: no timestamp). dst holds at least 32 bytes. */
static void iso_ms(char *dst, size_t cap, int64_t ms)
{
    dst[0] = 0;
    if (ms < 0 || ms > 253402300799999LL) return; /* year 9999 */
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) return;
    char tmp[64]; /* wide enough for any int the compiler imagines; the real text is 24 bytes */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    size_t n = strlen(tmp) < cap ? strlen(tmp) : cap - 1;
    memcpy(dst, tmp, n);
    dst[n] = 0;
}

/* Emit one event; returns the callback's value. */
static int emit(ann_ctx *a, kw_ann_kind kind, const char *name, const char *type,
                const uint8_t *bytes, size_t len, const char *value, int depth)
{
    kw_ann e = {0};
    e.kind = kind;
    e.name = name;
    e.type = type;
    e.bytes = bytes;
    e.off = bytes ? (size_t)(bytes - a->base) : 0;
    e.len = len;
    e.value = value;
    e.depth = depth;
    return a->cb(a->ud, &e);
}

#define EMIT(...) do { int rc_ = emit(__VA_ARGS__); if (rc_) return rc_; } while (0)

/* Emit KW_ANN_ERROR at p and return err (or the callback's non-zero value). */
static int ann_error(ann_ctx *a, const uint8_t *p, int depth, int err, const char *why)
{
    snprintf(a->val, sizeof a->val, "%s: %s", kw_err_name(err), why);
    int rc = emit(a, KW_ANN_ERROR, "error", "error", p, 0, a->val, depth);
    return rc ? rc : err;
}

/* Render a key or value: null, "printable text" or 0xhex, cut with "..." and the length. */
static void render_bytes(char *dst, size_t cap, const uint8_t *p, int32_t len)
{
    if (len < 0 || !p) { snprintf(dst, cap, "null"); return; }
    int printable = 1;
    for (int32_t i = 0; i < len && printable; i++)
        if (p[i] < 0x20 || p[i] > 0x7e) printable = 0;
    size_t o = 0;
    if (printable) {
        int32_t n = len > SHOW_TEXT ? SHOW_TEXT : len;
        dst[o++] = '"';
        for (int32_t i = 0; i < n && o + 3 < cap; i++) {
            if (p[i] == '"' || p[i] == '\\') dst[o++] = '\\';
            dst[o++] = (char)p[i];
        }
        dst[o++] = '"';
        dst[o] = 0;
        if (len > SHOW_TEXT) snprintf(dst + o, cap - o, "... (%" PRId32 " bytes)", len);
        return;
    }
    static const char hx[] = "0123456789abcdef";
    int32_t n = len > SHOW_HEX ? SHOW_HEX : len;
    dst[o++] = '0';
    dst[o++] = 'x';
    for (int32_t i = 0; i < n && o + 3 < cap; i++) {
        dst[o++] = hx[p[i] >> 4];
        dst[o++] = hx[p[i] & 15];
    }
    dst[o] = 0;
    if (len > SHOW_HEX) snprintf(dst + o, cap - o, "... (%" PRId32 " bytes)", len);
}

/* A fixed-width field at p. */
static int f_int(ann_ctx *a, const uint8_t *p, size_t w, const char *name, int depth)
{
    static const char *types[] = {NULL, "int8", "int16", NULL, "int32", NULL, NULL, NULL, "int64"};
    int64_t v = w == 1 ? (int8_t)p[0] : w == 2 ? (int16_t)kw_ld16(p) : w == 4 ? (int32_t)kw_ld32(p)
                                                                          : (int64_t)kw_ld64(p);
    snprintf(a->val, sizeof a->val, "%" PRId64, v);
    if (w == 8 && (!strcmp(name, "baseTimestamp") || !strcmp(name, "maxTimestamp") || !strcmp(name, "timestamp"))) {
        char iso[40];
        iso_ms(iso, sizeof iso, v);
        if (iso[0]) snprintf(a->val, sizeof a->val, "%" PRId64 " (%s)", v, iso);
    }
    return emit(a, KW_ANN_FIELD, name, types[w], p, w, a->val, depth);
}

/* A varint (bits 32) or varlong (bits 64) read from rd; its value in *v. */
static int f_varint(ann_ctx *a, kw_rd *rd, const char *name, int bits, int depth, int64_t *v)
{
    size_t start = rd->off;
    *v = bits == 32 ? kw_rd_varint(rd) : kw_rd_varlong(rd);
    if (rd->err) {
        int err = rd->err == KW_ERR_TRUNCATED ? KW_ERR_CORRUPT : rd->err;
        return ann_error(a, rd->p + start, depth, err, bits == 32 ? "bad varint" : "bad varlong");
    }
    snprintf(a->val, sizeof a->val, "%" PRId64, *v);
    size_t n = strlen(a->val);
    /* base + delta as the broker computes it; hostile input may wrap, so add unsigned (no UB) */
    if (!strcmp(name, "offsetDelta"))
        snprintf(a->val + n, sizeof a->val - n, " (offset %" PRId64 ")",
                 (int64_t)((uint64_t)a->base_offset + (uint64_t)*v));
    else if (!strcmp(name, "timestampDelta") && a->base_ts >= 0) {
        char iso[40];
        int64_t ts = (int64_t)((uint64_t)a->base_ts + (uint64_t)*v);
        iso_ms(iso, sizeof iso, ts);
        snprintf(a->val + n, sizeof a->val - n, " (timestamp %" PRId64 "%s%s)", ts, iso[0] ? ", " : "", iso);
    }
    int rc = emit(a, KW_ANN_FIELD, name, bits == 32 ? "varint" : "varlong", rd->p + start, rd->off - start,
                  a->val, depth);
    if (!rc && !a->zigzag_noted) {
        a->zigzag_noted = 1;
        rc = emit(a, KW_ANN_NOTE, name, "varint", rd->p + start, rd->off - start,
                  "record fields are zigzag varints (protobuf's sint32/sint64): n is written as 2n, -n as "
                  "2n-1 (0, -1, 1, -2 -> 0, 1, 2, 3), 7 bits a byte, high bit = more; so -1 (a null key) "
                  "takes one byte", depth);
    }
    return rc;
}

/* len bytes of key/value data from rd (len -1: null, shown as an empty field). */
static int f_data(ann_ctx *a, kw_rd *rd, const char *name, int64_t len, int depth)
{
    if (len < -1 || len > (int64_t)kw_rd_left(rd))
        return ann_error(a, rd->p + rd->off, depth, KW_ERR_CORRUPT, "length past the end of its record");
    const uint8_t *p = rd->p + rd->off;
    size_t n = len > 0 ? (size_t)len : 0;
    rd->off += n;
    render_bytes(a->val, sizeof a->val, len >= 0 ? p : NULL, (int32_t)len);
    return emit(a, KW_ANN_FIELD, name, "bytes", p, n, a->val, depth);
}

/*
 * Length of the item ahead in rd for an ENTER event, without consuming it: a record
 * (length varint + that many bytes) or a header (two length-prefixed parts). When the
 * lengths do not fit, the rest of rd (the walk then stops at the bad field).
 */
static size_t peek_len(const kw_rd *rd, int header)
{
    kw_rd t = *rd;
    int32_t l = kw_rd_varint(&t);
    if (t.err || l < -1 || (l > 0 && (size_t)l > kw_rd_left(&t))) return kw_rd_left(rd);
    if (l > 0) t.off += (size_t)l;
    if (header) {
        l = kw_rd_varint(&t);
        if (t.err || l < -1 || (l > 0 && (size_t)l > kw_rd_left(&t))) return kw_rd_left(rd);
        if (l > 0) t.off += (size_t)l;
    }
    return t.off - rd->off;
}

static int ann_record(ann_ctx *a, kw_rd *rd, int32_t idx, int depth)
{
    char nm[24];
    int rc;
    int64_t len, v, kl, vl, hc;
    snprintf(nm, sizeof nm, "[%" PRId32 "]", idx);
    if ((rc = f_varint(a, rd, "length", 32, depth + 1, &len))) return rc;
    if (len < REC_MIN_BODY || len > (int64_t)kw_rd_left(rd))
        return ann_error(a, rd->p + rd->off, depth + 1, KW_ERR_CORRUPT, "record length out of bounds");
    kw_rd r;
    kw_rd_init(&r, rd->p + rd->off, (size_t)len);
    rd->off += (size_t)len;
    snprintf(a->val, sizeof a->val, "%d", (int8_t)r.p[0]);
    EMIT(a, KW_ANN_FIELD, "attributes", "int8", r.p, 1, a->val, depth + 1);
    r.off = 1;
    if ((rc = f_varint(a, &r, "timestampDelta", 64, depth + 1, &v))) return rc;
    if ((rc = f_varint(a, &r, "offsetDelta", 32, depth + 1, &v))) return rc;
    if ((rc = f_varint(a, &r, "keyLength", 32, depth + 1, &kl))) return rc;
    if ((rc = f_data(a, &r, "key", kl, depth + 1))) return rc;
    if ((rc = f_varint(a, &r, "valueLength", 32, depth + 1, &vl))) return rc;
    if ((rc = f_data(a, &r, "value", vl, depth + 1))) return rc;
    if ((rc = f_varint(a, &r, "headersCount", 32, depth + 1, &hc))) return rc;
    if (hc < 0 || (uint64_t)hc > kw_rd_left(&r) / 2)
        return ann_error(a, r.p + r.off, depth + 1, KW_ERR_CORRUPT, "header count out of bounds");
    EMIT(a, KW_ANN_ENTER, "headers", "[Header]", r.p + r.off, kw_rd_left(&r), NULL, depth + 1);
    for (int64_t h = 0; h < hc; h++) {
        snprintf(nm, sizeof nm, "[%" PRId64 "]", h);
        EMIT(a, KW_ANN_ENTER, nm, "Header", r.p + r.off, peek_len(&r, 1), NULL, depth + 2);
        if ((rc = f_varint(a, &r, "headerKeyLength", 32, depth + 3, &kl))) return rc;
        if (kl < 0) return ann_error(a, r.p + r.off, depth + 3, KW_ERR_CORRUPT, "null header key");
        if ((rc = f_data(a, &r, "headerKey", kl, depth + 3))) return rc;
        if ((rc = f_varint(a, &r, "headerValueLength", 32, depth + 3, &vl))) return rc;
        if ((rc = f_data(a, &r, "headerValue", vl, depth + 3))) return rc;
        EMIT(a, KW_ANN_LEAVE, nm, "Header", NULL, 0, NULL, depth + 2);
    }
    EMIT(a, KW_ANN_LEAVE, "headers", "[Header]", NULL, 0, NULL, depth + 1);
    if (kw_rd_left(&r))
        return ann_error(a, r.p + r.off, depth + 1, KW_ERR_CORRUPT, "bytes left over after the headers");
    return 0;
}

/* The records of a batch (in the current region): ENTER "records", each record, LEAVE. */
static int ann_records(ann_ctx *a, const uint8_t *p, size_t len, int32_t count, int depth)
{
    char nm[24];
    int rc;
    kw_rd rd;
    kw_rd_init(&rd, p, len);
    EMIT(a, KW_ANN_ENTER, "records", "[Record]", p, len, NULL, depth);
    int32_t i = 0;
    for (; kw_rd_left(&rd) > 0; i++) {
        snprintf(nm, sizeof nm, "[%" PRId32 "]", i);
        EMIT(a, KW_ANN_ENTER, nm, "Record", rd.p + rd.off, peek_len(&rd, 0), NULL, depth + 1);
        if ((rc = ann_record(a, &rd, i, depth + 1))) return rc;
        EMIT(a, KW_ANN_LEAVE, nm, "Record", NULL, 0, NULL, depth + 1);
    }
    if (i != count) {
        char why[96];
        snprintf(why, sizeof why, "recordsCount is %" PRId32 " but %" PRId32 " records are present", count, i);
        return ann_error(a, p + len, depth + 1, KW_ERR_CORRUPT, why);
    }
    EMIT(a, KW_ANN_LEAVE, "records", "[Record]", NULL, 0, NULL, depth);
    return 0;
}

static const char *codec_text(int codec)
{
    return codec <= KW_CODEC_ZSTD ? kw_codec_name(codec) : "unknown";
}

/* The CRC field with its verdict (and a NOTE on mismatch). */
static int f_crc(ann_ctx *a, const uint8_t *p, uint32_t stored, uint32_t computed, const char *type, int depth)
{
    if (stored == computed) snprintf(a->val, sizeof a->val, "valid");
    else snprintf(a->val, sizeof a->val, "MISMATCH (expected 0x%08" PRIx32 ", computed 0x%08" PRIx32 ")",
                  stored, computed);
    EMIT(a, KW_ANN_FIELD, "crc", type, p, 4, a->val, depth);
    if (stored != computed) {
        snprintf(a->val, sizeof a->val, "CRC MISMATCH (expected 0x%08" PRIx32 ", computed 0x%08" PRIx32 ")",
                 stored, computed);
        EMIT(a, KW_ANN_NOTE, "crc", type, p, 4, a->val, depth);
    }
    return 0;
}

/* Decompress a compressed records region and annotate it in its own region. */
static int ann_compressed(ann_ctx *a, const char *name, const uint8_t *p, size_t len, int codec, int depth,
                          int (*inner)(ann_ctx *, const uint8_t *, size_t, int32_t, int), int32_t count)
{
    snprintf(a->val, sizeof a->val, "%s-compressed, %zu bytes", codec_text(codec), len);
    EMIT(a, KW_ANN_FIELD, name, "compressed", p, len, a->val, depth);
    kw_buf d;
    kw_buf_init(&d);
    int rc = kw_decompress(codec, p, len, &d, KW_DECOMPRESS_MAX_DEFAULT);
    if (rc) { kw_buf_free(&d); return ann_error(a, p + len, depth, rc, "cannot decompress the records"); }
    const uint8_t *saved = a->base;
    const uint8_t *dp = d.data ? d.data : p; /* an empty output may have no buffer */
    snprintf(a->val, sizeof a->val, "decompressed %s, %zu bytes from %zu: compression ratio %.2f", codec_text(codec),
             d.len, len, len ? (double)d.len / (double)len : 0.0);
    a->base = dp;
    rc = emit(a, KW_ANN_REGION, name, "decompressed", dp, d.len, a->val, depth);
    if (!rc) rc = inner(a, dp, d.len, count, depth);
    if (!rc) rc = emit(a, KW_ANN_END_REGION, name, "decompressed", NULL, 0, NULL, depth);
    a->base = saved;
    kw_buf_free(&d);
    return rc;
}

static int ann_batch(ann_ctx *a, const uint8_t *p, size_t total, int depth)
{
    int rc, d = depth + 1;
    a->base_offset = (int64_t)kw_ld64(p);
    a->base_ts = (int64_t)kw_ld64(p + 27);
    if ((rc = f_int(a, p + 0, 8, "baseOffset", d))) return rc;
    if ((rc = f_int(a, p + 8, 4, "batchLength", d))) return rc;
    if ((rc = f_int(a, p + 12, 4, "partitionLeaderEpoch", d))) return rc;
    if ((rc = f_int(a, p + 16, 1, "magic", d))) return rc;
    uint32_t crc = kw_ld32(p + 17);
    uint32_t calc = kw_crc32c(0, p + KW_BATCH_ATTR_OFFSET, total - KW_BATCH_ATTR_OFFSET);
    if ((rc = f_crc(a, p + 17, crc, calc, "uint32", d))) return rc;
    int attr = (int16_t)kw_ld16(p + 21);
    int codec = attr & KW_ATTR_CODEC_MASK;
    snprintf(a->val, sizeof a->val, "%d", attr);
    EMIT(a, KW_ANN_FIELD, "attributes", "int16", p + 21, 2, a->val, d);
    snprintf(a->val, sizeof a->val, "%d (%s)", codec, codec_text(codec));
    EMIT(a, KW_ANN_FIELD, "compression", "bits 0-2", p + 21, 2, a->val, d + 1);
    EMIT(a, KW_ANN_FIELD, "timestampType", "bit 3", p + 21, 2,
         attr & KW_ATTR_LOG_APPEND_TIME ? "LogAppendTime" : "CreateTime", d + 1);
    EMIT(a, KW_ANN_FIELD, "isTransactional", "bit 4", p + 21, 2, attr & KW_ATTR_TRANSACTIONAL ? "true" : "false", d + 1);
    EMIT(a, KW_ANN_FIELD, "isControlBatch", "bit 5", p + 21, 2, attr & KW_ATTR_CONTROL ? "true" : "false", d + 1);
    EMIT(a, KW_ANN_FIELD, "hasDeleteHorizonMs", "bit 6", p + 21, 2, attr & KW_ATTR_DELETE_HORIZON ? "true" : "false", d + 1);
    if ((rc = f_int(a, p + 23, 4, "lastOffsetDelta", d))) return rc;
    if ((rc = f_int(a, p + 27, 8, "baseTimestamp", d))) return rc;
    if ((rc = f_int(a, p + 35, 8, "maxTimestamp", d))) return rc;
    if ((rc = f_int(a, p + 43, 8, "producerId", d))) return rc;
    if ((rc = f_int(a, p + 51, 2, "producerEpoch", d))) return rc;
    if ((rc = f_int(a, p + 53, 4, "baseSequence", d))) return rc;
    if ((rc = f_int(a, p + 57, 4, "recordsCount", d))) return rc;
    int32_t count = (int32_t)kw_ld32(p + 57);
    if (count < 0) return ann_error(a, p + 57, d, KW_ERR_CORRUPT, "negative record count");
    const uint8_t *recs = p + KW_BATCH_HEADER_SIZE;
    size_t rlen = total - KW_BATCH_HEADER_SIZE;
    if (codec > KW_CODEC_ZSTD) return ann_error(a, recs, d, KW_ERR_UNSUPPORTED, "unknown compression codec");
    if (codec == KW_CODEC_NONE || rlen == 0) return ann_records(a, recs, rlen, count, d);
    return ann_compressed(a, "records", recs, rlen, codec, d, ann_records, count);
}

static int ann_set(ann_ctx *a, const uint8_t *p, size_t len, int32_t nested, int depth);

/* Adapter: annotate a wrapper's inner message set (count unused). */
static int ann_inner_set(ann_ctx *a, const uint8_t *p, size_t len, int32_t count, int depth)
{
    (void)count;
    int rc;
    EMIT(a, KW_ANN_ENTER, "messages", "MessageSet", p, len, NULL, depth);
    if ((rc = ann_set(a, p, len, 1, depth + 1))) return rc;
    return emit(a, KW_ANN_LEAVE, "messages", "MessageSet", NULL, 0, NULL, depth);
}

static int ann_legacy(ann_ctx *a, const uint8_t *p, size_t total, int nested, int depth)
{
    int rc, d = depth + 1;
    int32_t size = (int32_t)kw_ld32(p + 8);
    int magic = (int8_t)p[16];
    if ((rc = f_int(a, p + 0, 8, "offset", d))) return rc;
    if ((rc = f_int(a, p + 8, 4, "messageSize", d))) return rc;
    uint32_t calc = (uint32_t)crc32(0L, p + 16, (uInt)(total - 16));
    if ((rc = f_crc(a, p + 12, kw_ld32(p + 12), calc, "uint32 (CRC-32)", d))) return rc;
    if ((rc = f_int(a, p + 16, 1, "magic", d))) return rc;
    int attr = (int8_t)p[17];
    int codec = attr & KW_ATTR_CODEC_MASK;
    snprintf(a->val, sizeof a->val, "%d", attr);
    EMIT(a, KW_ANN_FIELD, "attributes", "int8", p + 17, 1, a->val, d);
    snprintf(a->val, sizeof a->val, "%d (%s)", codec, codec_text(codec));
    EMIT(a, KW_ANN_FIELD, "compression", "bits 0-2", p + 17, 1, a->val, d + 1);
    size_t o = 18;
    if (magic == 1) {
        EMIT(a, KW_ANN_FIELD, "timestampType", "bit 3", p + 17, 1,
             attr & KW_ATTR_LOG_APPEND_TIME ? "LogAppendTime" : "CreateTime", d + 1);
        if (size < 22) return ann_error(a, p + 18, d, KW_ERR_CORRUPT, "message too short for magic 1");
        if ((rc = f_int(a, p + 18, 8, "timestamp", d))) return rc;
        o = 26;
    }
    int32_t kl = (int32_t)kw_ld32(p + o);
    if ((rc = f_int(a, p + o, 4, "keyLength", d))) return rc;
    o += 4;
    if (kl < -1 || (kl > 0 && (size_t)kl > total - o - 4))
        return ann_error(a, p + o, d, KW_ERR_CORRUPT, "key length out of bounds");
    render_bytes(a->val, sizeof a->val, kl >= 0 ? p + o : NULL, kl);
    EMIT(a, KW_ANN_FIELD, "key", "bytes", p + o, kl > 0 ? (size_t)kl : 0, a->val, d);
    if (kl > 0) o += (size_t)kl;
    int32_t vl = (int32_t)kw_ld32(p + o);
    if ((rc = f_int(a, p + o, 4, "valueLength", d))) return rc;
    o += 4;
    if (vl < -1 || (vl >= 0 && (size_t)vl != total - o) || (vl == -1 && o != total))
        return ann_error(a, p + o, d, KW_ERR_CORRUPT, "value length disagrees with messageSize");
    if (codec != KW_CODEC_NONE && vl >= 0 && !nested) {
        if (codec > KW_CODEC_LZ4)
            return ann_error(a, p + o, d, KW_ERR_UNSUPPORTED, "codec not allowed in a legacy message");
        return ann_compressed(a, "value", p + o, (size_t)vl, codec, d, ann_inner_set, 0);
    }
    render_bytes(a->val, sizeof a->val, vl >= 0 ? p + o : NULL, vl);
    return emit(a, KW_ANN_FIELD, "value", "bytes", p + o, vl > 0 ? (size_t)vl : 0, a->val, d);
}

/* Walk the entries of p[0..len) in the current region. */
static int ann_set(ann_ctx *a, const uint8_t *p, size_t len, int32_t nested, int depth)
{
    char nm[24];
    size_t off = 0;
    int rc;
    for (int32_t i = 0; off < len; i++) {
        const uint8_t *e = p + off;
        size_t left = len - off;
        size_t total = 0;
        if (left >= 12) total = (size_t)(uint32_t)kw_ld32(e + 8) + 12;
        if (left < 17 || total > left) {
            if (left >= 12) snprintf(a->val, sizeof a->val, "partial entry: %zu of %zu bytes, skipped", left, total);
            else snprintf(a->val, sizeof a->val, "partial entry: %zu bytes, skipped", left);
            return emit(a, KW_ANN_FIELD, "partialEntry", "bytes", e, left, a->val, depth);
        }
        int magic = (int8_t)e[16];
        snprintf(nm, sizeof nm, "[%" PRId32 "]", i);
        if (magic == 2 && !nested) {
            if (total < KW_BATCH_HEADER_SIZE)
                return ann_error(a, e + 8, depth, KW_ERR_CORRUPT, "batchLength smaller than a batch header");
            EMIT(a, KW_ANN_ENTER, nm, "RecordBatch", e, total, NULL, depth);
            if ((rc = ann_batch(a, e, total, depth))) return rc;
            EMIT(a, KW_ANN_LEAVE, nm, "RecordBatch", NULL, 0, NULL, depth);
        } else if (magic == 0 || magic == 1) {
            if (total < 12 + 14) return ann_error(a, e + 8, depth, KW_ERR_CORRUPT, "messageSize too small");
            EMIT(a, KW_ANN_ENTER, nm, "Message", e, total, NULL, depth);
            if ((rc = ann_legacy(a, e, total, nested, depth))) return rc;
            EMIT(a, KW_ANN_LEAVE, nm, "Message", NULL, 0, NULL, depth);
        } else {
            return ann_error(a, e + 16, depth, KW_ERR_CORRUPT, "unknown magic byte");
        }
        off += total;
    }
    return 0;
}

int kw_records_annotate(const uint8_t *p, size_t len, int depth, kw_ann_cb cb, void *ud)
{
    ann_ctx a;
    if (!cb || (!p && len)) return KW_ERR_INVALID_ARG;
    a.cb = cb;
    a.ud = ud;
    a.base = p;
    a.base_offset = 0;
    a.base_ts = -1;
    a.zigzag_noted = 0;
    a.val[0] = 0;
    return ann_set(&a, p, len, 0, depth);
}
