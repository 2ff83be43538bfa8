/*
 * codec/compress.c — Kafka's compression codecs (gzip, snappy, lz4, zstd) behind
 * kw_compress() / kw_decompress(), with a hard cap on decompressed output.
 *
 * Formats written (as Kafka's own producer writes them):
 *   gzip    one gzip member (RFC 1952) from zlib, windowBits 15+16;
 *   snappy  one raw snappy block;
 *   lz4     one LZ4 frame: 64 KiB independent blocks, no checksums, no content size
 *           (the FLG/BD bytes Kafka's KafkaLZ4BlockOutputStream writes);
 *   zstd    one zstd frame (content size recorded).
 * Formats read: the above, plus concatenated gzip members / lz4 frames / zstd frames,
 * zlib-wrapped deflate (windowBits 15+32 auto-detects), snappy-java's "xerial" framing,
 * and lz4 frames whose header checksum was computed the broken way of old Kafka
 * clients (over the magic number too).
 *
 * The cap. Output goes straight into the caller's kw_buf, which is grown by this file
 * (never past entry length + max_out). When the output space reaches the cap and the
 * decoder is not finished, it is given a small scratch buffer instead: if it writes
 * anything there, the input decompresses to more than max_out -> KW_ERR_BOMB. So no
 * allocation ever exceeds the cap, whatever the input claims.
 *
 * Contexts. zstd and lz4 contexts, and zlib's streams, are costly to create, so each
 * thread keeps one of each in thread-local storage (freed by a pthread key destructor
 * when the thread exits) and resets it between calls. For zlib this is a third of the
 * cost of gzip on a 16 KiB batch of the labs' records: deflateInit2 allocates and clears
 * about 256 KiB each time (178 us per batch created per call, 115 us reset; inflate
 * 16 us and 13 us).
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "compress.h"

/* ------------------------------------------------------------------ names, levels */

const char *kw_codec_name(int codec)
{
    switch (codec) {
    case KW_CODEC_NONE: return "none";
    case KW_CODEC_GZIP: return "gzip";
    case KW_CODEC_SNAPPY: return "snappy";
    case KW_CODEC_LZ4: return "lz4";
    case KW_CODEC_ZSTD: return "zstd";
    default: return "unknown";
    }
}

int kw_codec_parse(const char *name)
{
    if (!name) return KW_ERR_CONFIG;
    for (int c = KW_CODEC_NONE; c <= KW_CODEC_ZSTD; c++)
        if (strcmp(name, kw_codec_name(c)) == 0) return c;
    return KW_ERR_CONFIG;
}

/* Kafka 4.0 producer settings compression.{gzip,lz4,zstd}.level. */
#define GZIP_DEFAULT (-1) /* zlib's default (level 6) */
#define LZ4_MIN 1
#define LZ4_MAX 17
#define LZ4_DEFAULT 9
#define ZSTD_MIN (-131072)
#define ZSTD_MAX 22
#define ZSTD_DEFAULT 3

int kw_codec_level_valid(int codec, int level)
{
    if (level == KW_LEVEL_DEFAULT)
        return codec >= KW_CODEC_NONE && codec <= KW_CODEC_ZSTD;
    switch (codec) {
    case KW_CODEC_GZIP: return level == -1 || (level >= 1 && level <= 9);
    case KW_CODEC_LZ4: return level >= LZ4_MIN && level <= LZ4_MAX;
    case KW_CODEC_ZSTD: return level >= ZSTD_MIN && level <= ZSTD_MAX;
    default: return 0; /* none and snappy have no level; unknown codecs nothing */
    }
}

/* ------------------------------------------------------------------ per-thread contexts */

struct ctxs {
    ZSTD_CCtx *zc;
    ZSTD_DCtx *zd;
    LZ4F_cctx *lc;
    LZ4F_dctx *ld;
    z_stream gz_c;   /* deflate, gzip wrapper; valid when gz_c_ok */
    int gz_c_ok;
    int gz_c_level;  /* the level it was made for */
    z_stream gz_d;   /* inflate, gzip or zlib wrapper; valid when gz_d_ok */
    int gz_d_ok;
};

static _Thread_local struct ctxs *tls_ctxs;
static pthread_key_t ctx_key;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;
static int ctx_key_ok;

static void ctxs_free(void *p)
{
    struct ctxs *c = p;
    if (!c) return;
    ZSTD_freeCCtx(c->zc);
    ZSTD_freeDCtx(c->zd);
    if (c->lc) LZ4F_freeCompressionContext(c->lc);
    if (c->ld) LZ4F_freeDecompressionContext(c->ld);
    if (c->gz_c_ok) deflateEnd(&c->gz_c);
    if (c->gz_d_ok) inflateEnd(&c->gz_d);
    free(c);
}

static void ctx_key_init(void) { ctx_key_ok = pthread_key_create(&ctx_key, ctxs_free) == 0; }

static struct ctxs *ctxs_get(void)
{
    if (tls_ctxs) return tls_ctxs;
    pthread_once(&ctx_once, ctx_key_init);
    struct ctxs *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    /* Without a key (never seen in practice) the contexts could not be freed at thread
     * exit, so they are not cached: callers then use per-call contexts. */
    if (!ctx_key_ok || pthread_setspecific(ctx_key, c) != 0) { free(c); return NULL; }
    tls_ctxs = c;
    return c;
}

/* ------------------------------------------------------------------ output sink with cap */

typedef struct sink {
    kw_buf *out;
    size_t base;  /* out->len on entry */
    size_t max;   /* cap on bytes appended */
    int probing;  /* the current space is the scratch buffer */
    uint8_t scratch[64];
} sink;

static void sink_init(sink *s, kw_buf *out, size_t max_out)
{
    s->out = out; s->base = out->len; s->max = max_out; s->probing = 0;
}

/* Bytes still allowed. */
static size_t sink_left(const sink *s) { return s->max - (s->out->len - s->base); }

/* Grow out so that at least min(want, left) bytes are free (exact realloc, never past the cap). */
static int sink_reserve(sink *s, size_t want)
{
    kw_buf *b = s->out;
    size_t left = sink_left(s);
    if (want > left) want = left;
    if (b->cap - b->len >= want) return 0;
    size_t ncap = b->len + want;
    uint8_t *p = realloc(b->data, ncap ? ncap : 1);
    if (!p) return KW_ERR_NOMEM;
    b->data = p;
    b->cap = ncap;
    return 0;
}

/* Space for the decoder's next output: the buffer's free room (grown geometrically,
 * at most up to the cap), or the scratch buffer once the cap is reached. */
static int sink_space(sink *s, uint8_t **p, size_t *n, size_t hint)
{
    kw_buf *b = s->out;
    size_t left = sink_left(s);
    if (left == 0) { s->probing = 1; *p = s->scratch; *n = sizeof s->scratch; return 0; }
    if (b->cap == b->len) {
        size_t used = b->len - s->base;
        size_t want = used > hint ? used : hint;
        if (want < 65536) want = 65536;
        int rc = sink_reserve(s, want);
        if (rc) return rc;
    }
    size_t room = b->cap - b->len;
    *p = b->data + b->len;
    *n = room < left ? room : left;
    return 0;
}

/* Account for n bytes written into the last space; KW_ERR_BOMB if they went past the cap. */
static int sink_commit(sink *s, size_t n)
{
    if (s->probing) return n ? KW_ERR_BOMB : 0;
    s->out->len += n;
    return 0;
}

/* ------------------------------------------------------------------ gzip */

static int gzip_level(int level) { return level == KW_LEVEL_DEFAULT ? GZIP_DEFAULT : level; }

/* A deflate stream for LEVEL: this thread's, reset (or remade for another level), or
 * without a thread context one made here (*own = 1: the caller ends it). */
static z_stream *deflater(int level, z_stream *local, int *own)
{
    struct ctxs *c = ctxs_get();
    *own = 0;
    if (c && c->gz_c_ok && c->gz_c_level == level && deflateReset(&c->gz_c) == Z_OK) return &c->gz_c;
    if (c && c->gz_c_ok) { deflateEnd(&c->gz_c); c->gz_c_ok = 0; }
    z_stream *zs = c ? &c->gz_c : local;
    memset(zs, 0, sizeof *zs);
    /* windowBits 15+16: gzip wrapper; memLevel 8 and the default strategy, as Java's Deflater. */
    if (deflateInit2(zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    if (c) { c->gz_c_ok = 1; c->gz_c_level = level; } else *own = 1;
    return zs;
}

static int gzip_compress(int level, const uint8_t *in, size_t len, kw_buf *out)
{
    z_stream local, *zs;
    int own;
    level = gzip_level(level);
    if (!(zs = deflater(level, &local, &own))) return KW_ERR_COMPRESS;
    size_t bound = deflateBound(zs, (uLong)len);
    int rc = kw_buf_reserve(out, bound);
    if (rc) { if (own) deflateEnd(zs); return rc; }
    zs->next_in = (Bytef *)(uintptr_t)in;
    zs->next_out = out->data + out->len;
    size_t in_left = len, out_left = bound;
    int zr;
    do {
        uInt ai = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
        uInt ao = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
        zs->avail_in = ai; zs->avail_out = ao;
        zr = deflate(zs, ai == in_left ? Z_FINISH : Z_NO_FLUSH);
        in_left -= ai - zs->avail_in;
        out_left -= ao - zs->avail_out;
    } while (zr == Z_OK); /* Z_OK only between chunks of inputs over 4 GiB */
    /* the thread's stream keeps pointers into in/out until its next reset; it is never
     * used before one */
    if (own) deflateEnd(zs);
    if (zr != Z_STREAM_END) return KW_ERR_COMPRESS;
    out->len += bound - out_left;
    return 0;
}

/* An inflate stream (gzip or zlib wrapper, windowBits 15+32): this thread's, reset, or
 * one made here (*own = 1). */
static z_stream *inflater(z_stream *local, int *own)
{
    struct ctxs *c = ctxs_get();
    *own = 0;
    if (c && c->gz_d_ok) {
        if (inflateReset(&c->gz_d) == Z_OK) return &c->gz_d;
        inflateEnd(&c->gz_d);
        c->gz_d_ok = 0;
    }
    z_stream *zs = c ? &c->gz_d : local;
    memset(zs, 0, sizeof *zs);
    if (inflateInit2(zs, 15 + 32) != Z_OK) return NULL;
    if (c) c->gz_d_ok = 1; else *own = 1;
    return zs;
}

static int gzip_decompress(const uint8_t *in, size_t len, sink *s)
{
    z_stream local, *zs;
    int own;
    if (!(zs = inflater(&local, &own))) return KW_ERR_NOMEM;
    size_t in_left = len;
    zs->next_in = (Bytef *)(uintptr_t)in;
    int rc = 0;
    for (;;) {
        uint8_t *p; size_t n;
        if ((rc = sink_space(s, &p, &n, len * 4))) break;
        uInt ai = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
        uInt ao = n > UINT_MAX ? UINT_MAX : (uInt)n;
        zs->avail_in = ai; zs->next_out = p; zs->avail_out = ao;
        int zr = inflate(zs, Z_NO_FLUSH);
        in_left -= ai - zs->avail_in;
        if ((rc = sink_commit(s, ao - zs->avail_out))) break;
        if (zr == Z_STREAM_END) {
            if (in_left == 0) break;
            /* Another gzip member follows (e.g. a concatenation of members). */
            if (inflateReset(zs) != Z_OK) { rc = KW_ERR_DECOMPRESS; break; }
            continue;
        }
        if (zr == Z_MEM_ERROR) { rc = KW_ERR_NOMEM; break; }
        if (zr != Z_OK && zr != Z_BUF_ERROR) { rc = KW_ERR_DECOMPRESS; break; }
        /* Input used up while inflate still had room to write: the stream is cut short. */
        if (in_left == 0 && zs->avail_out) { rc = KW_ERR_DECOMPRESS; break; }
        /* No progress at all (Z_BUF_ERROR): never loop on it. */
        if (zs->avail_in == ai && zs->avail_out == ao) { rc = KW_ERR_DECOMPRESS; break; }
    }
    if (own) inflateEnd(zs);
    return rc;
}

/* ------------------------------------------------------------------ snappy */

static int snappy_compress_raw(const uint8_t *in, size_t len, kw_buf *out)
{
    size_t n = snappy_max_compressed_length(len);
    int rc = kw_buf_reserve(out, n);
    if (rc) return rc;
    if (snappy_compress((const char *)in, len, (char *)out->data + out->len, &n) != SNAPPY_OK)
        return KW_ERR_COMPRESS;
    out->len += n;
    return 0;
}

/* One raw block, its announced length checked against the cap before any allocation. */
static int snappy_block(const uint8_t *in, size_t len, sink *s)
{
    size_t n;
    if (snappy_uncompressed_length((const char *)in, len, &n) != SNAPPY_OK) return KW_ERR_DECOMPRESS;
    if (n > sink_left(s)) return KW_ERR_BOMB;
    /* Many xerial blocks: grow geometrically (still capped), not block by block. */
    size_t used = s->out->len - s->base;
    if (s->out->cap - s->out->len < n) {
        int rc = sink_reserve(s, n > used ? n : used);
        if (rc) return rc;
    }
    size_t got = n;
    if (n && snappy_uncompress((const char *)in, len, (char *)s->out->data + s->out->len, &got) != SNAPPY_OK)
        return KW_ERR_DECOMPRESS;
    if (n == 0 && snappy_validate_compressed_buffer((const char *)in, len) != SNAPPY_OK) return KW_ERR_DECOMPRESS;
    if (got != n) return KW_ERR_DECOMPRESS;
    s->out->len += n;
    return 0;
}

/*
 * snappy-java (xerial) framing, written by Java producers' SnappyOutputStream:
 *   magic    8 bytes  0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00
 *   version  int32 BE (1)
 *   compat   int32 BE (1)
 *   then repeated: int32 BE block length, that many bytes of one raw snappy block.
 */
static const uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
#define XERIAL_HEADER 16

static int snappy_decompress(const uint8_t *in, size_t len, sink *s)
{
    if (len < XERIAL_HEADER || memcmp(in, xerial_magic, sizeof xerial_magic) != 0)
        return snappy_block(in, len, s);
    kw_rd r;
    kw_rd_init(&r, in + XERIAL_HEADER, len - XERIAL_HEADER);
    while (kw_rd_left(&r)) {
        int32_t blen = kw_rd_i32(&r);
        if (r.err || blen <= 0 || (size_t)blen > kw_rd_left(&r)) return KW_ERR_DECOMPRESS;
        int rc = snappy_block(kw_rd_take(&r, (size_t)blen), (size_t)blen, s);
        if (rc) return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ lz4 */

/* xxHash32 (Yann Collet's public algorithm), needed to repair old lz4 header checksums. */
#define XP1 2654435761u
#define XP2 2246822519u
#define XP3 3266489917u
#define XP4 668265263u
#define XP5 374761393u

static inline uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
static inline uint32_t ld32le(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint32_t xxh_round(uint32_t v, uint32_t lane) { return rotl32(v + lane * XP2, 13) * XP1; }

uint32_t kw__xxh32(const void *data, size_t len, uint32_t seed)
{
    const uint8_t *p = data, *end = p + len;
    uint32_t h;
    if (len >= 16) {
        uint32_t v1 = seed + XP1 + XP2, v2 = seed + XP2, v3 = seed, v4 = seed - XP1;
        const uint8_t *limit = end - 16;
        do {
            v1 = xxh_round(v1, ld32le(p)); v2 = xxh_round(v2, ld32le(p + 4));
            v3 = xxh_round(v3, ld32le(p + 8)); v4 = xxh_round(v4, ld32le(p + 12));
            p += 16;
        } while (p <= limit);
        h = rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18);
    } else {
        h = seed + XP5;
    }
    h += (uint32_t)len;
    for (; end - p >= 4; p += 4) h = rotl32(h + ld32le(p) * XP3, 17) * XP4;
    for (; p < end; p++) h = rotl32(h + *p * XP5, 11) * XP1;
    h ^= h >> 15; h *= XP2; h ^= h >> 13; h *= XP3; h ^= h >> 16;
    return h;
}

/*
 * Kafka's producer uses lz4's fast compressor at the default level (9) and the
 * high-compression one only for other levels (Lz4BlockOutputStream). LZ4F's level 0 is
 * the fast compressor; 3..12 are HC levels (1..2 are fast too, 13+ clamp to 12).
 */
static int lz4_level(int level)
{
    return level == KW_LEVEL_DEFAULT || level == LZ4_DEFAULT ? 0 : level;
}

static void lz4_prefs(LZ4F_preferences_t *pr, int level)
{
    memset(pr, 0, sizeof *pr);
    pr->frameInfo.blockSizeID = LZ4F_max64KB;
    pr->frameInfo.blockMode = LZ4F_blockIndependent;
    pr->compressionLevel = level;
    pr->autoFlush = 1;
}

static int lz4_compress(int level, const uint8_t *in, size_t len, kw_buf *out)
{
    LZ4F_preferences_t pr;
    lz4_prefs(&pr, lz4_level(level));
    size_t bound = LZ4F_HEADER_SIZE_MAX + LZ4F_compressBound(len, &pr);
    int rc = kw_buf_reserve(out, bound);
    if (rc) return rc;
    struct ctxs *c = ctxs_get();
    LZ4F_cctx *cc = c ? c->lc : NULL;
    if (!cc) {
        if (LZ4F_isError(LZ4F_createCompressionContext(&cc, LZ4F_VERSION))) return KW_ERR_NOMEM;
        if (c) c->lc = cc;
    }
    uint8_t *dst = out->data + out->len;
    size_t pos = 0;
    LZ4F_compressOptions_t opt = {.stableSrc = 1};
    size_t r = LZ4F_compressBegin(cc, dst, bound, &pr);
    if (!LZ4F_isError(r)) {
        pos += r;
        r = LZ4F_compressUpdate(cc, dst + pos, bound - pos, in, len, &opt);
    }
    if (!LZ4F_isError(r)) {
        pos += r;
        r = LZ4F_compressEnd(cc, dst + pos, bound - pos, &opt);
    }
    if (!c) LZ4F_freeCompressionContext(cc);
    if (LZ4F_isError(r)) return KW_ERR_COMPRESS;
    out->len += pos + r;
    return 0;
}

/*
 * LZ4 frame header (lz4 frame format 1.6):
 *   magic  4 bytes LE 0x184D2204
 *   FLG    1 byte: version(2) blockIndep(1) blockChecksum(1) contentSize(1) contentChecksum(1) reserved(1) dictID(1)
 *   BD     1 byte: reserved(1) blockMaxSize(3) reserved(4)
 *   [content size 8 bytes LE if FLG bit 3] [dictID 4 bytes LE if FLG bit 0]
 *   HC     1 byte: (xxh32(FLG .. end of descriptor, seed 0) >> 8) & 0xff
 * Kafka clients before 0.10 (KAFKA-3160) hashed from the magic number on. If hc_pos
 * holds exactly that broken value, return the offset of HC and the right value.
 */
static int lz4_broken_hc(const uint8_t *f, size_t len, size_t *hc_pos, uint8_t *good)
{
    if (len < 7 || ld32le(f) != 0x184D2204u) return 0;
    uint8_t flg = f[4];
    size_t desc = 2 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0);
    if (len < 4 + desc + 1) return 0;
    uint8_t broken = (uint8_t)(kw__xxh32(f, 4 + desc, 0) >> 8);
    uint8_t right = (uint8_t)(kw__xxh32(f + 4, desc, 0) >> 8);
    if (f[4 + desc] != broken || broken == right) return 0;
    *hc_pos = 4 + desc;
    *good = right;
    return 1;
}

static int lz4_decompress(const uint8_t *in, size_t len, sink *s)
{
    struct ctxs *c = ctxs_get();
    LZ4F_dctx *dc = c ? c->ld : NULL;
    if (!dc) {
        if (LZ4F_isError(LZ4F_createDecompressionContext(&dc, LZ4F_VERSION))) return KW_ERR_NOMEM;
        if (c) c->ld = dc;
    }
    LZ4F_resetDecompressionContext(dc);
    const uint8_t *src = in;
    uint8_t *fixed = NULL;        /* copy of the input with repaired header checksums */
    size_t pos = 0;               /* bytes of src consumed */
    size_t frame = 0;             /* where the current frame starts in src */
    size_t frame_out = s->out->len; /* out->len when it started */
    size_t repaired = SIZE_MAX;   /* frame start last repaired */
    size_t hint = 1;              /* LZ4F's last return: 0 = at a frame boundary */
    int rc = len ? 0 : KW_ERR_DECOMPRESS;
    while (!rc && pos < len) {
        uint8_t *p; size_t n;
        if ((rc = sink_space(s, &p, &n, len * 4))) break;
        size_t sn = len - pos, dn = n;
        hint = LZ4F_decompress(dc, p, &dn, src + pos, &sn, NULL);
        if (LZ4F_isError(hint)) {
            size_t hc; uint8_t good;
            if (strcmp(LZ4F_getErrorName(hint), "ERROR_headerChecksum_invalid") == 0 && repaired != frame &&
                lz4_broken_hc(src + frame, len - frame, &hc, &good)) {
                if (!fixed) {
                    if (!(fixed = malloc(len))) { rc = KW_ERR_NOMEM; break; }
                    memcpy(fixed, in, len);
                    src = fixed;
                }
                fixed[frame + hc] = good;
                repaired = frame;
                pos = frame;
                s->out->len = frame_out;
                s->probing = 0;
                LZ4F_resetDecompressionContext(dc);
                hint = 1;
                continue;
            }
            rc = KW_ERR_DECOMPRESS;
            break;
        }
        pos += sn;
        if ((rc = sink_commit(s, dn))) break;
        if (hint == 0) { frame = pos; frame_out = s->out->len; }
        else if (sn == 0 && dn == 0 && pos < len && n > 0) {
            /* no progress although input and room remain: cannot happen with a sane decoder */
            rc = KW_ERR_DECOMPRESS;
        }
    }
    /* Input ended: the last frame must be complete and fully flushed. */
    while (!rc && hint != 0) {
        uint8_t *p; size_t n;
        if ((rc = sink_space(s, &p, &n, 65536))) break;
        size_t sn = 0, dn = n;
        hint = LZ4F_decompress(dc, p, &dn, src + len, &sn, NULL);
        if (LZ4F_isError(hint)) { rc = KW_ERR_DECOMPRESS; break; }
        if ((rc = sink_commit(s, dn))) break;
        if (dn == 0 && hint != 0) rc = KW_ERR_DECOMPRESS; /* truncated */
    }
    if (rc) LZ4F_resetDecompressionContext(dc);
    if (!c) LZ4F_freeDecompressionContext(dc);
    free(fixed);
    return rc;
}

/* ------------------------------------------------------------------ zstd */

static int zstd_level(int level) { return level == KW_LEVEL_DEFAULT ? ZSTD_DEFAULT : level; }

static int zstd_compress(int level, const uint8_t *in, size_t len, kw_buf *out)
{
    size_t bound = ZSTD_compressBound(len);
    if (ZSTD_isError(bound)) return KW_ERR_COMPRESS;
    int rc = kw_buf_reserve(out, bound);
    if (rc) return rc;
    struct ctxs *c = ctxs_get();
    ZSTD_CCtx *cc = c ? c->zc : NULL;
    if (!cc) {
        if (!(cc = ZSTD_createCCtx())) return KW_ERR_NOMEM;
        if (c) c->zc = cc;
    }
    size_t r = ZSTD_compressCCtx(cc, out->data + out->len, bound, in, len, zstd_level(level));
    if (!c) ZSTD_freeCCtx(cc);
    if (ZSTD_isError(r)) return KW_ERR_COMPRESS;
    out->len += r;
    return 0;
}

static int zstd_decompress(const uint8_t *in, size_t len, sink *s)
{
    if (len == 0) return KW_ERR_DECOMPRESS;
    /* A frame that announces more than the cap is refused before any work; a size it
     * announces within the cap sizes the output in one allocation. */
    unsigned long long fcs = ZSTD_getFrameContentSize(in, len);
    if (fcs == ZSTD_CONTENTSIZE_ERROR) return KW_ERR_DECOMPRESS;
    if (fcs != ZSTD_CONTENTSIZE_UNKNOWN) {
        if (fcs > sink_left(s)) return KW_ERR_BOMB;
        int rc = sink_reserve(s, (size_t)fcs);
        if (rc) return rc;
    }
    struct ctxs *c = ctxs_get();
    ZSTD_DCtx *dc = c ? c->zd : NULL;
    if (!dc) {
        if (!(dc = ZSTD_createDCtx())) return KW_ERR_NOMEM;
        if (c) c->zd = dc;
    }
    ZSTD_DCtx_reset(dc, ZSTD_reset_session_only);
    if (fcs != ZSTD_CONTENTSIZE_UNKNOWN) {
        /* Known size: decode in one call straight into the reserved room (zstd checks
         * the frame really holds fcs bytes). If further frames do not fit in that room,
         * fall back to streaming, which enforces the cap. */
        uint8_t dummy;
        uint8_t *dst = s->out->data ? s->out->data + s->out->len : &dummy;
        size_t r = ZSTD_decompressDCtx(dc, dst, (size_t)fcs, in, len);
        if (!ZSTD_isError(r)) { s->out->len += r; return 0; }
        if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation) return KW_ERR_NOMEM;
        if (ZSTD_getErrorCode(r) != ZSTD_error_dstSize_tooSmall) return KW_ERR_DECOMPRESS;
        ZSTD_DCtx_reset(dc, ZSTD_reset_session_only);
    }
    ZSTD_inBuffer ib = {in, len, 0};
    size_t hint = 1;
    int rc = 0;
    for (;;) {
        uint8_t *p; size_t n;
        if ((rc = sink_space(s, &p, &n, len * 4))) break;
        ZSTD_outBuffer ob = {p, n, 0};
        hint = ZSTD_decompressStream(dc, &ob, &ib);
        if (ZSTD_isError(hint)) {
            rc = ZSTD_getErrorCode(hint) == ZSTD_error_memory_allocation ? KW_ERR_NOMEM : KW_ERR_DECOMPRESS;
            break;
        }
        if ((rc = sink_commit(s, ob.pos))) break;
        if (ib.pos == ib.size && hint == 0) break;      /* all frames complete and flushed */
        if (ib.pos == ib.size && ob.pos < ob.size) {    /* input gone, decoder wants more */
            rc = KW_ERR_DECOMPRESS;
            break;
        }
    }
    if (rc) ZSTD_DCtx_reset(dc, ZSTD_reset_session_only);
    if (!c) ZSTD_freeDCtx(dc);
    return rc;
}

/* ------------------------------------------------------------------ entry points */

int kw_compress(int codec, int level, const void *in, size_t len, kw_buf *out)
{
    if (out->err) return out->err;
    if (codec < KW_CODEC_NONE || codec > KW_CODEC_ZSTD) return KW_ERR_UNSUPPORTED;
    if (!kw_codec_level_valid(codec, level)) return KW_ERR_CONFIG;
    if (!in) { if (len) return KW_ERR_INVALID_ARG; in = ""; }
    size_t at = out->len;
    int rc;
    switch (codec) {
    case KW_CODEC_NONE: kw_buf_put(out, in, len); rc = out->err; break;
    case KW_CODEC_GZIP: rc = gzip_compress(level, in, len, out); break;
    case KW_CODEC_SNAPPY: rc = snappy_compress_raw(in, len, out); break;
    case KW_CODEC_LZ4: rc = lz4_compress(level, in, len, out); break;
    default: rc = zstd_compress(level, in, len, out); break;
    }
    if (rc) out->len = at;
    return rc;
}

int kw_decompress(int codec, const void *in, size_t len, kw_buf *out, size_t max_out)
{
    if (out->err) return out->err;
    if (codec < KW_CODEC_NONE || codec > KW_CODEC_ZSTD) return KW_ERR_UNSUPPORTED;
    if (!in) { if (len) return KW_ERR_INVALID_ARG; in = ""; }
    sink s;
    sink_init(&s, out, max_out);
    int rc;
    switch (codec) {
    case KW_CODEC_NONE:
        if (len > max_out) { rc = KW_ERR_BOMB; break; }
        kw_buf_put(out, in, len);
        rc = out->err;
        break;
    case KW_CODEC_GZIP: rc = gzip_decompress(in, len, &s); break;
    case KW_CODEC_SNAPPY: rc = snappy_decompress(in, len, &s); break;
    case KW_CODEC_LZ4: rc = lz4_decompress(in, len, &s); break;
    default: rc = zstd_decompress(in, len, &s); break;
    }
    if (rc) out->len = s.base;
    return rc;
}
