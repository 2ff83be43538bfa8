/*
 * tests/test_batch.c — codec/batch_write.c, batch_read.c, batch_annot.c: record batch
 * v2 writer and reader round trips (every codec, 1/100/10,000 records, keys, headers,
 * null and empty fields), the byte budget, idempotence fields, a hand-built byte-exact
 * batch, every error path (truncation at every byte, CRC, record count, overlong
 * varints, unknown codecs, decompression bombs) and the annotation stream.
 *
 * Truncation policy checked here: a record set whose last batch is cut short (its
 * batchLength announces more bytes than are present) gives KW_ERR_INCOMPLETE at every
 * cut; a batch whose batchLength and CRC agree with the cut bytes (so the damage is
 * inside the batch) gives KW_ERR_CORRUPT or KW_ERR_VARINT from kw_batch_next() or the
 * record iterator — never success and never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/batch.h"
#include "codec/compress.h"
#include "codec/crc32c.h"

/* ---- helpers ---- */

/* Bitwise CRC-32C, independent of codec/crc32c.c. */
static uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
    }
    return ~c;
}

static void fix_crc(uint8_t *b, size_t len)
{
    kw_be32(b + KW_BATCH_CRC_OFFSET, crc32c_bitwise(b + KW_BATCH_ATTR_OFFSET, len - KW_BATCH_ATTR_OFFSET));
}

static const kw_batch_reader_opts CHECK = {1, 0};

/* Record contents generated from an index and a variant. */
enum { V_FULL, V_NOKEY_NOHDR, V_EMPTY_VALUE, V_NULL_VALUE, V_COUNT };

typedef struct gen {
    char key[32], val[160], hk[2][16], hv[2][16];
    kw_header hdr[2];
    kw_record rec;
} gen;

static void gen_record(gen *g, int i, int variant)
{
    memset(&g->rec, 0, sizeof g->rec);
    g->rec.timestamp = 1700000000000LL + i * 3 - (i % 7);
    int kl = snprintf(g->key, sizeof g->key, "key-%d", i);
    int vl = snprintf(g->val, sizeof g->val, "value %d %.*s", i, i % 90, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
    g->rec.key = (const uint8_t *)g->key; g->rec.key_len = kl;
    g->rec.value = (const uint8_t *)g->val; g->rec.value_len = vl;
    g->rec.header_count = 0;
    if (variant == V_FULL) {
        int nh = i % 3;
        for (int h = 0; h < nh; h++) {
            int hkl = snprintf(g->hk[h], sizeof g->hk[h], "h%d", h);
            int hvl = snprintf(g->hv[h], sizeof g->hv[h], "v%d-%d", h, i);
            g->hdr[h].key = (const uint8_t *)g->hk[h]; g->hdr[h].key_len = hkl;
            g->hdr[h].value = (const uint8_t *)g->hv[h]; g->hdr[h].value_len = (i % 5 == 0 && h == 1) ? -1 : hvl;
            if (g->hdr[h].value_len < 0) g->hdr[h].value = NULL;
        }
        g->rec.headers = g->hdr; g->rec.header_count = nh;
    } else if (variant == V_NOKEY_NOHDR) {
        g->rec.key = NULL; g->rec.key_len = -1;
    } else if (variant == V_EMPTY_VALUE) {
        g->rec.value_len = 0;
        if (i % 2) { g->rec.key_len = 0; }
    } else {
        g->rec.value = NULL; g->rec.value_len = -1;
        if (i % 2) { g->rec.key = NULL; g->rec.key_len = -1; }
    }
}

static void assert_slice(const uint8_t *p, int32_t len, const uint8_t *want, int32_t want_len)
{
    assert_int_equal(len, want_len);
    if (want_len < 0) { assert_null(p); return; }
    assert_non_null(p);
    if (want_len > 0) assert_memory_equal(p, want, (size_t)want_len);
}

/* Write one batch of n records of a variant into out. */
static void write_batch(kw_buf *out, const kw_batch_opts *o, int n, int variant)
{
    kw_batch_writer w;
    assert_int_equal(kw_batch_begin(&w, out, o), 0);
    gen g;
    for (int i = 0; i < n; i++) {
        gen_record(&g, i, variant);
        assert_int_equal(kw_batch_append(&w, &g.rec), 0);
    }
    assert_int_equal(w.count, n);
    assert_int_equal(kw_batch_seal(&w), 0);
    kw_batch_writer_free(&w);
}

/* Read the next batch and check every record against the generator. */
static void check_batch(kw_rd *in, kw_buf *scratch, const kw_batch_opts *o, int n, int variant)
{
    kw_batch b;
    assert_int_equal(kw_batch_next(in, &b, scratch, &CHECK), 1);
    assert_int_equal(b.magic, 2);
    assert_true(b.crc == b.crc_computed);
    assert_true(b.base_offset == o->base_offset);
    assert_int_equal(b.leader_epoch, o->leader_epoch);
    assert_int_equal(b.attributes & KW_ATTR_CODEC_MASK, o->codec);
    assert_int_equal(b.compressed, o->codec != KW_CODEC_NONE);
    assert_int_equal(b.record_count, n);
    assert_int_equal(b.last_offset_delta, n - 1);
    assert_true(b.producer_id == o->producer_id);
    assert_int_equal(b.producer_epoch, o->producer_epoch);
    assert_int_equal(b.base_sequence, o->base_sequence);
    assert_int_equal(b.batch_length + 12, (int32_t)b.raw_len);
    if (o->codec == KW_CODEC_NONE) assert_ptr_equal(b.records, b.raw + KW_BATCH_HEADER_SIZE);
    int64_t maxts = INT64_MIN;
    kw_record_iter it;
    kw_record_iter_init(&it, &b);
    kw_record r;
    gen g;
    for (int i = 0; i < n; i++) {
        gen_record(&g, i, variant);
        if (i == 0) assert_true(b.base_timestamp == g.rec.timestamp);
        if (g.rec.timestamp > maxts) maxts = g.rec.timestamp;
        assert_int_equal(kw_record_iter_next(&it, &r), 1);
        assert_true(r.offset == o->base_offset + i);
        assert_true(r.timestamp == g.rec.timestamp);
        assert_int_equal(r.attributes, 0);
        assert_slice(r.key, r.key_len, g.rec.key, g.rec.key_len);
        assert_slice(r.value, r.value_len, g.rec.value, g.rec.value_len);
        assert_int_equal(r.header_count, g.rec.header_count);
        kw_rd hr;
        kw_rd_init(&hr, r.hdr_data, r.hdr_len);
        kw_header h;
        for (int k = 0; k < g.rec.header_count; k++) {
            assert_int_equal(kw_record_header_next(&hr, &h), 1);
            assert_slice(h.key, h.key_len, g.hdr[k].key, g.hdr[k].key_len);
            assert_slice(h.value, h.value_len, g.hdr[k].value, g.hdr[k].value_len);
        }
        assert_int_equal(kw_record_header_next(&hr, &h), 0);
    }
    assert_int_equal(kw_record_iter_next(&it, &r), 0);
    assert_true(b.max_timestamp == maxts);
}

/* ---- the hand-built vector ---- */

/*
 * Batch: baseOffset 0, leader epoch -1, no compression, CreateTime, no producer,
 * two records at 1700000000000 and +5 ms:
 *   [0] key "k1", value "hello", no headers
 *   [1] null key, value "wo", header "h" = "v"
 */
static size_t build_vector(uint8_t *v)
{
    static const uint8_t rec0[] = {
        0x1a,             /* length 13 (zigzag 26) */
        0x00,             /* attributes */
        0x00,             /* timestampDelta 0 */
        0x00,             /* offsetDelta 0 */
        0x04, 'k', '1',   /* keyLength 2, key */
        0x0a, 'h', 'e', 'l', 'l', 'o', /* valueLength 5, value */
        0x00,             /* headersCount 0 */
    };
    static const uint8_t rec1[] = {
        0x18,             /* length 12 (zigzag 24) */
        0x00,             /* attributes */
        0x0a,             /* timestampDelta 5 */
        0x02,             /* offsetDelta 1 */
        0x01,             /* keyLength -1: null */
        0x04, 'w', 'o',   /* valueLength 2, value */
        0x02,             /* headersCount 1 */
        0x02, 'h',        /* headerKeyLength 1, key */
        0x02, 'v',        /* headerValueLength 1, value */
    };
    const uint64_t ts = 1700000000000ULL;
    size_t n = 0;
    memset(v, 0, 8); n += 8;                                /* baseOffset 0 */
    size_t bl_at = n; n += 4;                               /* batchLength, below */
    memset(v + n, 0xff, 4); n += 4;                         /* partitionLeaderEpoch -1 */
    v[n++] = 2;                                             /* magic */
    size_t crc_at = n; n += 4;                              /* crc, below */
    v[n++] = 0; v[n++] = 0;                                 /* attributes */
    v[n++] = 0; v[n++] = 0; v[n++] = 0; v[n++] = 1;         /* lastOffsetDelta 1 */
    for (int i = 7; i >= 0; i--) v[n++] = (uint8_t)(ts >> (8 * i));       /* baseTimestamp */
    for (int i = 7; i >= 0; i--) v[n++] = (uint8_t)((ts + 5) >> (8 * i)); /* maxTimestamp */
    memset(v + n, 0xff, 8); n += 8;                         /* producerId -1 */
    v[n++] = 0xff; v[n++] = 0xff;                           /* producerEpoch -1 */
    memset(v + n, 0xff, 4); n += 4;                         /* baseSequence -1 */
    v[n++] = 0; v[n++] = 0; v[n++] = 0; v[n++] = 2;         /* recordsCount 2 */
    assert_int_equal(n, 61);
    memcpy(v + n, rec0, sizeof rec0); n += sizeof rec0;
    memcpy(v + n, rec1, sizeof rec1); n += sizeof rec1;
    uint32_t bl = (uint32_t)(n - 12);
    v[bl_at] = (uint8_t)(bl >> 24); v[bl_at + 1] = (uint8_t)(bl >> 16); v[bl_at + 2] = (uint8_t)(bl >> 8); v[bl_at + 3] = (uint8_t)bl;
    uint32_t crc = crc32c_bitwise(v + 21, n - 21);
    v[crc_at] = (uint8_t)(crc >> 24); v[crc_at + 1] = (uint8_t)(crc >> 16); v[crc_at + 2] = (uint8_t)(crc >> 8); v[crc_at + 3] = (uint8_t)crc;
    return n;
}

static void write_vector_batch(kw_buf *out)
{
    kw_batch_opts o;
    kw_batch_opts_default(&o);
    kw_batch_writer w;
    assert_int_equal(kw_batch_begin(&w, out, &o), 0);
    kw_header h = {(const uint8_t *)"h", 1, (const uint8_t *)"v", 1};
    kw_record r0 = {.timestamp = 1700000000000LL, .key = (const uint8_t *)"k1", .key_len = 2,
                    .value = (const uint8_t *)"hello", .value_len = 5};
    kw_record r1 = {.timestamp = 1700000000005LL, .key = NULL, .key_len = -1,
                    .value = (const uint8_t *)"wo", .value_len = 2, .headers = &h, .header_count = 1};
    assert_int_equal(kw_batch_append(&w, &r0), 0);
    assert_int_equal(kw_batch_append(&w, &r1), 0);
    assert_int_equal(kw_batch_seal(&w), 0);
    kw_batch_writer_free(&w);
}

static void test_hand_built_vector(void **st)
{
    (void)st;
    uint8_t want[128];
    size_t n = build_vector(want);
    assert_int_equal(n, 61 + 14 + 13);
    kw_buf out; kw_buf_init(&out);
    write_vector_batch(&out);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, want, n);
    /* the library CRC agrees with the bitwise one */
    assert_true(kw_crc32c(0, want + 21, n - 21) == kw_ld32(want + 17));
    assert_true(kw_crc32c(0, "123456789", 9) == 0xE3069283u);
    /* and the reader decodes the hand-built bytes */
    kw_rd in; kw_rd_init(&in, want, n);
    kw_batch b; kw_buf scratch; kw_buf_init(&scratch);
    assert_int_equal(kw_batch_next(&in, &b, &scratch, &CHECK), 1);
    assert_int_equal(b.record_count, 2);
    assert_true(b.base_timestamp == 1700000000000LL);
    assert_true(b.max_timestamp == 1700000000005LL);
    kw_record_iter it; kw_record_iter_init(&it, &b);
    kw_record r;
    assert_int_equal(kw_record_iter_next(&it, &r), 1);
    assert_true(r.offset == 0 && r.timestamp == 1700000000000LL);
    assert_slice(r.key, r.key_len, (const uint8_t *)"k1", 2);
    assert_slice(r.value, r.value_len, (const uint8_t *)"hello", 5);
    assert_int_equal(r.header_count, 0);
    assert_int_equal(r.hdr_len, 0);
    assert_int_equal(kw_record_iter_next(&it, &r), 1);
    assert_true(r.offset == 1 && r.timestamp == 1700000000005LL);
    assert_null(r.key); assert_int_equal(r.key_len, -1);
    assert_slice(r.value, r.value_len, (const uint8_t *)"wo", 2);
    assert_int_equal(r.header_count, 1);
    kw_rd hr; kw_rd_init(&hr, r.hdr_data, r.hdr_len);
    kw_header h;
    assert_int_equal(kw_record_header_next(&hr, &h), 1);
    assert_slice(h.key, h.key_len, (const uint8_t *)"h", 1);
    assert_slice(h.value, h.value_len, (const uint8_t *)"v", 1);
    assert_int_equal(kw_record_header_next(&hr, &h), 0);
    assert_int_equal(kw_record_iter_next(&it, &r), 0);
    assert_int_equal(kw_batch_next(&in, &b, &scratch, &CHECK), 0);
    kw_buf_free(&scratch);
    kw_buf_free(&out);
}

/* ---- round trips ---- */

static void roundtrip(int codec, int n)
{
    kw_buf out, scratch;
    kw_buf_init(&out); kw_buf_init(&scratch);
    kw_batch_opts o;
    kw_batch_opts_default(&o);
    o.codec = codec;
    o.base_offset = 1000 * codec + n;
    o.leader_epoch = 7;
    for (int v = 0; v < V_COUNT; v++) write_batch(&out, &o, n, v);
    kw_rd in; kw_rd_init(&in, out.data, out.len);
    for (int v = 0; v < V_COUNT; v++) check_batch(&in, &scratch, &o, n, v);
    kw_batch b;
    assert_int_equal(kw_batch_next(&in, &b, &scratch, &CHECK), 0);
    kw_buf_free(&out); kw_buf_free(&scratch);
}

static void test_roundtrip_none(void **st) { (void)st; roundtrip(KW_CODEC_NONE, 1); roundtrip(KW_CODEC_NONE, 100); roundtrip(KW_CODEC_NONE, 10000); }
static void test_roundtrip_gzip(void **st) { (void)st; roundtrip(KW_CODEC_GZIP, 1); roundtrip(KW_CODEC_GZIP, 100); roundtrip(KW_CODEC_GZIP, 10000); }
static void test_roundtrip_snappy(void **st) { (void)st; roundtrip(KW_CODEC_SNAPPY, 1); roundtrip(KW_CODEC_SNAPPY, 100); roundtrip(KW_CODEC_SNAPPY, 10000); }
static void test_roundtrip_lz4(void **st) { (void)st; roundtrip(KW_CODEC_LZ4, 1); roundtrip(KW_CODEC_LZ4, 100); roundtrip(KW_CODEC_LZ4, 10000); }
static void test_roundtrip_zstd(void **st) { (void)st; roundtrip(KW_CODEC_ZSTD, 1); roundtrip(KW_CODEC_ZSTD, 100); roundtrip(KW_CODEC_ZSTD, 10000); }

/* Compression makes a batch smaller, and the header stays uncompressed. */
static void test_compressed_layout(void **st)
{
    (void)st;
    for (int codec = 1; codec <= 4; codec++) {
        kw_buf plain, comp; kw_buf_init(&plain); kw_buf_init(&comp);
        kw_batch_opts o; kw_batch_opts_default(&o);
        write_batch(&plain, &o, 1000, V_FULL);
        o.codec = codec;
        write_batch(&comp, &o, 1000, V_FULL);
        assert_true(comp.len < plain.len / 2);
        assert_int_equal(kw_ld32(comp.data + 8), comp.len - 12);
        assert_int_equal(kw_ld16(comp.data + 21), codec);
        /* header fields other than length/crc/attributes are the same */
        assert_memory_equal(plain.data + 23, comp.data + 23, 61 - 23);
        kw_buf_free(&plain); kw_buf_free(&comp);
    }
}

/* A record set of several batches; the writer appends after existing bytes. */
static void test_multiple_batches_and_prefix(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    kw_buf_put(&out, "prefix", 6);
    kw_batch_opts o; kw_batch_opts_default(&o);
    o.base_offset = 10; write_batch(&out, &o, 3, V_FULL);
    o.base_offset = 13; o.codec = KW_CODEC_ZSTD; write_batch(&out, &o, 5, V_NULL_VALUE);
    assert_memory_equal(out.data, "prefix", 6);
    kw_rd in; kw_rd_init(&in, out.data + 6, out.len - 6);
    kw_buf scratch; kw_buf_init(&scratch);
    o.codec = KW_CODEC_NONE; o.base_offset = 10; check_batch(&in, &scratch, &o, 3, V_FULL);
    o.codec = KW_CODEC_ZSTD; o.base_offset = 13; check_batch(&in, &scratch, &o, 5, V_NULL_VALUE);
    kw_batch b;
    assert_int_equal(kw_batch_next(&in, &b, &scratch, &CHECK), 0);
    kw_buf_free(&scratch); kw_buf_free(&out);
}

/* ---- writer contract ---- */

static void test_max_bytes_budget(void **st)
{
    (void)st;
    uint8_t val[100];
    memset(val, 'x', sizeof val);
    kw_record r = {.timestamp = 5, .key = NULL, .key_len = -1, .value = val, .value_len = 100};
    kw_buf out; kw_buf_init(&out);
    kw_batch_opts o; kw_batch_opts_default(&o);
    o.max_bytes = 1000;
    kw_batch_writer w;
    assert_int_equal(kw_batch_begin(&w, &out, &o), 0);
    assert_int_equal(out.len, KW_BATCH_HEADER_SIZE);
    int n = 0, rc;
    for (;;) {
        size_t before = out.len;
        size_t with = kw_batch_size_with(&w, &r);
        rc = kw_batch_append(&w, &r);
        if (rc) {
            assert_int_equal(rc, KW_ERR_TOO_LARGE);
            assert_true(with > 1000);
            assert_int_equal(out.len, before); /* batch unchanged */
            break;
        }
        assert_int_equal(out.len, with);
        assert_true(out.len <= 1000);
        n++;
    }
    /* each record: length 2 + attributes 1 + timestampDelta 1 + offsetDelta 1 + keyLength 1
     * + valueLength 2 + value 100 + headersCount 1 = 109 bytes: (1000 - 61) / 109 = 8 */
    assert_int_equal(n, 8);
    assert_int_equal(w.count, 8);
    assert_int_equal(kw_batch_seal(&w), 0);
    assert_int_equal(kw_batch_append(&w, &r), KW_ERR_STATE);
    assert_int_equal(kw_batch_seal(&w), KW_ERR_STATE);
    kw_batch_writer_free(&w);

    /* the first record is always taken, whatever the budget */
    out.len = 0;
    o.max_bytes = 10;
    assert_int_equal(kw_batch_begin(&w, &out, &o), 0);
    assert_int_equal(kw_batch_append(&w, &r), 0);
    assert_int_equal(kw_batch_append(&w, &r), KW_ERR_TOO_LARGE);
    assert_int_equal(kw_batch_seal(&w), 0);
    kw_rd in; kw_rd_init(&in, out.data, out.len);
    kw_batch b;
    assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), 1);
    assert_int_equal(b.record_count, 1);
    kw_batch_writer_free(&w);
    kw_buf_free(&out);
}

static void test_invalid_records(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    kw_batch_writer w;
    assert_int_equal(kw_batch_begin(&w, &out, NULL), 0);
    kw_record r = {.key_len = -2, .value_len = 0, .value = (const uint8_t *)""};
    assert_int_equal(kw_batch_append(&w, &r), KW_ERR_INVALID_ARG);
    r.key_len = 3; r.key = NULL;
    assert_int_equal(kw_batch_append(&w, &r), KW_ERR_INVALID_ARG);
    kw_header h = {NULL, -1, NULL, -1};
    r.key_len = -1; r.headers = &h; r.header_count = 1;
    assert_int_equal(kw_batch_append(&w, &r), KW_ERR_INVALID_ARG); /* null header key */
    assert_int_equal(out.len, KW_BATCH_HEADER_SIZE);
    assert_int_equal(w.count, 0);
    kw_batch_opts o; kw_batch_opts_default(&o);
    o.codec = 5;
    kw_batch_writer w2;
    assert_int_equal(kw_batch_begin(&w2, &out, &o), KW_ERR_UNSUPPORTED);
    kw_batch_writer_free(&w2);
    kw_batch_writer_free(&w);
    kw_buf_free(&out);
}

static void test_idempotence_and_set_producer(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    kw_batch_opts o; kw_batch_opts_default(&o);
    o.producer_id = 4242; o.producer_epoch = 3; o.base_sequence = 17; o.transactional = 1;
    o.codec = KW_CODEC_LZ4;
    write_batch(&out, &o, 10, V_FULL);
    kw_buf scratch; kw_buf_init(&scratch);
    kw_rd in; kw_rd_init(&in, out.data, out.len);
    check_batch(&in, &scratch, &o, 10, V_FULL);
    kw_batch b;
    kw_rd_init(&in, out.data, out.len);
    assert_int_equal(kw_batch_next(&in, &b, &scratch, &CHECK), 1);
    assert_true(b.attributes & KW_ATTR_TRANSACTIONAL);
    assert_false(b.attributes & KW_ATTR_CONTROL);
    uint32_t old_crc = b.crc;

    kw_batch_set_producer(out.data, out.len, 0x0102030405060708LL, 9, 123456);
    kw_rd_init(&in, out.data, out.len);
    assert_int_equal(kw_batch_next(&in, &b, &scratch, &CHECK), 1); /* CRC redone */
    assert_true(b.producer_id == 0x0102030405060708LL);
    assert_int_equal(b.producer_epoch, 9);
    assert_int_equal(b.base_sequence, 123456);
    assert_true(b.crc != old_crc);
    assert_true(b.crc == crc32c_bitwise(out.data + 21, out.len - 21));
    o.producer_id = 0x0102030405060708LL; o.producer_epoch = 9; o.base_sequence = 123456;
    kw_rd_init(&in, out.data, out.len);
    check_batch(&in, &scratch, &o, 10, V_FULL);
    /* a buffer too short for a header is left alone */
    uint8_t tiny[20] = {0};
    kw_batch_set_producer(tiny, sizeof tiny, 1, 1, 1);
    for (size_t i = 0; i < sizeof tiny; i++) assert_int_equal(tiny[i], 0);
    kw_buf_free(&scratch); kw_buf_free(&out);
}

/* kw_batch_head_read gives the header fields kw_batch_next gives, without the records;
 * a legacy message reads as one record; short input is "not yet", a length too small
 * for a v2 header or negative is corrupt; control record keys give their type. */
static void test_head_read(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    kw_batch_opts o; kw_batch_opts_default(&o);
    o.producer_id = 77; o.producer_epoch = 2; o.base_sequence = 40; o.base_offset = 1000;
    o.codec = KW_CODEC_GZIP;
    write_batch(&out, &o, 10, V_FULL);
    kw_buf scratch; kw_buf_init(&scratch);
    kw_rd in; kw_rd_init(&in, out.data, out.len);
    kw_batch b;
    assert_int_equal(kw_batch_next(&in, &b, &scratch, &CHECK), 1);
    kw_batch_head h;
    assert_int_equal(kw_batch_head_read(out.data, out.len, &h), 1);
    assert_true(h.base_offset == b.base_offset && h.batch_length == b.batch_length && h.magic == 2);
    assert_int_equal(h.attributes, b.attributes);
    assert_int_equal(h.last_offset_delta, 9);
    assert_true(h.producer_id == 77 && h.producer_epoch == 2 && h.base_sequence == 40);
    assert_int_equal(h.record_count, 10);
    assert_int_equal(kw_batch_head_read(out.data, KW_BATCH_HEADER_SIZE - 1, &h), 0);
    assert_int_equal(kw_batch_head_read(out.data, 16, &h), 0);
    uint8_t bad[KW_BATCH_HEADER_SIZE];
    memcpy(bad, out.data, sizeof bad);
    kw_be32(bad + 8, 20); /* a v2 batch of 32 bytes cannot hold its header */
    assert_int_equal(kw_batch_head_read(bad, sizeof bad, &h), KW_ERR_CORRUPT);
    kw_be32(bad + 8, (uint32_t)-5);
    assert_int_equal(kw_batch_head_read(bad, sizeof bad, &h), KW_ERR_CORRUPT);
    kw_buf legacy; kw_buf_init(&legacy);
    assert_int_equal(kw_msgset_append(&legacy, 1, 5, 0, 1700000000000, "k", 1, "v", 1), 0);
    assert_int_equal(kw_batch_head_read(legacy.data, legacy.len, &h), 1);
    assert_true(h.base_offset == 5 && h.magic == 1 && h.record_count == 1 && h.producer_id == -1);
    assert_int_equal((size_t)h.batch_length + KW_BATCH_OVERHEAD_LEN, legacy.len);
    uint8_t commit[4] = {0, 0, 0, 1}, abort_[4] = {0, 0, 0, 0};
    kw_record r = {.key = commit, .key_len = 4};
    assert_int_equal(kw_control_type(&r), 1);
    r.key = abort_;
    assert_int_equal(kw_control_type(&r), 0);
    r.key_len = 3;
    assert_int_equal(kw_control_type(&r), -1);
    kw_buf_free(&legacy); kw_buf_free(&scratch); kw_buf_free(&out);
}

static void test_log_append_time(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    kw_batch_opts o; kw_batch_opts_default(&o);
    o.log_append_time = 1;
    write_batch(&out, &o, 5, V_FULL);
    kw_rd in; kw_rd_init(&in, out.data, out.len);
    kw_batch b;
    assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), 1);
    assert_true(b.attributes & KW_ATTR_LOG_APPEND_TIME);
    kw_record_iter it; kw_record_iter_init(&it, &b);
    kw_record r;
    int n = 0;
    while (kw_record_iter_next(&it, &r) == 1) { assert_true(r.timestamp == b.max_timestamp); n++; }
    assert_int_equal(n, 5);
    kw_buf_free(&out);
}

/* An empty sealed batch: recordsCount 0, lastOffsetDelta -1, no timestamps. */
static void test_empty_batch(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    kw_batch_opts o; kw_batch_opts_default(&o);
    o.codec = KW_CODEC_GZIP;
    kw_batch_writer w;
    assert_int_equal(kw_batch_begin(&w, &out, &o), 0);
    assert_int_equal(kw_batch_seal(&w), 0);
    kw_batch_writer_free(&w);
    assert_int_equal(out.len, KW_BATCH_HEADER_SIZE);
    kw_rd in; kw_rd_init(&in, out.data, out.len);
    kw_batch b; kw_buf scratch; kw_buf_init(&scratch);
    assert_int_equal(kw_batch_next(&in, &b, &scratch, &CHECK), 1);
    assert_int_equal(b.record_count, 0);
    assert_int_equal(b.last_offset_delta, -1);
    assert_true(b.base_timestamp == -1);
    kw_record_iter it; kw_record_iter_init(&it, &b);
    kw_record r;
    assert_int_equal(kw_record_iter_next(&it, &r), 0);
    kw_buf_free(&scratch); kw_buf_free(&out);
}

/* ---- reader error paths ---- */

/* Iterate every record; return the first non-1 result. */
static int iterate_all(const kw_batch *b, int32_t *seen)
{
    kw_record_iter it; kw_record_iter_init(&it, b);
    kw_record r;
    int rc;
    *seen = 0;
    while ((rc = kw_record_iter_next(&it, &r)) == 1) {
        kw_rd hr; kw_rd_init(&hr, r.hdr_data, r.hdr_len);
        kw_header h;
        int hrc;
        while ((hrc = kw_record_header_next(&hr, &h)) == 1) {}
        if (hrc) return hrc;
        (*seen)++;
    }
    return rc;
}

static void test_truncation_every_offset(void **st)
{
    (void)st;
    for (int codec = 0; codec <= 4; codec++) {
        kw_buf out; kw_buf_init(&out);
        kw_batch_opts o; kw_batch_opts_default(&o);
        o.codec = codec;
        write_batch(&out, &o, 4, V_FULL);
        kw_buf scratch; kw_buf_init(&scratch);
        /* cut at every byte: the set's last batch is partial -> INCOMPLETE, cursor stays */
        for (size_t cut = 0; cut < out.len; cut++) {
            uint8_t *copy = malloc(cut ? cut : 1);
            memcpy(copy, out.data, cut);
            kw_rd in; kw_rd_init(&in, copy, cut);
            kw_batch b;
            int rc = kw_batch_next(&in, &b, &scratch, &CHECK);
            assert_int_equal(rc, cut == 0 ? 0 : KW_ERR_INCOMPLETE);
            assert_int_equal(in.off, 0);
            free(copy);
        }
        /* the damage inside the batch (batchLength and CRC agree with the cut) -> CORRUPT/VARINT */
        if (codec == KW_CODEC_NONE) {
            for (size_t cut = KW_BATCH_HEADER_SIZE; cut < out.len; cut++) {
                uint8_t *copy = malloc(cut);
                memcpy(copy, out.data, cut);
                kw_be32(copy + 8, (uint32_t)(cut - 12));
                fix_crc(copy, cut);
                kw_rd in; kw_rd_init(&in, copy, cut);
                kw_batch b;
                int rc = kw_batch_next(&in, &b, &scratch, &CHECK);
                if (rc == 1) {
                    int32_t seen;
                    rc = iterate_all(&b, &seen);
                    assert_true(seen < 4);
                }
                assert_true(rc == KW_ERR_CORRUPT || rc == KW_ERR_VARINT);
                free(copy);
            }
        }
        kw_buf_free(&scratch); kw_buf_free(&out);
    }
}

/* A full batch then a partial one: the first reads, then INCOMPLETE without advancing. */
static void test_partial_last_batch(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    kw_batch_opts o; kw_batch_opts_default(&o);
    write_batch(&out, &o, 3, V_FULL);
    size_t first = out.len;
    write_batch(&out, &o, 3, V_FULL);
    kw_rd in; kw_rd_init(&in, out.data, out.len - 10);
    kw_batch b;
    assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), 1);
    assert_int_equal(in.off, first);
    assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), KW_ERR_INCOMPLETE);
    assert_int_equal(in.off, first);
    kw_buf_free(&out);
}

static void test_crc_mismatch(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    kw_batch_opts o; kw_batch_opts_default(&o);
    write_batch(&out, &o, 3, V_FULL);
    uint32_t good = kw_ld32(out.data + 17);
    out.data[out.len - 3] ^= 0x40; /* a flipped bit in the last record */
    uint32_t now = crc32c_bitwise(out.data + 21, out.len - 21);
    kw_rd in; kw_rd_init(&in, out.data, out.len);
    kw_batch b;
    assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), KW_ERR_CRC);
    assert_true(b.crc == good);
    assert_true(b.crc_computed == now);
    assert_int_equal(in.off, 0);
    /* a flipped CRC byte */
    out.data[out.len - 3] ^= 0x40;
    out.data[18] ^= 0xff;
    kw_rd_init(&in, out.data, out.len);
    assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), KW_ERR_CRC);
    assert_true(b.crc == (good ^ 0x00ff0000u));
    assert_true(b.crc_computed == good);
    /* without checking, the batch is returned with both values */
    kw_batch_reader_opts nocheck = {0, 0};
    kw_rd_init(&in, out.data, out.len);
    assert_int_equal(kw_batch_next(&in, &b, NULL, &nocheck), 1);
    assert_true(b.crc != b.crc_computed);
    kw_buf_free(&out);
}

static void test_record_count_wrong(void **st)
{
    (void)st;
    kw_buf scratch; kw_buf_init(&scratch);
    for (int codec = 0; codec <= 4; codec += 4) {
        for (int delta = -2; delta <= 2; delta++) {
            if (!delta) continue;
            kw_buf out; kw_buf_init(&out);
            kw_batch_opts o; kw_batch_opts_default(&o);
            o.codec = codec;
            write_batch(&out, &o, 5, V_FULL);
            kw_be32(out.data + 57, (uint32_t)(5 + delta));
            fix_crc(out.data, out.len);
            kw_rd in; kw_rd_init(&in, out.data, out.len);
            kw_batch b;
            assert_int_equal(kw_batch_next(&in, &b, &scratch, &CHECK), 1);
            int32_t seen;
            assert_int_equal(iterate_all(&b, &seen), KW_ERR_CORRUPT);
            assert_int_equal(seen, delta < 0 ? 5 + delta : 5);
            kw_buf_free(&out);
        }
    }
    /* a count the bytes cannot hold, or negative, fails at the batch */
    kw_buf out; kw_buf_init(&out);
    kw_batch_opts o; kw_batch_opts_default(&o);
    write_batch(&out, &o, 5, V_FULL);
    int32_t bad[] = {1000000, INT32_MAX, -1};
    for (size_t i = 0; i < 3; i++) {
        kw_be32(out.data + 57, (uint32_t)bad[i]);
        fix_crc(out.data, out.len);
        kw_rd in; kw_rd_init(&in, out.data, out.len);
        kw_batch b;
        assert_int_equal(kw_batch_next(&in, &b, &scratch, &CHECK), KW_ERR_CORRUPT);
    }
    kw_buf_free(&out);
    kw_buf_free(&scratch);
}

/* Replace the byte at off (a one-byte varint in record [0]) with enc, fixing lengths/CRC. */
static size_t splice_varint(uint8_t *dst, const uint8_t *src, size_t len, size_t off,
                            const uint8_t *enc, size_t enc_len)
{
    memcpy(dst, src, off);
    memcpy(dst + off, enc, enc_len);
    memcpy(dst + off + enc_len, src + off + 1, len - off - 1);
    size_t n = len - 1 + enc_len;
    kw_be32(dst + 8, (uint32_t)(n - 12));
    dst[61] = (uint8_t)(dst[61] + 2 * (enc_len - 1)); /* record [0] length (zigzag, 1 byte) */
    fix_crc(dst, n);
    return n;
}

static void test_overlong_varints(void **st)
{
    (void)st;
    uint8_t v[128], w[160];
    size_t n = build_vector(v);
    kw_batch b;
    int32_t seen;
    /* timestampDelta (byte 63) as an 11-byte varlong: overlong */
    const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    size_t m = splice_varint(w, v, n, 63, eleven, sizeof eleven);
    kw_rd in; kw_rd_init(&in, w, m);
    assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), 1);
    assert_int_equal(iterate_all(&b, &seen), KW_ERR_VARINT);
    assert_int_equal(seen, 0);
    /* offsetDelta (byte 64) as a 6-byte varint */
    const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    m = splice_varint(w, v, n, 64, six, sizeof six);
    kw_rd_init(&in, w, m);
    assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), 1);
    assert_int_equal(iterate_all(&b, &seen), KW_ERR_VARINT);
    /* keyLength (byte 65) overflowing 32 bits in 5 bytes */
    const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0x1f};
    m = splice_varint(w, v, n, 65, over, sizeof over);
    kw_rd_init(&in, w, m);
    assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), 1);
    assert_int_equal(iterate_all(&b, &seen), KW_ERR_VARINT);
    /* a 2-byte (non-minimal but legal) offsetDelta 0 still decodes */
    const uint8_t two[] = {0x80, 0x00};
    m = splice_varint(w, v, n, 64, two, sizeof two);
    kw_rd_init(&in, w, m);
    assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), 1);
    assert_int_equal(iterate_all(&b, &seen), 0);
    assert_int_equal(seen, 2);
}

/* Field values out of bounds inside a record. */
static void test_record_field_bounds(void **st)
{
    (void)st;
    uint8_t v[128];
    size_t n = build_vector(v);
    kw_batch b;
    int32_t seen;
    struct { size_t off; uint8_t byte; int want; } cases[] = {
        {61, 0x7e, KW_ERR_CORRUPT},  /* record length 63: past the records */
        {61, 0x02, KW_ERR_CORRUPT},  /* record length 1: below the minimum */
        {65, 0x03, KW_ERR_CORRUPT},  /* keyLength -2 */
        {65, 0x40, KW_ERR_CORRUPT},  /* keyLength 32: past the record */
        {68, 0x0c, KW_ERR_CORRUPT},  /* valueLength 6: past the record */
        {74, 0x02, KW_ERR_CORRUPT},  /* headersCount 1: no header bytes */
        {74, 0x01, KW_ERR_CORRUPT},  /* headersCount -1 */
        {61 + 14 + 9, 0x01, KW_ERR_CORRUPT}, /* header key length -1 (null header key) */
        {61 + 14 + 11, 0x06, KW_ERR_CORRUPT}, /* header value length 3: past the record */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t w[128];
        memcpy(w, v, n);
        w[cases[i].off] = cases[i].byte;
        fix_crc(w, n);
        kw_rd in; kw_rd_init(&in, w, n);
        assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), 1);
        assert_int_equal(iterate_all(&b, &seen), cases[i].want);
    }
}

static void test_bad_header_fields(void **st)
{
    (void)st;
    uint8_t v[128], w[128];
    size_t n = build_vector(v);
    kw_batch b;
    kw_rd in;
    /* magic 0/1: not a v2 batch (kw_msgset_next reads those); other magics are corrupt */
    for (int magic = 0; magic < 5; magic++) {
        if (magic == 2) continue;
        memcpy(w, v, n); w[16] = (uint8_t)magic;
        kw_rd_init(&in, w, n);
        assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), magic < 2 ? KW_ERR_UNSUPPORTED : KW_ERR_CORRUPT);
        assert_int_equal(kw_records_magic(w, n), magic);
    }
    assert_int_equal(kw_records_magic(v, 16), KW_ERR_INCOMPLETE);
    /* the first entry's size from its length field, cut short or not */
    assert_int_equal(kw_records_first_len(v, n), n);
    assert_int_equal(kw_records_first_len(v, 20), n);
    assert_int_equal(kw_records_first_len(v, 11), 0);
    /* batchLength below the header, or negative */
    uint32_t bls[] = {48, 0, 0x80000000u, 0xffffffffu};
    for (size_t i = 0; i < 4; i++) {
        memcpy(w, v, n); kw_be32(w + 8, bls[i]);
        kw_rd_init(&in, w, n);
        assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), KW_ERR_CORRUPT);
    }
    /* unknown codecs 5, 6, 7 */
    for (int codec = 5; codec <= 7; codec++) {
        memcpy(w, v, n); w[22] = (uint8_t)codec; fix_crc(w, n);
        kw_rd_init(&in, w, n);
        kw_buf scratch; kw_buf_init(&scratch);
        assert_int_equal(kw_batch_next(&in, &b, &scratch, &CHECK), KW_ERR_UNSUPPORTED);
        assert_int_equal(in.off, 0);
        kw_buf_free(&scratch);
    }
    /* control batch flag is visible */
    memcpy(w, v, n); w[22] = KW_ATTR_CONTROL | KW_ATTR_TRANSACTIONAL; fix_crc(w, n);
    kw_rd_init(&in, w, n);
    assert_int_equal(kw_batch_next(&in, &b, NULL, &CHECK), 1);
    assert_true(b.attributes & KW_ATTR_CONTROL);
    assert_true(b.attributes & KW_ATTR_TRANSACTIONAL);
}

static void test_decompression_bomb_and_garbage(void **st)
{
    (void)st;
    /* 64 records of 32 KiB zeros: 2 MiB decompressed, a few KiB compressed */
    static uint8_t zeros[32768];
    kw_buf scratch; kw_buf_init(&scratch);
    for (int codec = 1; codec <= 4; codec++) {
        kw_buf out; kw_buf_init(&out);
        kw_batch_opts o; kw_batch_opts_default(&o);
        o.codec = codec;
        kw_batch_writer w;
        assert_int_equal(kw_batch_begin(&w, &out, &o), 0);
        kw_record r = {.key_len = -1, .value = zeros, .value_len = sizeof zeros};
        for (int i = 0; i < 64; i++) assert_int_equal(kw_batch_append(&w, &r), 0);
        assert_int_equal(kw_batch_seal(&w), 0);
        kw_batch_writer_free(&w);
        assert_true(out.len < 200000);
        kw_batch_reader_opts cap = {1, 1 << 20};
        kw_rd in; kw_rd_init(&in, out.data, out.len);
        kw_batch b;
        assert_int_equal(kw_batch_next(&in, &b, &scratch, &cap), KW_ERR_BOMB);
        assert_int_equal(in.off, 0);
        cap.max_decompressed = 4 << 20;
        assert_int_equal(kw_batch_next(&in, &b, &scratch, &cap), 1);
        int32_t seen;
        assert_int_equal(iterate_all(&b, &seen), 0);
        assert_int_equal(seen, 64);
        /* garbage in place of the compressed records */
        memset(out.data + 61, 0x5a, out.len - 61);
        fix_crc(out.data, out.len);
        kw_rd_init(&in, out.data, out.len);
        int rc = kw_batch_next(&in, &b, &scratch, &cap);
        assert_true(rc == KW_ERR_DECOMPRESS || rc == KW_ERR_BOMB);
        kw_buf_free(&out);
    }
    kw_buf_free(&scratch);
}

/* ---- annotation ---- */

typedef struct ev {
    kw_ann_kind kind;
    char name[32], type[32], value[160];
    size_t off, len;
    int depth;
} ev;

typedef struct evlog { ev e[512]; int n; const uint8_t *region; } evlog;

static int collect(void *ud, const kw_ann *a)
{
    evlog *l = ud;
    if (l->n >= 512) return 1;
    ev *e = &l->e[l->n++];
    e->kind = a->kind;
    snprintf(e->name, sizeof e->name, "%s", a->name ? a->name : "");
    snprintf(e->type, sizeof e->type, "%s", a->type ? a->type : "");
    snprintf(e->value, sizeof e->value, "%s", a->value ? a->value : "");
    e->off = a->off; e->len = a->len; e->depth = a->depth;
    return 0;
}

static const ev *find(const evlog *l, int from, kw_ann_kind kind, const char *name)
{
    for (int i = from; i < l->n; i++)
        if (l->e[i].kind == kind && !strcmp(l->e[i].name, name)) return &l->e[i];
    return NULL;
}

static void expect(const evlog *l, int i, kw_ann_kind kind, const char *name, size_t off, size_t len,
                   const char *value, int depth)
{
    assert_true(i < l->n);
    const ev *e = &l->e[i];
    assert_int_equal(e->kind, kind);
    assert_string_equal(e->name, name);
    assert_int_equal(e->off, off);
    assert_int_equal(e->len, len);
    if (value) assert_string_equal(e->value, value);
    assert_int_equal(e->depth, depth);
}

static void test_annotate_small_batch(void **st)
{
    (void)st;
    uint8_t v[128];
    size_t n = build_vector(v);
    static evlog l;
    memset(&l, 0, sizeof l);
    assert_int_equal(kw_records_annotate(v, n, 1, collect, &l), 0);
    int i = 0;
    expect(&l, i++, KW_ANN_ENTER, "[0]", 0, n, "", 1);
    expect(&l, i++, KW_ANN_FIELD, "baseOffset", 0, 8, "0", 2);
    expect(&l, i++, KW_ANN_FIELD, "batchLength", 8, 4, "76", 2);
    expect(&l, i++, KW_ANN_FIELD, "partitionLeaderEpoch", 12, 4, "-1", 2);
    expect(&l, i++, KW_ANN_FIELD, "magic", 16, 1, "2", 2);
    expect(&l, i++, KW_ANN_FIELD, "crc", 17, 4, "valid", 2);
    expect(&l, i++, KW_ANN_FIELD, "attributes", 21, 2, "0", 2);
    expect(&l, i++, KW_ANN_FIELD, "compression", 21, 2, "0 (none)", 3);
    expect(&l, i++, KW_ANN_FIELD, "timestampType", 21, 2, "CreateTime", 3);
    expect(&l, i++, KW_ANN_FIELD, "isTransactional", 21, 2, "false", 3);
    expect(&l, i++, KW_ANN_FIELD, "isControlBatch", 21, 2, "false", 3);
    expect(&l, i++, KW_ANN_FIELD, "hasDeleteHorizonMs", 21, 2, "false", 3);
    expect(&l, i++, KW_ANN_FIELD, "lastOffsetDelta", 23, 4, "1", 2);
    /* the teaching view: timestamps in ISO 8601 (UTC) beside the number */
    expect(&l, i++, KW_ANN_FIELD, "baseTimestamp", 27, 8, "1700000000000 (2023-11-14T22:13:20.000Z)", 2);
    expect(&l, i++, KW_ANN_FIELD, "maxTimestamp", 35, 8, "1700000000005 (2023-11-14T22:13:20.005Z)", 2);
    expect(&l, i++, KW_ANN_FIELD, "producerId", 43, 8, "-1", 2);
    expect(&l, i++, KW_ANN_FIELD, "producerEpoch", 51, 2, "-1", 2);
    expect(&l, i++, KW_ANN_FIELD, "baseSequence", 53, 4, "-1", 2);
    expect(&l, i++, KW_ANN_FIELD, "recordsCount", 57, 4, "2", 2);
    expect(&l, i++, KW_ANN_ENTER, "records", 61, 27, "", 2);
    expect(&l, i++, KW_ANN_ENTER, "[0]", 61, 14, "", 3);
    expect(&l, i++, KW_ANN_FIELD, "length", 61, 1, "13", 4);
    /* once per record set: how the varints are written */
    expect(&l, i, KW_ANN_NOTE, "length", 61, 1, NULL, 4);
    assert_non_null(strstr(l.e[i++].value, "zigzag"));
    expect(&l, i++, KW_ANN_FIELD, "attributes", 62, 1, "0", 4);
    /* each delta with the absolute value it gives */
    expect(&l, i++, KW_ANN_FIELD, "timestampDelta", 63, 1, "0 (timestamp 1700000000000, 2023-11-14T22:13:20.000Z)", 4);
    expect(&l, i++, KW_ANN_FIELD, "offsetDelta", 64, 1, "0 (offset 0)", 4);
    expect(&l, i++, KW_ANN_FIELD, "keyLength", 65, 1, "2", 4);
    expect(&l, i++, KW_ANN_FIELD, "key", 66, 2, "\"k1\"", 4);
    expect(&l, i++, KW_ANN_FIELD, "valueLength", 68, 1, "5", 4);
    expect(&l, i++, KW_ANN_FIELD, "value", 69, 5, "\"hello\"", 4);
    expect(&l, i++, KW_ANN_FIELD, "headersCount", 74, 1, "0", 4);
    expect(&l, i++, KW_ANN_ENTER, "headers", 75, 0, "", 4);
    expect(&l, i++, KW_ANN_LEAVE, "headers", 0, 0, "", 4);
    expect(&l, i++, KW_ANN_LEAVE, "[0]", 0, 0, "", 3);
    expect(&l, i++, KW_ANN_ENTER, "[1]", 75, 13, "", 3);
    expect(&l, i++, KW_ANN_FIELD, "length", 75, 1, "12", 4);
    expect(&l, i++, KW_ANN_FIELD, "attributes", 76, 1, "0", 4);
    expect(&l, i++, KW_ANN_FIELD, "timestampDelta", 77, 1, "5 (timestamp 1700000000005, 2023-11-14T22:13:20.005Z)", 4);
    expect(&l, i++, KW_ANN_FIELD, "offsetDelta", 78, 1, "1 (offset 1)", 4);
    expect(&l, i++, KW_ANN_FIELD, "keyLength", 79, 1, "-1", 4);
    expect(&l, i++, KW_ANN_FIELD, "key", 80, 0, "null", 4);
    expect(&l, i++, KW_ANN_FIELD, "valueLength", 80, 1, "2", 4);
    expect(&l, i++, KW_ANN_FIELD, "value", 81, 2, "\"wo\"", 4);
    expect(&l, i++, KW_ANN_FIELD, "headersCount", 83, 1, "1", 4);
    expect(&l, i++, KW_ANN_ENTER, "headers", 84, 4, "", 4);
    expect(&l, i++, KW_ANN_ENTER, "[0]", 84, 4, "", 5);
    expect(&l, i++, KW_ANN_FIELD, "headerKeyLength", 84, 1, "1", 6);
    expect(&l, i++, KW_ANN_FIELD, "headerKey", 85, 1, "\"h\"", 6);
    expect(&l, i++, KW_ANN_FIELD, "headerValueLength", 86, 1, "1", 6);
    expect(&l, i++, KW_ANN_FIELD, "headerValue", 87, 1, "\"v\"", 6);
    expect(&l, i++, KW_ANN_LEAVE, "[0]", 0, 0, "", 5);
    expect(&l, i++, KW_ANN_LEAVE, "headers", 0, 0, "", 4);
    expect(&l, i++, KW_ANN_LEAVE, "[1]", 0, 0, "", 3);
    expect(&l, i++, KW_ANN_LEAVE, "records", 0, 0, "", 2);
    expect(&l, i++, KW_ANN_LEAVE, "[0]", 0, 0, "", 1);
    assert_int_equal(l.n, i);

    /* CRC mismatch: the value and a NOTE say both numbers; the walk goes on */
    uint32_t good = kw_ld32(v + 17);
    v[17] ^= 0x80;
    memset(&l, 0, sizeof l);
    assert_int_equal(kw_records_annotate(v, n, 0, collect, &l), 0);
    const ev *crc = find(&l, 0, KW_ANN_FIELD, "crc");
    assert_non_null(crc);
    char want[128];
    snprintf(want, sizeof want, "MISMATCH (expected 0x%08x, computed 0x%08x)", good ^ 0x80000000u, good);
    assert_string_equal(crc->value, want);
    assert_non_null(find(&l, 0, KW_ANN_NOTE, "crc"));
    assert_non_null(find(&l, 0, KW_ANN_FIELD, "headerValue"));
    v[17] ^= 0x80;

    /* the callback's non-zero value stops the walk and is returned */
    memset(&l, 0, sizeof l);
    l.n = 510;
    assert_int_equal(kw_records_annotate(v, n, 0, collect, &l), 1);
}

static void test_annotate_values_and_errors(void **st)
{
    (void)st;
    static evlog l;
    /* long text is cut at 64 characters; binary is shown in hex */
    uint8_t text[200], bin[40];
    memset(text, 'a', sizeof text);
    for (size_t i = 0; i < sizeof bin; i++) bin[i] = (uint8_t)i;
    kw_buf out; kw_buf_init(&out);
    kw_batch_writer w;
    assert_int_equal(kw_batch_begin(&w, &out, NULL), 0);
    kw_record r = {.key = bin, .key_len = 3, .value = text, .value_len = 200};
    assert_int_equal(kw_batch_append(&w, &r), 0);
    r.key_len = 0; r.value = bin; r.value_len = 40;
    assert_int_equal(kw_batch_append(&w, &r), 0);
    assert_int_equal(kw_batch_seal(&w), 0);
    kw_batch_writer_free(&w);
    memset(&l, 0, sizeof l);
    assert_int_equal(kw_records_annotate(out.data, out.len, 0, collect, &l), 0);
    const ev *k = find(&l, 0, KW_ANN_FIELD, "key");
    assert_string_equal(k->value, "0x000102");
    const ev *val = find(&l, 0, KW_ANN_FIELD, "value");
    char want[160];
    snprintf(want, sizeof want, "\"%.64s\"... (200 bytes)", (const char *)text);
    assert_string_equal(val->value, want);
    assert_int_equal(val->len, 200);
    k = find(&l, (int)(k - l.e) + 1, KW_ANN_FIELD, "key");
    assert_string_equal(k->value, "\"\"");
    val = find(&l, (int)(val - l.e) + 1, KW_ANN_FIELD, "value");
    assert_string_equal(val->value, "0x000102030405060708090a0b0c0d0e0f1011121314151617... (40 bytes)");

    /* a partial trailing batch is shown and skipped, not an error */
    size_t whole = out.len;
    uint8_t head[30];
    memcpy(head, out.data, sizeof head);
    kw_buf_put(&out, head, sizeof head);
    memset(&l, 0, sizeof l);
    assert_int_equal(kw_records_annotate(out.data, out.len, 0, collect, &l), 0);
    const ev *part = &l.e[l.n - 1];
    assert_string_equal(part->name, "partialEntry");
    assert_int_equal(part->off, whole);
    assert_int_equal(part->len, 30);

    /* a record count that disagrees: ERROR event and KW_ERR_CORRUPT */
    out.len = whole;
    kw_be32(out.data + 57, 3);
    memset(&l, 0, sizeof l);
    assert_int_equal(kw_records_annotate(out.data, out.len, 0, collect, &l), KW_ERR_CORRUPT);
    assert_int_equal(l.e[l.n - 1].kind, KW_ANN_ERROR);
    /* unknown magic */
    out.data[16] = 9;
    memset(&l, 0, sizeof l);
    assert_int_equal(kw_records_annotate(out.data, out.len, 0, collect, &l), KW_ERR_CORRUPT);
    assert_int_equal(l.e[l.n - 1].kind, KW_ANN_ERROR);
    assert_int_equal(l.e[l.n - 1].off, 16);
    kw_buf_free(&out);
}

static void test_annotate_compressed(void **st)
{
    (void)st;
    static evlog l;
    kw_buf out; kw_buf_init(&out);
    kw_batch_opts o; kw_batch_opts_default(&o);
    o.codec = KW_CODEC_GZIP;
    write_batch(&out, &o, 3, V_FULL);
    kw_rd in; kw_rd_init(&in, out.data, out.len);
    kw_batch b; kw_buf scratch; kw_buf_init(&scratch);
    assert_int_equal(kw_batch_next(&in, &b, &scratch, &CHECK), 1);
    memset(&l, 0, sizeof l);
    assert_int_equal(kw_records_annotate(out.data, out.len, 0, collect, &l), 0);
    const ev *comp = find(&l, 0, KW_ANN_FIELD, "records");
    assert_non_null(comp);
    assert_int_equal(comp->off, 61);
    assert_int_equal(comp->len, out.len - 61);
    const ev *reg = find(&l, 0, KW_ANN_REGION, "records");
    assert_non_null(reg);
    assert_true(reg == comp + 1);
    /* the region says how much the batch compressed */
    char want[160];
    snprintf(want, sizeof want, "decompressed gzip, %zu bytes from %zu: compression ratio %.2f", b.records_len,
             out.len - 61, (double)b.records_len / (double)(out.len - 61));
    assert_string_equal(reg->value, want);
    assert_int_equal(reg->off, 0);
    assert_int_equal(reg->len, b.records_len);
    /* records inside the region start at offset 0 */
    const ev *recs = find(&l, 0, KW_ANN_ENTER, "records");
    assert_true(recs == reg + 1);
    assert_int_equal(recs->off, 0);
    const ev *len0 = find(&l, 0, KW_ANN_FIELD, "length");
    assert_int_equal(len0->off, 0);
    const ev *end = find(&l, 0, KW_ANN_END_REGION, "records");
    assert_non_null(end);
    assert_true(end > recs);
    assert_int_equal(l.e[l.n - 1].kind, KW_ANN_LEAVE);
    int nrec = 0;
    for (int i = 0; i < l.n; i++) if (l.e[i].kind == KW_ANN_ENTER && !strcmp(l.e[i].type, "Record")) nrec++;
    assert_int_equal(nrec, 3);
    kw_buf_free(&scratch); kw_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_built_vector),
        cmocka_unit_test(test_roundtrip_none),
        cmocka_unit_test(test_roundtrip_gzip),
        cmocka_unit_test(test_roundtrip_snappy),
        cmocka_unit_test(test_roundtrip_lz4),
        cmocka_unit_test(test_roundtrip_zstd),
        cmocka_unit_test(test_compressed_layout),
        cmocka_unit_test(test_multiple_batches_and_prefix),
        cmocka_unit_test(test_max_bytes_budget),
        cmocka_unit_test(test_invalid_records),
        cmocka_unit_test(test_idempotence_and_set_producer),
        cmocka_unit_test(test_head_read),
        cmocka_unit_test(test_log_append_time),
        cmocka_unit_test(test_empty_batch),
        cmocka_unit_test(test_truncation_every_offset),
        cmocka_unit_test(test_partial_last_batch),
        cmocka_unit_test(test_crc_mismatch),
        cmocka_unit_test(test_record_count_wrong),
        cmocka_unit_test(test_overlong_varints),
        cmocka_unit_test(test_record_field_bounds),
        cmocka_unit_test(test_bad_header_fields),
        cmocka_unit_test(test_decompression_bomb_and_garbage),
        cmocka_unit_test(test_annotate_small_batch),
        cmocka_unit_test(test_annotate_values_and_errors),
        cmocka_unit_test(test_annotate_compressed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
