/*
 * codec/compress.h — the four Kafka compression codecs behind one interface.
 *
 * Codec ids are Kafka's (attributes bits 0–2 of a record batch): 0 none, 1 gzip,
 * 2 snappy, 3 lz4, 4 zstd. Formats as Kafka writes them: gzip members (zlib), snappy
 * raw blocks (decode also accepts the snappy-java "xerial" framing Java producers
 * write), lz4 frame format (decode tolerates the wrong header checksum written by very
 * old clients), zstd frames.
 *
 * Decompression never produces more than max_out bytes: output beyond it is
 * KW_ERR_BOMB, not an allocation.
 */
#ifndef KW_CODEC_COMPRESS_H
#define KW_CODEC_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum kw_codec { KW_CODEC_NONE = 0, KW_CODEC_GZIP = 1, KW_CODEC_SNAPPY = 2, KW_CODEC_LZ4 = 3, KW_CODEC_ZSTD = 4 };

/* Default cap on one batch's decompressed size (consumer setting in later layers). */
#define KW_DECOMPRESS_MAX_DEFAULT (64u * 1024 * 1024)

/* Level meaning "the codec's default" (Kafka's compression.*.level defaults). */
#define KW_LEVEL_DEFAULT INT32_MIN

/* "none", "gzip", "snappy", "lz4", "zstd"; "unknown" otherwise. */
const char *kw_codec_name(int codec);
/* Parse a compression.type value; returns the codec id or KW_ERR_CONFIG. */
int kw_codec_parse(const char *name);
/* Check a level for a codec (Kafka's ranges: gzip 1..9 or -1, lz4 1..17, zstd -131072..22);
 * 1 if valid, else 0. KW_LEVEL_DEFAULT is valid for every codec 0..4 and is the only valid
 * level for none and snappy, which have none. */
int kw_codec_level_valid(int codec, int level);

/*
 * Append the compressed form of in[0..len) to out (codec none: a copy).
 * Returns 0, KW_ERR_UNSUPPORTED (unknown codec), KW_ERR_CONFIG (level not valid for the
 * codec, see kw_codec_level_valid), KW_ERR_COMPRESS or KW_ERR_NOMEM; on error out->len is
 * restored.
 */
int kw_compress(int codec, int level, const void *in, size_t len, kw_buf *out);

/*
 * Append the decompressed form of in[0..len) to out, at most max_out bytes.
 * Returns 0, KW_ERR_UNSUPPORTED, KW_ERR_DECOMPRESS (corrupt input), KW_ERR_BOMB (more
 * than max_out) or KW_ERR_NOMEM. On error out->len is restored to its value on entry.
 */
int kw_decompress(int codec, const void *in, size_t len, kw_buf *out, size_t max_out);

/* xxHash32 of data (the lz4 frame format's hash); library-internal, exposed for tests. */
uint32_t kw__xxh32(const void *data, size_t len, uint32_t seed);

#endif
