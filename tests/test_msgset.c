/*
 * tests/test_msgset.c — codec/msgset.c: legacy message sets (magic 0 and 1), written
 * with kw_msgset_append() and read with kw_msgset_next(): a byte-exact magic 0 and
 * magic 1 message, round trips, compressed wrappers with every legacy codec (magic 1
 * relative inner offsets, magic 0 absolute ones, log append time), CRC mismatches,
 * truncation at every byte, malformed sizes, nested compression, and the annotation
 * of legacy messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "codec/batch.h"
#include "codec/compress.h"

static const kw_batch_reader_opts CHECK = {1, 0};

static void assert_slice(const uint8_t *p, int32_t len, const char *want, int32_t want_len)
{
    assert_int_equal(len, want_len);
    if (want_len < 0) { assert_null(p); return; }
    assert_non_null(p);
    if (want_len > 0) assert_memory_equal(p, want, (size_t)want_len);
}

/* Byte-exact magic 0 and magic 1 messages, built from the layout by hand. */
static void test_byte_exact(void **st)
{
    (void)st;
    uint8_t v0[] = {
        0, 0, 0, 0, 0, 0, 0, 7,   /* offset 7 */
        0, 0, 0, 19,              /* messageSize: 4 + 1 + 1 + 4 + 2 + 4 + 3 */
        0, 0, 0, 0,               /* crc, below */
        0,                        /* magic 0 */
        0,                        /* attributes */
        0, 0, 0, 2, 'k', 'y',     /* key */
        0, 0, 0, 3, 'a', 'b', 'c' /* value */
    };
    uint32_t c = (uint32_t)crc32(0L, v0 + 16, sizeof v0 - 16);
    kw_be32(v0 + 12, c);
    uint8_t v1[] = {
        0, 0, 0, 0, 0, 0, 0, 8,                  /* offset 8 */
        0, 0, 0, 26,                             /* messageSize */
        0, 0, 0, 0,                              /* crc */
        1,                                       /* magic 1 */
        0,                                       /* attributes */
        0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, /* timestamp 1700000000000 */
        0xff, 0xff, 0xff, 0xff,                  /* key null */
        0, 0, 0, 4, 'd', 'a', 't', 'a'           /* value */
    };
    kw_be32(v1 + 12, (uint32_t)crc32(0L, v1 + 16, sizeof v1 - 16));

    kw_buf out; kw_buf_init(&out);
    assert_int_equal(kw_msgset_append(&out, 0, 7, 0, 12345, "ky", 2, "abc", 3), 0);
    assert_int_equal(out.len, sizeof v0);
    assert_memory_equal(out.data, v0, sizeof v0);
    size_t l0 = out.len;
    assert_int_equal(kw_msgset_append(&out, 1, 8, 0, 1700000000000LL, NULL, -1, "data", 4), 0);
    assert_int_equal(out.len - l0, sizeof v1);
    assert_memory_equal(out.data + l0, v1, sizeof v1);

    kw_msgset_reader r;
    kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
    kw_legacy_msg m;
    assert_int_equal(kw_msgset_next(&r, &m), 1);
    assert_true(m.offset == 7);
    assert_int_equal(m.magic, 0);
    assert_true(m.timestamp == -1);
    assert_slice(m.key, m.key_len, "ky", 2);
    assert_slice(m.value, m.value_len, "abc", 3);
    assert_true(m.crc == c && m.crc_computed == c);
    assert_int_equal(kw_msgset_next(&r, &m), 1);
    assert_true(m.offset == 8);
    assert_int_equal(m.magic, 1);
    assert_true(m.timestamp == 1700000000000LL);
    assert_slice(m.key, m.key_len, NULL, -1);
    assert_slice(m.value, m.value_len, "data", 4);
    assert_int_equal(kw_msgset_next(&r, &m), 0);
    kw_msgset_reader_free(&r);
    assert_int_equal(kw_records_magic(v0, sizeof v0), 0);
    assert_int_equal(kw_records_magic(v1, sizeof v1), 1);
    kw_buf_free(&out);
}

static void test_append_invalid(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    assert_int_equal(kw_msgset_append(&out, 2, 0, 0, 0, NULL, -1, NULL, -1), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_msgset_append(&out, 0, 0, 0, 0, NULL, -2, NULL, -1), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_msgset_append(&out, 1, 0, 0, 0, NULL, 3, NULL, -1), KW_ERR_INVALID_ARG);
    assert_int_equal(out.len, 0);
    kw_buf_free(&out);
}

/* n messages with keys/values derived from i; null and empty fields mixed in. */
static void fill(kw_buf *set, int8_t magic, int n, int64_t first_off, int64_t ts)
{
    for (int i = 0; i < n; i++) {
        char k[16], v[32];
        int kl = snprintf(k, sizeof k, "k%d", i), vl = snprintf(v, sizeof v, "value-%d", i);
        if (i % 4 == 1) kl = -1;
        if (i % 4 == 2) vl = -1;
        if (i % 4 == 3) vl = 0;
        assert_int_equal(kw_msgset_append(set, magic, first_off + i, 0, ts + i, kl < 0 ? NULL : k, kl,
                                          vl < 0 ? NULL : v, vl), 0);
    }
}

static void check(kw_legacy_msg *m, int i, int8_t magic, int64_t off, int64_t ts)
{
    char k[16], v[32];
    int kl = snprintf(k, sizeof k, "k%d", i), vl = snprintf(v, sizeof v, "value-%d", i);
    if (i % 4 == 1) kl = -1;
    if (i % 4 == 2) vl = -1;
    if (i % 4 == 3) vl = 0;
    assert_int_equal(m->magic, magic);
    assert_true(m->offset == off);
    assert_true(m->timestamp == ts);
    assert_slice(m->key, m->key_len, k, kl);
    assert_slice(m->value, m->value_len, v, vl);
    assert_true(m->crc == m->crc_computed);
}

static void test_plain_roundtrip(void **st)
{
    (void)st;
    for (int8_t magic = 0; magic <= 1; magic++) {
        kw_buf out; kw_buf_init(&out);
        fill(&out, magic, 50, 100, 1600000000000LL);
        kw_msgset_reader r;
        kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
        kw_legacy_msg m;
        for (int i = 0; i < 50; i++) {
            assert_int_equal(kw_msgset_next(&r, &m), 1);
            check(&m, i, magic, 100 + i, magic ? 1600000000000LL + i : -1);
        }
        assert_int_equal(kw_msgset_next(&r, &m), 0);
        kw_msgset_reader_free(&r);
        kw_buf_free(&out);
    }
}

/* A wrapper around n inner messages compressed with codec. */
static void wrap(kw_buf *out, int8_t magic, int codec, int n, int64_t wrapper_off, int8_t extra_attr,
                 int64_t wrapper_ts, int relative)
{
    kw_buf inner, comp; kw_buf_init(&inner); kw_buf_init(&comp);
    /* magic 1 inner messages carry relative offsets 0..n-1, magic 0 absolute ones */
    fill(&inner, magic, n, relative ? 0 : wrapper_off - (n - 1), 1500000000000LL);
    assert_int_equal(kw_compress(codec, KW_LEVEL_DEFAULT, inner.data, inner.len, &comp), 0);
    assert_int_equal(kw_msgset_append(out, magic, wrapper_off, (int8_t)(codec | extra_attr), wrapper_ts,
                                      NULL, -1, comp.data, (int32_t)comp.len), 0);
    kw_buf_free(&inner); kw_buf_free(&comp);
}

static void test_compressed_wrappers(void **st)
{
    (void)st;
    for (int codec = 1; codec <= 3; codec++) {
        for (int8_t magic = 0; magic <= 1; magic++) {
            kw_buf out; kw_buf_init(&out);
            /* wrapper offset = offset of the last inner message */
            wrap(&out, magic, codec, 10, 209, 0, 1500000000999LL, magic == 1);
            assert_int_equal(kw_msgset_append(&out, magic, 210, 0, 7, "x", 1, "y", 1), 0);
            wrap(&out, magic, codec, 3, 213, 0, 1500000000999LL, magic == 1);
            kw_msgset_reader r;
            kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
            kw_legacy_msg m;
            for (int i = 0; i < 10; i++) {
                assert_int_equal(kw_msgset_next(&r, &m), 1);
                check(&m, i, magic, 200 + i, magic ? 1500000000000LL + i : -1);
            }
            assert_int_equal(kw_msgset_next(&r, &m), 1);
            assert_true(m.offset == 210);
            assert_slice(m.value, m.value_len, "y", 1);
            for (int i = 0; i < 3; i++) {
                assert_int_equal(kw_msgset_next(&r, &m), 1);
                check(&m, i, magic, 211 + i, magic ? 1500000000000LL + i : -1);
            }
            assert_int_equal(kw_msgset_next(&r, &m), 0);
            kw_msgset_reader_free(&r);
            kw_buf_free(&out);
        }
    }
}

/* Magic 1 wrapper with log append time: every inner message takes its timestamp. */
static void test_wrapper_log_append_time(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    wrap(&out, 1, KW_CODEC_GZIP, 4, 53, KW_ATTR_LOG_APPEND_TIME, 1234567, 1);
    kw_msgset_reader r;
    kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
    kw_legacy_msg m;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(kw_msgset_next(&r, &m), 1);
        check(&m, i, 1, 50 + i, 1234567);
    }
    assert_int_equal(kw_msgset_next(&r, &m), 0);
    kw_msgset_reader_free(&r);
    kw_buf_free(&out);
}

/* Snappy in the xerial framing (what Java producers wrote) inside a wrapper. */
static void test_wrapper_snappy_xerial(void **st)
{
    (void)st;
    kw_buf inner, raw, x;
    kw_buf_init(&inner); kw_buf_init(&raw); kw_buf_init(&x);
    fill(&inner, 1, 5, 0, 1500000000000LL);
    assert_int_equal(kw_compress(KW_CODEC_SNAPPY, KW_LEVEL_DEFAULT, inner.data, inner.len, &raw), 0);
    /* xerial: magic "\x82SNAPPY\0", version 1, compatible 1, then int32 length + block */
    static const uint8_t hdr[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
    kw_buf_put(&x, hdr, sizeof hdr);
    kw_buf_i32(&x, (int32_t)raw.len);
    kw_buf_put(&x, raw.data, raw.len);
    kw_buf out; kw_buf_init(&out);
    assert_int_equal(kw_msgset_append(&out, 1, 4, KW_CODEC_SNAPPY, 9, NULL, -1, x.data, (int32_t)x.len), 0);
    kw_msgset_reader r;
    kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
    kw_legacy_msg m;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(kw_msgset_next(&r, &m), 1);
        check(&m, i, 1, i, 1500000000000LL + i);
    }
    assert_int_equal(kw_msgset_next(&r, &m), 0);
    kw_msgset_reader_free(&r);
    kw_buf_free(&inner); kw_buf_free(&raw); kw_buf_free(&x); kw_buf_free(&out);
}

/*
 * lz4 wrappers as Kafka 0.8-0.10 wrote them: the frame header checksum computed over
 * the magic number too (KAFKA-3160). kw_decompress tolerates it for both magics.
 */
static void test_wrapper_lz4_old_kafka_checksum(void **st)
{
    (void)st;
    for (int8_t magic = 0; magic <= 1; magic++) {
        kw_buf inner, c;
        kw_buf_init(&inner); kw_buf_init(&c);
        fill(&inner, magic, 6, magic ? 0 : 30, 1500000000000LL);
        assert_int_equal(kw_compress(KW_CODEC_LZ4, KW_LEVEL_DEFAULT, inner.data, inner.len, &c), 0);
        assert_int_equal(c.data[4], 0x60); /* FLG: no content size, so HC is byte 6 */
        uint8_t broken = (uint8_t)(kw__xxh32(c.data, 6, 0) >> 8);
        assert_int_not_equal(broken, c.data[6]);
        c.data[6] = broken;
        kw_buf out; kw_buf_init(&out);
        assert_int_equal(kw_msgset_append(&out, magic, 35, KW_CODEC_LZ4, 77, NULL, -1, c.data, (int32_t)c.len), 0);
        kw_msgset_reader r;
        kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
        kw_legacy_msg m;
        for (int i = 0; i < 6; i++) {
            assert_int_equal(kw_msgset_next(&r, &m), 1);
            check(&m, i, magic, 30 + i, magic ? 1500000000000LL + i : -1);
        }
        assert_int_equal(kw_msgset_next(&r, &m), 0);
        kw_msgset_reader_free(&r);
        kw_buf_free(&inner); kw_buf_free(&c); kw_buf_free(&out);
    }
}

static void test_crc_mismatch(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    fill(&out, 1, 2, 0, 5);
    uint32_t good = kw_ld32(out.data + 12);
    out.data[20] ^= 1; /* timestamp of the first message (bytes 18-25) */
    uint32_t now = (uint32_t)crc32(0L, out.data + 16, kw_ld32(out.data + 8) - 4);
    kw_msgset_reader r;
    kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
    kw_legacy_msg m;
    assert_int_equal(kw_msgset_next(&r, &m), KW_ERR_CRC);
    assert_true(m.crc == good);
    assert_true(m.crc_computed == now);
    assert_int_equal(r.outer.off, 0);
    kw_msgset_reader_free(&r);
    kw_batch_reader_opts nocheck = {0, 0};
    kw_msgset_reader_init(&r, out.data, out.len, &nocheck);
    assert_int_equal(kw_msgset_next(&r, &m), 1);
    assert_true(m.crc != m.crc_computed);
    assert_int_equal(kw_msgset_next(&r, &m), 1);
    assert_int_equal(kw_msgset_next(&r, &m), 0);
    kw_msgset_reader_free(&r);
    kw_buf_free(&out);
}

static void test_truncation_every_offset(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    fill(&out, 0, 1, 0, 0);
    size_t first = out.len;
    wrap(&out, 1, KW_CODEC_LZ4, 3, 2, 0, 0, 1);
    for (size_t cut = 0; cut < out.len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, out.data, cut);
        kw_msgset_reader r;
        kw_msgset_reader_init(&r, copy, cut, &CHECK);
        kw_legacy_msg m;
        int want_first = cut >= first;
        if (want_first) assert_int_equal(kw_msgset_next(&r, &m), 1);
        int rc = kw_msgset_next(&r, &m);
        if (cut == 0 || cut == first) assert_int_equal(rc, 0);
        else assert_int_equal(rc, KW_ERR_INCOMPLETE);
        kw_msgset_reader_free(&r);
        free(copy);
    }
    kw_buf_free(&out);
}

static void test_malformed(void **st)
{
    (void)st;
    kw_buf out; kw_buf_init(&out);
    assert_int_equal(kw_msgset_append(&out, 1, 0, 0, 0, "key", 3, "value", 5), 0);
    kw_msgset_reader r;
    kw_legacy_msg m;
    uint8_t w[64];
    size_t n = out.len;
    struct { size_t off; uint32_t v; int want; } cases[] = {
        {8, 13, KW_ERR_CORRUPT},          /* messageSize below the minimum */
        {8, 0x80000000u, KW_ERR_CORRUPT}, /* negative messageSize */
        {26, 0xfffffffeu, KW_ERR_CORRUPT},/* keyLength -2 */
        {26, 100, KW_ERR_CORRUPT},        /* keyLength past the message */
        {33, 4, KW_ERR_CORRUPT},          /* valueLength short of the end */
        {33, 6, KW_ERR_CORRUPT},          /* valueLength past the end */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(w, out.data, n);
        kw_be32(w + cases[i].off, cases[i].v);
        kw_be32(w + 12, (uint32_t)crc32(0L, w + 16, (uInt)(n - 16)));
        kw_msgset_reader_init(&r, w, n, &CHECK);
        assert_int_equal(kw_msgset_next(&r, &m), cases[i].want);
        kw_msgset_reader_free(&r);
    }
    /* magic 2 in a message set: not a legacy message */
    memcpy(w, out.data, n);
    w[16] = 2;
    kw_msgset_reader_init(&r, w, n, &CHECK);
    assert_int_equal(kw_msgset_next(&r, &m), KW_ERR_UNSUPPORTED);
    kw_msgset_reader_free(&r);
    /* other magics are corrupt */
    w[16] = 0xff;
    kw_msgset_reader_init(&r, w, n, &CHECK);
    assert_int_equal(kw_msgset_next(&r, &m), KW_ERR_CORRUPT);
    kw_msgset_reader_free(&r);
    /* a message of magic 0 size claiming magic 1: too short for the timestamp */
    out.len = 0;
    assert_int_equal(kw_msgset_append(&out, 0, 0, 0, 0, NULL, -1, NULL, -1), 0);
    out.data[16] = 1;
    kw_be32(out.data + 12, (uint32_t)crc32(0L, out.data + 16, (uInt)(out.len - 16)));
    kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
    assert_int_equal(kw_msgset_next(&r, &m), KW_ERR_CORRUPT);
    kw_msgset_reader_free(&r);
    kw_buf_free(&out);
}

static void test_bad_wrappers(void **st)
{
    (void)st;
    kw_msgset_reader r;
    kw_legacy_msg m;
    /* a compressed wrapper with a null value */
    kw_buf out; kw_buf_init(&out);
    assert_int_equal(kw_msgset_append(&out, 1, 0, KW_CODEC_GZIP, 0, NULL, -1, NULL, -1), 0);
    kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
    assert_int_equal(kw_msgset_next(&r, &m), KW_ERR_CORRUPT);
    kw_msgset_reader_free(&r);
    /* garbage instead of gzip data */
    out.len = 0;
    assert_int_equal(kw_msgset_append(&out, 1, 0, KW_CODEC_GZIP, 0, NULL, -1, "not gzip at all", 15), 0);
    kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
    assert_int_equal(kw_msgset_next(&r, &m), KW_ERR_DECOMPRESS);
    assert_int_equal(r.outer.off, 0);
    kw_msgset_reader_free(&r);
    /* zstd and codecs beyond are not legacy codecs */
    out.len = 0;
    assert_int_equal(kw_msgset_append(&out, 1, 0, KW_CODEC_ZSTD, 0, NULL, -1, "x", 1), 0);
    kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
    assert_int_equal(kw_msgset_next(&r, &m), KW_ERR_UNSUPPORTED);
    kw_msgset_reader_free(&r);
    /* nested compression */
    kw_buf inner, comp; kw_buf_init(&inner); kw_buf_init(&comp);
    wrap(&inner, 1, KW_CODEC_GZIP, 2, 1, 0, 0, 1);
    assert_int_equal(kw_compress(KW_CODEC_GZIP, KW_LEVEL_DEFAULT, inner.data, inner.len, &comp), 0);
    out.len = 0;
    assert_int_equal(kw_msgset_append(&out, 1, 1, KW_CODEC_GZIP, 0, NULL, -1, comp.data, (int32_t)comp.len), 0);
    kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
    assert_int_equal(kw_msgset_next(&r, &m), KW_ERR_CORRUPT);
    kw_msgset_reader_free(&r);
    /* inner set cut short */
    inner.len = 0; comp.len = 0;
    fill(&inner, 1, 3, 0, 0);
    assert_int_equal(kw_compress(KW_CODEC_GZIP, KW_LEVEL_DEFAULT, inner.data, inner.len - 2, &comp), 0);
    out.len = 0;
    assert_int_equal(kw_msgset_append(&out, 1, 2, KW_CODEC_GZIP, 0, NULL, -1, comp.data, (int32_t)comp.len), 0);
    kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
    assert_int_equal(kw_msgset_next(&r, &m), KW_ERR_CORRUPT);
    kw_msgset_reader_free(&r);
    /* inner messages of another magic than the wrapper */
    inner.len = 0; comp.len = 0;
    fill(&inner, 0, 2, 0, 0);
    assert_int_equal(kw_compress(KW_CODEC_GZIP, KW_LEVEL_DEFAULT, inner.data, inner.len, &comp), 0);
    out.len = 0;
    assert_int_equal(kw_msgset_append(&out, 1, 2, KW_CODEC_GZIP, 0, NULL, -1, comp.data, (int32_t)comp.len), 0);
    kw_msgset_reader_init(&r, out.data, out.len, &CHECK);
    assert_int_equal(kw_msgset_next(&r, &m), KW_ERR_CORRUPT);
    kw_msgset_reader_free(&r);
    /* a bomb: 2 MiB of inner data against a 1 MiB cap */
    inner.len = 0; comp.len = 0;
    static uint8_t zeros[1 << 16];
    for (int i = 0; i < 32; i++) assert_int_equal(kw_msgset_append(&inner, 1, i, 0, 0, NULL, -1, zeros, sizeof zeros), 0);
    assert_int_equal(kw_compress(KW_CODEC_GZIP, KW_LEVEL_DEFAULT, inner.data, inner.len, &comp), 0);
    out.len = 0;
    assert_int_equal(kw_msgset_append(&out, 1, 31, KW_CODEC_GZIP, 0, NULL, -1, comp.data, (int32_t)comp.len), 0);
    kw_batch_reader_opts cap = {1, 1 << 20};
    kw_msgset_reader_init(&r, out.data, out.len, &cap);
    assert_int_equal(kw_msgset_next(&r, &m), KW_ERR_BOMB);
    kw_msgset_reader_free(&r);
    kw_buf_free(&inner); kw_buf_free(&comp); kw_buf_free(&out);
}

/* ---- annotation ---- */

typedef struct ev { kw_ann_kind kind; char name[32], value[128]; size_t off, len; int depth; } ev;
typedef struct evlog { ev e[256]; int n; } evlog;

static int collect(void *ud, const kw_ann *a)
{
    evlog *l = ud;
    if (l->n >= 256) return 1;
    ev *e = &l->e[l->n++];
    e->kind = a->kind;
    snprintf(e->name, sizeof e->name, "%s", a->name ? a->name : "");
    snprintf(e->value, sizeof e->value, "%s", a->value ? a->value : "");
    e->off = a->off; e->len = a->len; e->depth = a->depth;
    return 0;
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

static void test_annotate_legacy(void **st)
{
    (void)st;
    static evlog l;
    kw_buf out; kw_buf_init(&out);
    assert_int_equal(kw_msgset_append(&out, 1, 8, 0, 1700000000000LL, NULL, -1, "data", 4), 0);
    size_t first = out.len;
    wrap(&out, 1, KW_CODEC_GZIP, 2, 10, 0, 99, 1);
    memset(&l, 0, sizeof l);
    assert_int_equal(kw_records_annotate(out.data, out.len, 0, collect, &l), 0);
    int i = 0;
    expect(&l, i++, KW_ANN_ENTER, "[0]", 0, first, NULL, 0);
    expect(&l, i++, KW_ANN_FIELD, "offset", 0, 8, "8", 1);
    expect(&l, i++, KW_ANN_FIELD, "messageSize", 8, 4, "26", 1);
    expect(&l, i++, KW_ANN_FIELD, "crc", 12, 4, "valid", 1);
    expect(&l, i++, KW_ANN_FIELD, "magic", 16, 1, "1", 1);
    expect(&l, i++, KW_ANN_FIELD, "attributes", 17, 1, "0", 1);
    expect(&l, i++, KW_ANN_FIELD, "compression", 17, 1, "0 (none)", 2);
    expect(&l, i++, KW_ANN_FIELD, "timestampType", 17, 1, "CreateTime", 2);
    expect(&l, i++, KW_ANN_FIELD, "timestamp", 18, 8, "1700000000000 (2023-11-14T22:13:20.000Z)", 1);
    expect(&l, i++, KW_ANN_FIELD, "keyLength", 26, 4, "-1", 1);
    expect(&l, i++, KW_ANN_FIELD, "key", 30, 0, "null", 1);
    expect(&l, i++, KW_ANN_FIELD, "valueLength", 30, 4, "4", 1);
    expect(&l, i++, KW_ANN_FIELD, "value", 34, 4, "\"data\"", 1);
    expect(&l, i++, KW_ANN_LEAVE, "[0]", 0, 0, NULL, 0);
    expect(&l, i++, KW_ANN_ENTER, "[1]", first, out.len - first, NULL, 0);
    /* the wrapper: ... value bytes shown compressed, then the inner set in a region */
    while (i < l.n && !(l.e[i].kind == KW_ANN_FIELD && !strcmp(l.e[i].name, "value"))) i++;
    size_t vlen = out.len - first - 34; /* value after 34 bytes of a magic 1 message with a null key */
    expect(&l, i, KW_ANN_FIELD, "value", first + 34, vlen, NULL, 1);
    i++;
    assert_int_equal(l.e[i].kind, KW_ANN_REGION);
    assert_int_equal(l.e[i].off, 0);
    size_t inner_len = l.e[i].len;
    char want[160];
    snprintf(want, sizeof want, "decompressed gzip, %zu bytes from %zu: compression ratio %.2f", inner_len, vlen,
             (double)inner_len / (double)vlen);
    assert_string_equal(l.e[i].value, want);
    i++;
    expect(&l, i++, KW_ANN_ENTER, "messages", 0, inner_len, NULL, 1);
    expect(&l, i++, KW_ANN_ENTER, "[0]", 0, 34 + 2 + 7, NULL, 2); /* key "k0", value "value-0" */
    expect(&l, i++, KW_ANN_FIELD, "offset", 0, 8, "0", 3);
    /* the second inner message starts where the first ends, relative offset 1 */
    const ev *second = NULL;
    for (int j = i; j < l.n; j++) if (l.e[j].kind == KW_ANN_ENTER && !strcmp(l.e[j].name, "[1]")) { second = &l.e[j]; break; }
    assert_non_null(second);
    assert_true(second->off > 0 && second->off < inner_len);
    assert_int_equal(second[1].off, second->off);
    assert_string_equal(second[1].value, "1");
    assert_int_equal(l.e[l.n - 2].kind, KW_ANN_END_REGION);
    assert_int_equal(l.e[l.n - 1].kind, KW_ANN_LEAVE);

    /* a CRC mismatch is reported with both values */
    out.data[20] ^= 0x10;
    memset(&l, 0, sizeof l);
    assert_int_equal(kw_records_annotate(out.data, first, 0, collect, &l), 0);
    assert_true(strncmp(l.e[3].value, "MISMATCH (expected 0x", 21) == 0);
    kw_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_byte_exact),
        cmocka_unit_test(test_append_invalid),
        cmocka_unit_test(test_plain_roundtrip),
        cmocka_unit_test(test_compressed_wrappers),
        cmocka_unit_test(test_wrapper_log_append_time),
        cmocka_unit_test(test_wrapper_snappy_xerial),
        cmocka_unit_test(test_wrapper_lz4_old_kafka_checksum),
        cmocka_unit_test(test_crc_mismatch),
        cmocka_unit_test(test_truncation_every_offset),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_bad_wrappers),
        cmocka_unit_test(test_annotate_legacy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
