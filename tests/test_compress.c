/*
 * tests/test_compress.c — codec/compress: names, levels, round trips, the decompression
 * cap (exact, one under, real 1 GiB bombs), corrupt and truncated input, snappy-java
 * framing, old-Kafka lz4 header checksums, and interop with kafka-python's encoders
 * (vectors in tests/data/codec/, generated once with /usr/bin/python3 kafka.codec).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "codec/compress.h"

static const int codecs[] = {KW_CODEC_GZIP, KW_CODEC_SNAPPY, KW_CODEC_LZ4, KW_CODEC_ZSTD};
#define NCODECS 4

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static uint8_t *random_bytes(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)rnd();
    return p;
}

/* Kafka-like records: the labs' 92-byte JSON value repeated with a counter. */
static uint8_t *compressible_bytes(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    size_t off = 0;
    for (unsigned i = 0; off < n; i++) {
        char rec[128];
        int k = snprintf(rec, sizeof rec, "{\"data\": \"%080d\"}%u\n", 0, i % 1000);
        for (int j = 0; j < k && off < n; j++) p[off++] = (uint8_t)rec[j];
    }
    return p;
}

static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    assert_true(sz >= 0);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)sz + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)sz, f), (size_t)sz);
    fclose(f);
    *n = (size_t)sz;
    return p;
}

static void round_trip(int codec, int level, const uint8_t *data, size_t n)
{
    kw_buf c, d;
    kw_buf_init(&c); kw_buf_init(&d);
    assert_int_equal(kw_compress(codec, level, data, n, &c), 0);
    assert_true(c.len > 0 || codec == KW_CODEC_NONE);
    assert_int_equal(kw_decompress(codec, c.data, c.len, &d, n), 0);
    assert_int_equal(d.len, n);
    if (n) assert_memory_equal(d.data, data, n);
    kw_buf_free(&c); kw_buf_free(&d);
}

/* ------------------------------------------------------------------ names and levels */

static void test_names_and_parse(void **st)
{
    (void)st;
    const char *names[] = {"none", "gzip", "snappy", "lz4", "zstd"};
    for (int c = 0; c <= 4; c++) {
        assert_string_equal(kw_codec_name(c), names[c]);
        assert_int_equal(kw_codec_parse(names[c]), c);
    }
    assert_string_equal(kw_codec_name(5), "unknown");
    assert_string_equal(kw_codec_name(-1), "unknown");
    assert_int_equal(kw_codec_parse("GZIP"), KW_ERR_CONFIG); /* Kafka's names are case-sensitive */
    assert_int_equal(kw_codec_parse("Snappy"), KW_ERR_CONFIG);
    assert_int_equal(kw_codec_parse("lz4 "), KW_ERR_CONFIG);
    assert_int_equal(kw_codec_parse(""), KW_ERR_CONFIG);
    assert_int_equal(kw_codec_parse("zstandard"), KW_ERR_CONFIG);
    assert_int_equal(kw_codec_parse(NULL), KW_ERR_CONFIG);
}

static void test_levels(void **st)
{
    (void)st;
    struct { int codec, level, ok; } v[] = {
        {KW_CODEC_GZIP, -1, 1}, {KW_CODEC_GZIP, 1, 1}, {KW_CODEC_GZIP, 9, 1},
        {KW_CODEC_GZIP, 0, 0}, {KW_CODEC_GZIP, 10, 0}, {KW_CODEC_GZIP, -2, 0},
        {KW_CODEC_LZ4, 1, 1}, {KW_CODEC_LZ4, 17, 1}, {KW_CODEC_LZ4, 0, 0}, {KW_CODEC_LZ4, 18, 0},
        {KW_CODEC_LZ4, -1, 0},
        {KW_CODEC_ZSTD, -131072, 1}, {KW_CODEC_ZSTD, 22, 1}, {KW_CODEC_ZSTD, 0, 1}, {KW_CODEC_ZSTD, -1, 1},
        {KW_CODEC_ZSTD, -131073, 0}, {KW_CODEC_ZSTD, 23, 0},
        {KW_CODEC_SNAPPY, 1, 0}, {KW_CODEC_NONE, 1, 0},
    };
    uint8_t *data = compressible_bytes(20000);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_int_equal(kw_codec_level_valid(v[i].codec, v[i].level), v[i].ok);
        if (v[i].ok) {
            round_trip(v[i].codec, v[i].level, data, 20000);
        } else {
            kw_buf c; kw_buf_init(&c);
            assert_int_equal(kw_compress(v[i].codec, v[i].level, data, 20000, &c), KW_ERR_CONFIG);
            assert_int_equal(c.len, 0);
            kw_buf_free(&c);
        }
    }
    for (int c = 0; c <= 4; c++) assert_int_equal(kw_codec_level_valid(c, KW_LEVEL_DEFAULT), 1);
    assert_int_equal(kw_codec_level_valid(5, KW_LEVEL_DEFAULT), 0);
    free(data);
}

static void test_unknown_codec(void **st)
{
    (void)st;
    int bad[] = {5, 6, 7, 8, -1, 100};
    kw_buf b; kw_buf_init(&b);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(kw_compress(bad[i], KW_LEVEL_DEFAULT, "abc", 3, &b), KW_ERR_UNSUPPORTED);
        assert_int_equal(kw_decompress(bad[i], "abc", 3, &b, 100), KW_ERR_UNSUPPORTED);
        assert_int_equal(b.len, 0);
    }
    kw_buf_free(&b);
}

/* ------------------------------------------------------------------ round trips */

static void test_round_trip_small(void **st)
{
    (void)st;
    const uint8_t one = 'x';
    for (int c = 0; c <= 4; c++) {
        round_trip(c, KW_LEVEL_DEFAULT, NULL, 0);
        round_trip(c, KW_LEVEL_DEFAULT, &one, 1);
    }
}

static void test_round_trip_random_1mib(void **st)
{
    (void)st;
    size_t n = 1 << 20;
    uint8_t *data = random_bytes(n);
    for (int c = 0; c <= 4; c++) round_trip(c, KW_LEVEL_DEFAULT, data, n);
    free(data);
}

static void test_round_trip_compressible_10mib(void **st)
{
    (void)st;
    size_t n = 10u << 20;
    uint8_t *data = compressible_bytes(n);
    for (int c = 0; c <= 4; c++) round_trip(c, KW_LEVEL_DEFAULT, data, n);
    /* fast levels too */
    round_trip(KW_CODEC_GZIP, 1, data, n);
    round_trip(KW_CODEC_LZ4, 1, data, n);
    round_trip(KW_CODEC_ZSTD, -5, data, n);
    free(data);
}

/* Output is appended after what the buffer already holds. */
static void test_appends(void **st)
{
    (void)st;
    uint8_t *data = compressible_bytes(5000);
    for (int i = 0; i < NCODECS; i++) {
        kw_buf c, d; kw_buf_init(&c); kw_buf_init(&d);
        kw_buf_put(&c, "HDR", 3);
        kw_buf_put(&d, "PREFIX", 6);
        assert_int_equal(kw_compress(codecs[i], KW_LEVEL_DEFAULT, data, 5000, &c), 0);
        assert_memory_equal(c.data, "HDR", 3);
        assert_int_equal(kw_decompress(codecs[i], c.data + 3, c.len - 3, &d, 5000), 0);
        assert_int_equal(d.len, 5006);
        assert_memory_equal(d.data, "PREFIX", 6);
        assert_memory_equal(d.data + 6, data, 5000);
        kw_buf_free(&c); kw_buf_free(&d);
    }
    free(data);
}

/* ------------------------------------------------------------------ cap */

static void test_cap_exact(void **st)
{
    (void)st;
    size_t n = 300000;
    uint8_t *data = compressible_bytes(n);
    for (int i = 0; i < NCODECS; i++) {
        kw_buf c, d; kw_buf_init(&c); kw_buf_init(&d);
        assert_int_equal(kw_compress(codecs[i], KW_LEVEL_DEFAULT, data, n, &c), 0);
        kw_buf_put(&d, "keep", 4);
        assert_int_equal(kw_decompress(codecs[i], c.data, c.len, &d, n), 0);
        assert_int_equal(d.len, n + 4);
        assert_memory_equal(d.data + 4, data, n);
        d.len = 4;
        assert_int_equal(kw_decompress(codecs[i], c.data, c.len, &d, n - 1), KW_ERR_BOMB);
        assert_int_equal(d.len, 4);
        assert_true(d.cap <= 4 + n); /* never grown past the cap */
        assert_memory_equal(d.data, "keep", 4);
        assert_int_equal(kw_decompress(codecs[i], c.data, c.len, &d, 0), KW_ERR_BOMB);
        assert_int_equal(d.len, 4);
        kw_buf_free(&c); kw_buf_free(&d);
    }
    /* the same for the zero-length case: a cap of 0 is enough for empty content */
    for (int i = 0; i < NCODECS; i++) {
        kw_buf c, d; kw_buf_init(&c); kw_buf_init(&d);
        assert_int_equal(kw_compress(codecs[i], KW_LEVEL_DEFAULT, "", 0, &c), 0);
        assert_int_equal(kw_decompress(codecs[i], c.data, c.len, &d, 0), 0);
        assert_int_equal(d.len, 0);
        kw_buf_free(&c); kw_buf_free(&d);
    }
    /* none: a plain copy, capped the same way */
    kw_buf d; kw_buf_init(&d);
    assert_int_equal(kw_decompress(KW_CODEC_NONE, data, 100, &d, 100), 0);
    assert_int_equal(kw_decompress(KW_CODEC_NONE, data, 100, &d, 99), KW_ERR_BOMB);
    assert_int_equal(d.len, 100);
    kw_buf_free(&d);
    free(data);
}

/* Zstd frames written by a streaming encoder carry no content size; the cap must hold too. */
static void test_cap_zstd_unknown_size(void **st)
{
    (void)st;
    size_t n = 200000;
    uint8_t *data = compressible_bytes(n);
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    assert_non_null(cc);
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0)));
    size_t cap = ZSTD_compressBound(n);
    uint8_t *z = malloc(cap);
    assert_non_null(z);
    ZSTD_inBuffer ib = {data, n, 0};
    ZSTD_outBuffer ob = {z, cap, 0};
    assert_int_equal(ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_end), 0);
    assert_true(ZSTD_getFrameContentSize(z, ob.pos) == ZSTD_CONTENTSIZE_UNKNOWN);
    kw_buf d; kw_buf_init(&d);
    assert_int_equal(kw_decompress(KW_CODEC_ZSTD, z, ob.pos, &d, n), 0);
    assert_int_equal(d.len, n);
    assert_memory_equal(d.data, data, n);
    d.len = 0;
    assert_int_equal(kw_decompress(KW_CODEC_ZSTD, z, ob.pos, &d, n - 1), KW_ERR_BOMB);
    assert_int_equal(d.len, 0);
    kw_buf_free(&d);
    free(z);
    ZSTD_freeCCtx(cc);
    free(data);
}

/* ---- real bombs: 1 GiB of zeros, compressed chunk by chunk (never held in memory) ---- */

#define GIB (1ull << 30)
#define CHUNK (1u << 20)

static void bomb_gzip(kw_buf *out)
{
    static const uint8_t zero[CHUNK];
    z_stream zs; memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    uint8_t tmp[65536];
    for (uint64_t done = 0; done < GIB; done += CHUNK) {
        zs.next_in = (Bytef *)(uintptr_t)zero; zs.avail_in = CHUNK;
        int flush = done + CHUNK == GIB ? Z_FINISH : Z_NO_FLUSH;
        int zr;
        do {
            zs.next_out = tmp; zs.avail_out = sizeof tmp;
            zr = deflate(&zs, flush);
            kw_buf_put(out, tmp, sizeof tmp - zs.avail_out);
        } while (zs.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
    }
    deflateEnd(&zs);
}

static void bomb_snappy(kw_buf *out)
{
    /* xerial framing: 16384 blocks of 64 KiB zeros each (every block within the cap) */
    static const uint8_t zero[65536];
    static const uint8_t hdr[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
    char blk[80000];
    size_t bl = sizeof blk;
    assert_int_equal(snappy_compress((const char *)zero, sizeof zero, blk, &bl), SNAPPY_OK);
    kw_buf_put(out, hdr, sizeof hdr);
    for (uint64_t done = 0; done < GIB; done += sizeof zero) {
        kw_buf_u32(out, (uint32_t)bl);
        kw_buf_put(out, blk, bl);
    }
}

static void bomb_lz4(kw_buf *out)
{
    static const uint8_t zero[CHUNK];
    LZ4F_cctx *cc;
    assert_false(LZ4F_isError(LZ4F_createCompressionContext(&cc, LZ4F_VERSION)));
    LZ4F_preferences_t pr; memset(&pr, 0, sizeof pr);
    pr.frameInfo.blockSizeID = LZ4F_max64KB;
    pr.frameInfo.blockMode = LZ4F_blockIndependent;
    size_t bound = LZ4F_compressBound(CHUNK, &pr) + LZ4F_HEADER_SIZE_MAX;
    uint8_t *tmp = malloc(bound);
    assert_non_null(tmp);
    size_t r = LZ4F_compressBegin(cc, tmp, bound, &pr);
    assert_false(LZ4F_isError(r));
    kw_buf_put(out, tmp, r);
    for (uint64_t done = 0; done < GIB; done += CHUNK) {
        r = LZ4F_compressUpdate(cc, tmp, bound, zero, CHUNK, NULL);
        assert_false(LZ4F_isError(r));
        kw_buf_put(out, tmp, r);
    }
    r = LZ4F_compressEnd(cc, tmp, bound, NULL);
    assert_false(LZ4F_isError(r));
    kw_buf_put(out, tmp, r);
    free(tmp);
    LZ4F_freeCompressionContext(cc);
}

static void bomb_zstd(kw_buf *out)
{
    static const uint8_t zero[CHUNK];
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    assert_non_null(cc);
    uint8_t tmp[65536];
    for (uint64_t done = 0; done < GIB; done += CHUNK) {
        ZSTD_inBuffer ib = {zero, CHUNK, 0};
        ZSTD_EndDirective e = done + CHUNK == GIB ? ZSTD_e_end : ZSTD_e_continue;
        size_t rem;
        do {
            ZSTD_outBuffer ob = {tmp, sizeof tmp, 0};
            rem = ZSTD_compressStream2(cc, &ob, &ib, e);
            assert_false(ZSTD_isError(rem));
            kw_buf_put(out, tmp, ob.pos);
        } while (ib.pos < ib.size || (e == ZSTD_e_end && rem != 0));
    }
    ZSTD_freeCCtx(cc);
}

static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long v = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &v) == 1) break;
    fclose(f);
    return v;
}

#if defined(__SANITIZE_ADDRESS__)
#define RSS_LIMIT_KIB (768L * 1024) /* ASan keeps freed blocks in quarantine and adds shadow */
#else
#define RSS_LIMIT_KIB (320L * 1024)
#endif

static void test_real_bombs(void **st)
{
    (void)st;
    void (*make[NCODECS])(kw_buf *) = {bomb_gzip, bomb_snappy, bomb_lz4, bomb_zstd};
    for (int i = 0; i < NCODECS; i++) {
        kw_buf c, d; kw_buf_init(&c); kw_buf_init(&d);
        make[i](&c);
        assert_int_equal(c.err, 0);
        assert_true(c.len < 64u << 20); /* the input itself is small */
        assert_int_equal(kw_decompress(codecs[i], c.data, c.len, &d, KW_DECOMPRESS_MAX_DEFAULT), KW_ERR_BOMB);
        assert_int_equal(d.len, 0);
        assert_true(d.cap <= KW_DECOMPRESS_MAX_DEFAULT);
        long rss = peak_rss_kib();
        print_message("bomb %s: %zu compressed bytes -> KW_ERR_BOMB, peak RSS %ld KiB\n",
                      kw_codec_name(codecs[i]), c.len, rss);
        assert_true(rss > 0 && rss < RSS_LIMIT_KIB);
        kw_buf_free(&c); kw_buf_free(&d);
    }
}

/* A raw snappy block announcing 1 GiB is refused from its header alone. */
static void test_snappy_announced_size(void **st)
{
    (void)st;
    uint8_t blk[16];
    size_t n = kw_uvarint_enc(blk, 1u << 30);
    blk[n++] = 0; /* a 1-byte literal tag, then nothing */
    kw_buf d; kw_buf_init(&d);
    assert_int_equal(kw_decompress(KW_CODEC_SNAPPY, blk, n, &d, KW_DECOMPRESS_MAX_DEFAULT), KW_ERR_BOMB);
    assert_int_equal(d.cap, 0); /* nothing allocated */
    kw_buf_free(&d);
}

/* ------------------------------------------------------------------ corrupt input */

static void expect_decompress_error(int codec, const uint8_t *p, size_t n)
{
    kw_buf d; kw_buf_init(&d);
    kw_buf_put(&d, "xy", 2);
    assert_int_equal(kw_decompress(codec, p, n, &d, 1u << 24), KW_ERR_DECOMPRESS);
    assert_int_equal(d.len, 2);
    kw_buf_free(&d);
}

static void test_truncated(void **st)
{
    (void)st;
    size_t n = 100000;
    uint8_t *data = compressible_bytes(n);
    for (int i = 0; i < NCODECS; i++) {
        kw_buf c; kw_buf_init(&c);
        assert_int_equal(kw_compress(codecs[i], KW_LEVEL_DEFAULT, data, n, &c), 0);
        size_t step = c.len / 97 + 1;
        for (size_t cut = 0; cut < c.len; cut += step) expect_decompress_error(codecs[i], c.data, cut);
        expect_decompress_error(codecs[i], c.data, c.len - 1);
        kw_buf_free(&c);
    }
    free(data);
}

static void test_corrupt(void **st)
{
    (void)st;
    size_t n = 100000;
    uint8_t *data = compressible_bytes(n);
    kw_buf c; kw_buf_init(&c);

    /* gzip: wrong magic, wrong CRC-32 in the trailer, wrong ISIZE, trailing garbage */
    assert_int_equal(kw_compress(KW_CODEC_GZIP, KW_LEVEL_DEFAULT, data, n, &c), 0);
    c.data[0] ^= 0xff; expect_decompress_error(KW_CODEC_GZIP, c.data, c.len); c.data[0] ^= 0xff;
    c.data[c.len - 8] ^= 1; expect_decompress_error(KW_CODEC_GZIP, c.data, c.len); c.data[c.len - 8] ^= 1;
    c.data[c.len - 1] ^= 1; expect_decompress_error(KW_CODEC_GZIP, c.data, c.len); c.data[c.len - 1] ^= 1;
    kw_buf_put(&c, "junk", 4);
    expect_decompress_error(KW_CODEC_GZIP, c.data, c.len);
    c.len = 0;

    /* lz4: wrong magic, header checksum neither right nor the old broken value, bad block size */
    assert_int_equal(kw_compress(KW_CODEC_LZ4, KW_LEVEL_DEFAULT, data, n, &c), 0);
    c.data[1] ^= 0x10; expect_decompress_error(KW_CODEC_LZ4, c.data, c.len); c.data[1] ^= 0x10;
    uint8_t hc = c.data[6], broken = (uint8_t)(kw__xxh32(c.data, 6, 0) >> 8);
    c.data[6] = (uint8_t)(hc + 1 == broken ? hc + 2 : hc + 1);
    expect_decompress_error(KW_CODEC_LZ4, c.data, c.len);
    c.data[6] = hc;
    c.data[8] |= 0x7f; /* first block size byte -> far more than 64 KiB */
    c.data[10] = 0x7f;
    expect_decompress_error(KW_CODEC_LZ4, c.data, c.len);
    c.len = 0;

    /* zstd: wrong magic; reserved bit in the frame header; garbage after a frame */
    assert_int_equal(kw_compress(KW_CODEC_ZSTD, KW_LEVEL_DEFAULT, data, n, &c), 0);
    c.data[0] ^= 1; expect_decompress_error(KW_CODEC_ZSTD, c.data, c.len); c.data[0] ^= 1;
    c.data[4] |= 0x08; expect_decompress_error(KW_CODEC_ZSTD, c.data, c.len); c.data[4] &= (uint8_t)~0x08;
    kw_buf_put(&c, "junkjunk", 8);
    expect_decompress_error(KW_CODEC_ZSTD, c.data, c.len);
    c.len = 0;

    /* snappy: length larger than the data decodes to, copy before the start, bad xerial lengths */
    const uint8_t s1[] = {10, 0x08, 'a', 'b', 'c'};           /* claims 10, literal of 3 */
    expect_decompress_error(KW_CODEC_SNAPPY, s1, sizeof s1);
    const uint8_t s2[] = {6, 0x00, 'a', 0x05 | (1 << 2), 9};   /* copy offset 9 > 1 byte written */
    expect_decompress_error(KW_CODEC_SNAPPY, s2, sizeof s2);
    const uint8_t s3[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}; /* overlong varint */
    expect_decompress_error(KW_CODEC_SNAPPY, s3, sizeof s3);
    uint8_t x[64] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
    kw_be32(x + 16, 0);                                         /* zero-length block */
    expect_decompress_error(KW_CODEC_SNAPPY, x, 20);
    kw_be32(x + 16, 0x80000000u);                               /* negative length */
    expect_decompress_error(KW_CODEC_SNAPPY, x, 30);
    kw_be32(x + 16, 40);                                        /* longer than what follows */
    expect_decompress_error(KW_CODEC_SNAPPY, x, 30);
    expect_decompress_error(KW_CODEC_SNAPPY, x, 18);            /* cut inside a length */

    /* every codec: empty input and plain garbage */
    uint8_t *junk = random_bytes(1000);
    for (int i = 0; i < NCODECS; i++) {
        expect_decompress_error(codecs[i], junk, 0);
        if (codecs[i] != KW_CODEC_SNAPPY) expect_decompress_error(codecs[i], junk, 1000);
    }
    free(junk);
    kw_buf_free(&c);
    free(data);
}

/* ------------------------------------------------------------------ formats */

static void test_xerial_framing(void **st)
{
    (void)st;
    const char *parts[] = {"hello, ", "xerial ", "snappy-java framing"};
    uint8_t frame[512];
    size_t n = 0;
    const uint8_t magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00};
    memcpy(frame, magic, 8); n = 8;
    kw_be32(frame + n, 1); n += 4; /* version */
    kw_be32(frame + n, 1); n += 4; /* compatible version */
    /* header alone: no blocks, no content */
    kw_buf d; kw_buf_init(&d);
    assert_int_equal(kw_decompress(KW_CODEC_SNAPPY, frame, n, &d, 100), 0);
    assert_int_equal(d.len, 0);
    for (int i = 0; i < 3; i++) {
        size_t bl = 100;
        assert_int_equal(snappy_compress(parts[i], strlen(parts[i]), (char *)frame + n + 4, &bl), SNAPPY_OK);
        kw_be32(frame + n, (uint32_t)bl);
        n += 4 + bl;
    }
    const char *want = "hello, xerial snappy-java framing";
    assert_int_equal(kw_decompress(KW_CODEC_SNAPPY, frame, n, &d, 1000), 0);
    assert_int_equal(d.len, strlen(want));
    assert_memory_equal(d.data, want, strlen(want));
    /* the cap counts across blocks */
    d.len = 0;
    assert_int_equal(kw_decompress(KW_CODEC_SNAPPY, frame, n, &d, strlen(want)), 0);
    d.len = 0;
    assert_int_equal(kw_decompress(KW_CODEC_SNAPPY, frame, n, &d, strlen(want) - 1), KW_ERR_BOMB);
    assert_int_equal(d.len, 0);
    kw_buf_free(&d);
}

/* xxHash32 against published values and against lz4's own content checksum. */
static void test_xxh32(void **st)
{
    (void)st;
    assert_int_equal(kw__xxh32("", 0, 0), 0x02CC5D05u);
    assert_int_equal(kw__xxh32("a", 1, 0), 0x550D7456u);
    assert_int_equal(kw__xxh32("abc", 3, 0), 0x32D153FFu);
    for (size_t n = 0; n < 100; n += 7) {
        size_t len = n * 13 + (n & 3);
        uint8_t *data = random_bytes(len);
        LZ4F_preferences_t pr; memset(&pr, 0, sizeof pr);
        pr.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
        size_t cap = LZ4F_compressFrameBound(len, &pr);
        uint8_t *f = malloc(cap);
        assert_non_null(f);
        size_t fl = LZ4F_compressFrame(f, cap, data, len, &pr);
        assert_false(LZ4F_isError(fl));
        uint32_t want = (uint32_t)f[fl - 4] | (uint32_t)f[fl - 3] << 8 | (uint32_t)f[fl - 2] << 16 |
                        (uint32_t)f[fl - 1] << 24;
        assert_int_equal(kw__xxh32(data, len, 0), want);
        free(f);
        free(data);
    }
}

static void test_lz4_old_kafka_header_checksum(void **st)
{
    (void)st;
    size_t n = 70000;
    uint8_t *data = compressible_bytes(n);
    kw_buf c; kw_buf_init(&c);
    assert_int_equal(kw_compress(KW_CODEC_LZ4, KW_LEVEL_DEFAULT, data, n, &c), 0);
    /* Kafka's FLG/BD: version 01, independent blocks, no checksums, no size; 64 KiB blocks */
    assert_int_equal(c.data[4], 0x60);
    assert_int_equal(c.data[5], 0x40);
    assert_int_equal(c.data[6], (uint8_t)(kw__xxh32(c.data + 4, 2, 0) >> 8)); /* HC as the spec says */
    uint8_t broken = (uint8_t)(kw__xxh32(c.data, 6, 0) >> 8);                  /* over magic+FLG+BD */
    assert_int_not_equal(broken, c.data[6]);
    c.data[6] = broken;
    /* two frames, both with the broken checksum (each is repaired) */
    size_t one = c.len;
    uint8_t *copy = malloc(one);
    assert_non_null(copy);
    memcpy(copy, c.data, one);
    kw_buf_put(&c, copy, one);
    free(copy);
    kw_buf d; kw_buf_init(&d);
    assert_int_equal(kw_decompress(KW_CODEC_LZ4, c.data, one, &d, n), 0);
    assert_int_equal(d.len, n);
    assert_memory_equal(d.data, data, n);
    d.len = 0;
    assert_int_equal(kw_decompress(KW_CODEC_LZ4, c.data, 2 * one, &d, 2 * n), 0);
    assert_int_equal(d.len, 2 * n);
    assert_memory_equal(d.data + n, data, n);
    d.len = 0;
    assert_int_equal(kw_decompress(KW_CODEC_LZ4, c.data, 2 * one, &d, 2 * n - 1), KW_ERR_BOMB);
    assert_int_equal(d.len, 0);
    kw_buf_free(&d);
    kw_buf_free(&c);
    free(data);
}

static void test_concatenated(void **st)
{
    (void)st;
    const char *a = "first member ", *b = "second member";
    int cs[] = {KW_CODEC_GZIP, KW_CODEC_LZ4, KW_CODEC_ZSTD};
    for (int i = 0; i < 3; i++) {
        kw_buf c, d; kw_buf_init(&c); kw_buf_init(&d);
        assert_int_equal(kw_compress(cs[i], KW_LEVEL_DEFAULT, a, strlen(a), &c), 0);
        assert_int_equal(kw_compress(cs[i], KW_LEVEL_DEFAULT, b, strlen(b), &c), 0);
        assert_int_equal(kw_decompress(cs[i], c.data, c.len, &d, 100), 0);
        assert_int_equal(d.len, strlen(a) + strlen(b));
        assert_memory_equal(d.data, "first member second member", d.len);
        kw_buf_free(&c); kw_buf_free(&d);
    }
}

/* ------------------------------------------------------------------ interop */

/* ------------------------------------------------------------------ reused zlib streams */

/* What a fresh zlib stream writes for LEVEL (-1 = zlib's default): the reference the
 * thread's reused, reset stream must match byte for byte. */
static int fresh_gzip(int level, const uint8_t *in, size_t n, kw_buf *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    size_t bound = deflateBound(&zs, (uLong)n);
    int rc = kw_buf_reserve(out, bound) ? -1 : 0;
    zs.next_in = (Bytef *)(uintptr_t)in; zs.avail_in = (uInt)n;
    zs.next_out = out->data; zs.avail_out = (uInt)bound;
    if (!rc && deflate(&zs, Z_FINISH) != Z_STREAM_END) rc = -1;
    out->len = bound - zs.avail_out;
    deflateEnd(&zs);
    return rc;
}

/* Checks that also run on other threads, where cmocka's asserts cannot: the first one
 * that fails is returned as text. */
#define REQ(c) do { if (!(c)) { why = #c; goto out; } } while (0)

/* A sequence that makes the thread's deflate stream change level and go back (with a
 * refused level between), and the inflate stream meet corrupt input and the cap between
 * good ones: every output equals a fresh stream's, every good input decodes. */
static void *reuse_sequence(void *arg)
{
    size_t n = 16384 + (size_t)(uintptr_t)arg * 1000;
    const char *why = NULL;
    uint8_t *data = compressible_bytes(n);
    const int levels[] = {KW_LEVEL_DEFAULT, 1, 1, 9, KW_LEVEL_DEFAULT, -1, 6, 1};
    kw_buf mine, ref, back;
    kw_buf_init(&mine); kw_buf_init(&ref); kw_buf_init(&back);
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        mine.len = ref.len = back.len = 0;
        REQ(kw_compress(KW_CODEC_GZIP, levels[i], data, n, &mine) == 0);
        REQ(fresh_gzip(levels[i] == KW_LEVEL_DEFAULT ? -1 : levels[i], data, n, &ref) == 0);
        REQ(mine.len == ref.len && memcmp(mine.data, ref.data, ref.len) == 0);
        /* a corrupt copy fails (as corrupt, or as too long for the cap), then the good one
         * decodes with the same, reset stream */
        mine.data[mine.len / 2] ^= 0x55;
        kw_buf_put(&back, "xy", 2);
        int rc = kw_decompress(KW_CODEC_GZIP, mine.data, mine.len, &back, n);
        REQ((rc == KW_ERR_DECOMPRESS || rc == KW_ERR_BOMB) && back.len == 2);
        mine.data[mine.len / 2] ^= 0x55;
        REQ(kw_decompress(KW_CODEC_GZIP, mine.data, mine.len, &back, n) == 0);
        REQ(back.len == 2 + n && memcmp(back.data + 2, data, n) == 0);
        /* stopped by the cap, then whole again */
        back.len = 0;
        REQ(kw_decompress(KW_CODEC_GZIP, mine.data, mine.len, &back, n - 1) == KW_ERR_BOMB);
        back.len = 0;
        REQ(kw_decompress(KW_CODEC_GZIP, mine.data, mine.len, &back, n) == 0 && back.len == n);
        /* a level zlib does not have is refused before any stream is touched */
        back.len = 0;
        REQ(kw_compress(KW_CODEC_GZIP, 10, data, n, &back) == KW_ERR_CONFIG && back.len == 0);
    }
out:
    kw_buf_free(&mine); kw_buf_free(&ref); kw_buf_free(&back);
    free(data);
    return (void *)why;
}
#undef REQ

static void test_gzip_stream_reuse(void **st)
{
    (void)st;
    const char *why = reuse_sequence((void *)0);
    if (why) fail_msg("main thread: %s", why);
    /* three threads at once, each with its own streams (freed by the key destructor at
     * their exit: ASan's leak check sees it) */
    pthread_t t[3];
    for (uintptr_t i = 0; i < 3; i++) assert_int_equal(pthread_create(&t[i], NULL, reuse_sequence, (void *)(i + 1)), 0);
    for (int i = 0; i < 3; i++) {
        void *r;
        assert_int_equal(pthread_join(t[i], &r), 0);
        if (r) fail_msg("thread %d: %s", i + 1, (const char *)r);
    }
}

static void test_kafka_python_vectors(void **st)
{
    (void)st;
    size_t pn;
    uint8_t *payload = read_file("tests/data/codec/payload.txt", &pn);
    assert_int_equal(pn, 44797);
    struct { const char *file; int codec; } v[] = {
        {"tests/data/codec/payload.gzip", KW_CODEC_GZIP},
        {"tests/data/codec/payload.snappy-xerial", KW_CODEC_SNAPPY},
        {"tests/data/codec/payload.snappy-raw", KW_CODEC_SNAPPY},
        {"tests/data/codec/payload.lz4", KW_CODEC_LZ4},
        {"tests/data/codec/payload.zstd", KW_CODEC_ZSTD},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n;
        uint8_t *in = read_file(v[i].file, &n);
        kw_buf d; kw_buf_init(&d);
        assert_int_equal(kw_decompress(v[i].codec, in, n, &d, pn), 0);
        assert_int_equal(d.len, pn);
        assert_memory_equal(d.data, payload, pn);
        d.len = 0;
        assert_int_equal(kw_decompress(v[i].codec, in, n, &d, pn - 1), KW_ERR_BOMB);
        kw_buf_free(&d);
        free(in);
    }
    free(payload);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_parse),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_unknown_codec),
        cmocka_unit_test(test_round_trip_small),
        cmocka_unit_test(test_round_trip_random_1mib),
        cmocka_unit_test(test_round_trip_compressible_10mib),
        cmocka_unit_test(test_appends),
        cmocka_unit_test(test_cap_exact),
        cmocka_unit_test(test_cap_zstd_unknown_size),
        cmocka_unit_test(test_snappy_announced_size),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_xerial_framing),
        cmocka_unit_test(test_xxh32),
        cmocka_unit_test(test_lz4_old_kafka_header_checksum),
        cmocka_unit_test(test_concatenated),
        cmocka_unit_test(test_kafka_python_vectors),
        cmocka_unit_test(test_real_bombs),
        cmocka_unit_test(test_gzip_stream_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
