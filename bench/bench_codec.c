/*
 * bench/bench_codec.c — throughput of codec/crc32c and codec/compress.
 *
 *   CRC-32C: hardware and software paths beside memcpy, on the same 1 MiB and 64 KiB buffers.
 *   Codecs:  kw_compress / kw_decompress beside the bare library calls (reused library
 *            contexts, preallocated output: the best a caller could do) on the same data,
 *            at the same level, and kwire's overhead in percent.
 * Payloads: "json" = the labs' 92-byte record {"data": "AAAA…"} (80 A's) repeated to
 * 1 MiB; "mixed" = 1 MiB of varied JSON records with random ids, names and numbers
 * (far less compressible).
 * Every figure is the best of many short repetitions, timed in thread CPU time (so time
 * the scheduler gives to other processes on a shared machine does not count); kwire and
 * raw repetitions alternate so both see the same conditions. Figures only, no pass/fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "codec/compress.h"
#include "codec/crc32c.h"

#define REPS 40
#define MIN_REP_SEC 0.003

/* Thread CPU time in seconds. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile uint32_t sink_u32;

/* ------------------------------------------------------------------ timing harness */

typedef void (*op_fn)(void *ctx);

/* Seconds per call of fn: best over REPS repetitions of a batch lasting >= MIN_REP_SEC. */
typedef struct timer { op_fn fn; void *ctx; long iters; double best; } timer;

static void timer_init(timer *t, op_fn fn, void *ctx)
{
    t->fn = fn; t->ctx = ctx; t->best = 1e30;
    double t0 = now();
    long n = 0;
    do { fn(ctx); n++; } while (now() - t0 < MIN_REP_SEC / 4);
    t->iters = n * 4;
}

static void timer_rep(timer *t)
{
    double t0 = now();
    for (long i = 0; i < t->iters; i++) t->fn(t->ctx);
    double per = (now() - t0) / (double)t->iters;
    if (per < t->best) t->best = per;
}

/* Time two operations with alternating repetitions. */
static void time_pair(timer *a, timer *b)
{
    for (int r = 0; r < REPS; r++) { timer_rep(a); if (b) timer_rep(b); }
}

/* ------------------------------------------------------------------ CRC-32C */

typedef struct crcjob { const uint8_t *src; uint8_t *dst; size_t n; } crcjob;

static void op_crc_hw(void *c) { crcjob *j = c; sink_u32 = kw__crc32c_hw(0, j->src, j->n); }
static void op_crc_sw(void *c) { crcjob *j = c; sink_u32 = kw__crc32c_sw(0, j->src, j->n); }
static void op_crc_auto(void *c) { crcjob *j = c; sink_u32 = kw_crc32c(0, j->src, j->n); }
static void op_memcpy(void *c)
{
    crcjob *j = c;
    memcpy(j->dst, j->src, j->n);
    __asm__ volatile("" : : "r"(j->dst) : "memory");
}

static void bench_crc(const uint8_t *buf, uint8_t *dst, size_t n)
{
    crcjob j = {buf, dst, n};
    timer hw, sw, au, mc;
    int have_hw = kw_crc32c_hw_available();
    if (have_hw) timer_init(&hw, op_crc_hw, &j);
    timer_init(&sw, op_crc_sw, &j);
    timer_init(&au, op_crc_auto, &j);
    timer_init(&mc, op_memcpy, &j);
    for (int r = 0; r < REPS; r++) {
        if (have_hw) timer_rep(&hw);
        timer_rep(&sw); timer_rep(&au); timer_rep(&mc);
    }
    double gb = (double)n / 1e9;
    printf("crc32c %7zu B: hardware %6.2f GB/s  software %5.2f GB/s  kw_crc32c %6.2f GB/s  memcpy %6.2f GB/s"
           "  (hw/sw %.1fx, hw/memcpy %.2f)\n",
           n, have_hw ? gb / hw.best : 0.0, gb / sw.best, gb / au.best, gb / mc.best,
           have_hw ? sw.best / hw.best : 0.0, have_hw ? mc.best / hw.best : 0.0);
}

/* ------------------------------------------------------------------ codecs: raw library calls */

typedef struct job {
    int codec, level;
    const uint8_t *data; size_t n;     /* plain */
    uint8_t *comp; size_t clen;        /* kwire's compressed form of data */
    uint8_t *rawbuf; size_t rawcap;    /* raw calls' output */
    kw_buf out;                        /* kwire's output, reused */
    ZSTD_CCtx *zc; ZSTD_DCtx *zd;
    LZ4F_cctx *lc; LZ4F_dctx *ld;
    int failed;
} job;

static void raw_gzip_c(job *j)
{
    z_stream zs; memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, j->level == KW_LEVEL_DEFAULT ? -1 : j->level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = (Bytef *)(uintptr_t)j->data; zs.avail_in = (uInt)j->n;
    zs.next_out = j->rawbuf; zs.avail_out = (uInt)j->rawcap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) j->failed = 1;
    deflateEnd(&zs);
}

static void raw_gzip_d(job *j)
{
    z_stream zs; memset(&zs, 0, sizeof zs);
    inflateInit2(&zs, 15 + 32);
    zs.next_in = (Bytef *)(uintptr_t)j->comp; zs.avail_in = (uInt)j->clen;
    zs.next_out = j->rawbuf; zs.avail_out = (uInt)j->rawcap;
    if (inflate(&zs, Z_FINISH) != Z_STREAM_END || zs.total_out != j->n) j->failed = 1;
    inflateEnd(&zs);
}

static void raw_snappy_c(job *j)
{
    size_t n = j->rawcap;
    if (snappy_compress((const char *)j->data, j->n, (char *)j->rawbuf, &n) != SNAPPY_OK) j->failed = 1;
}

static void raw_snappy_d(job *j)
{
    size_t n = j->rawcap;
    if (snappy_uncompress((const char *)j->comp, j->clen, (char *)j->rawbuf, &n) != SNAPPY_OK || n != j->n)
        j->failed = 1;
}

static void raw_lz4_c(job *j)
{
    LZ4F_preferences_t pr; memset(&pr, 0, sizeof pr);
    pr.frameInfo.blockSizeID = LZ4F_max64KB;
    pr.frameInfo.blockMode = LZ4F_blockIndependent;
    pr.compressionLevel = j->level == KW_LEVEL_DEFAULT ? 9 : j->level;
    pr.autoFlush = 1;
    LZ4F_compressOptions_t opt = {.stableSrc = 1};
    size_t pos = LZ4F_compressBegin(j->lc, j->rawbuf, j->rawcap, &pr);
    size_t r = LZ4F_compressUpdate(j->lc, j->rawbuf + pos, j->rawcap - pos, j->data, j->n, &opt);
    if (LZ4F_isError(r)) { j->failed = 1; return; }
    pos += r;
    r = LZ4F_compressEnd(j->lc, j->rawbuf + pos, j->rawcap - pos, &opt);
    if (LZ4F_isError(r)) j->failed = 1;
}

static void raw_lz4_d(job *j)
{
    size_t dn = j->rawcap, sn = j->clen;
    size_t r = LZ4F_decompress(j->ld, j->rawbuf, &dn, j->comp, &sn, NULL);
    if (r != 0 || dn != j->n) j->failed = 1;
}

static void raw_zstd_c(job *j)
{
    size_t r = ZSTD_compressCCtx(j->zc, j->rawbuf, j->rawcap, j->data, j->n, j->level == KW_LEVEL_DEFAULT ? 3 : j->level);
    if (ZSTD_isError(r)) j->failed = 1;
}

static void raw_zstd_d(job *j)
{
    size_t r = ZSTD_decompressDCtx(j->zd, j->rawbuf, j->rawcap, j->comp, j->clen);
    if (ZSTD_isError(r) || r != j->n) j->failed = 1;
}

static void op_raw_c(void *c)
{
    job *j = c;
    switch (j->codec) {
    case KW_CODEC_GZIP: raw_gzip_c(j); break;
    case KW_CODEC_SNAPPY: raw_snappy_c(j); break;
    case KW_CODEC_LZ4: raw_lz4_c(j); break;
    default: raw_zstd_c(j); break;
    }
}

static void op_raw_d(void *c)
{
    job *j = c;
    switch (j->codec) {
    case KW_CODEC_GZIP: raw_gzip_d(j); break;
    case KW_CODEC_SNAPPY: raw_snappy_d(j); break;
    case KW_CODEC_LZ4: raw_lz4_d(j); break;
    default: raw_zstd_d(j); break;
    }
}

/* ------------------------------------------------------------------ codecs: kwire */

static void op_kw_c(void *c)
{
    job *j = c;
    j->out.len = 0;
    if (kw_compress(j->codec, j->level, j->data, j->n, &j->out)) j->failed = 1;
}

static void op_kw_d(void *c)
{
    job *j = c;
    j->out.len = 0;
    if (kw_decompress(j->codec, j->comp, j->clen, &j->out, KW_DECOMPRESS_MAX_DEFAULT) || j->out.len != j->n)
        j->failed = 1;
}

static void bench_codec(int codec, const char *label, const uint8_t *data, size_t n)
{
    job j;
    memset(&j, 0, sizeof j);
    j.codec = codec; j.level = KW_LEVEL_DEFAULT; j.data = data; j.n = n;
    kw_buf_init(&j.out);
    kw_buf c; kw_buf_init(&c);
    if (kw_compress(codec, j.level, data, n, &c)) { printf("%s: compress failed\n", kw_codec_name(codec)); return; }
    j.comp = c.data; j.clen = c.len;
    j.rawcap = n * 2 + 65536;
    j.rawbuf = malloc(j.rawcap);
    j.zc = ZSTD_createCCtx(); j.zd = ZSTD_createDCtx();
    LZ4F_createCompressionContext(&j.lc, LZ4F_VERSION);
    LZ4F_createDecompressionContext(&j.ld, LZ4F_VERSION);
    if (!j.rawbuf || !j.zc || !j.zd || !j.lc || !j.ld) { printf("out of memory\n"); exit(1); }

    timer kc, rc, kd, rd;
    timer_init(&kc, op_kw_c, &j); timer_init(&rc, op_raw_c, &j);
    time_pair(&kc, &rc);
    timer_init(&kd, op_kw_d, &j); timer_init(&rd, op_raw_d, &j);
    time_pair(&kd, &rd);

    double mb = (double)n / 1e6;
    printf("%-6s %-5s ratio %6.2f  compress kwire %8.1f MB/s raw %8.1f MB/s (%+5.1f%%)"
           "  decompress kwire %8.1f MB/s raw %8.1f MB/s (%+5.1f%%)%s\n",
           kw_codec_name(codec), label, (double)n / (double)c.len,
           mb / kc.best, mb / rc.best, (kc.best / rc.best - 1) * 100,
           mb / kd.best, mb / rd.best, (kd.best / rd.best - 1) * 100, j.failed ? "  FAILED CALLS" : "");
    ZSTD_freeCCtx(j.zc); ZSTD_freeDCtx(j.zd);
    LZ4F_freeCompressionContext(j.lc); LZ4F_freeDecompressionContext(j.ld);
    free(j.rawbuf);
    kw_buf_free(&j.out);
    kw_buf_free(&c);
}

/* ------------------------------------------------------------------ payloads */

static uint64_t rng = 0x853C49E6748FEA9Bull;
static uint32_t rnd(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static uint8_t *payload_json(size_t n)
{
    uint8_t *p = malloc(n);
    char rec[96];
    int k = snprintf(rec, sizeof rec, "{\"data\": \"%s\"}",
                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    if (!p || k != 92) { printf("payload\n"); exit(1); }
    for (size_t off = 0; off < n; off += 92) memcpy(p + off, rec, n - off < 92 ? n - off : 92);
    return p;
}

static uint8_t *payload_mixed(size_t n)
{
    static const char *names[] = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
    static const char *events[] = {"click", "view", "purchase", "login", "logout", "search"};
    uint8_t *p = malloc(n + 512);
    if (!p) exit(1);
    size_t off = 0;
    while (off < n) {
        char tok[17];
        for (int i = 0; i < 16; i++) tok[i] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[rnd() % 62];
        tok[16] = 0;
        off += (size_t)snprintf((char *)p + off, 512,
                                "{\"id\": %u, \"user\": \"%s%u\", \"event\": \"%s\", \"amount\": %u.%02u, "
                                "\"session\": \"%s\", \"ts\": %u}",
                                rnd(), names[rnd() % 8], rnd() % 10000, events[rnd() % 6], rnd() % 100000,
                                rnd() % 100, tok, 1700000000u + rnd() % 10000000u);
    }
    return p;
}

int main(void)
{
    size_t n = 1u << 20;
    uint8_t *buf = malloc(n), *dst = malloc(n);
    if (!buf || !dst) return 1;
    for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)rnd();
    printf("== CRC-32C (best of %d)\n", REPS);
    bench_crc(buf, dst, n);
    bench_crc(buf, dst, 64 * 1024);
    free(buf); free(dst);

    printf("== codecs, 1 MiB payloads, default levels (gzip -1, lz4 9, zstd 3), best of %d\n", REPS);
    uint8_t *json = payload_json(n), *mixed = payload_mixed(n);
    int codecs[] = {KW_CODEC_GZIP, KW_CODEC_SNAPPY, KW_CODEC_LZ4, KW_CODEC_ZSTD};
    for (int i = 0; i < 4; i++) {
        bench_codec(codecs[i], "json", json, n);
        bench_codec(codecs[i], "mixed", mixed, n);
    }
    free(json); free(mixed);
    return 0;
}
