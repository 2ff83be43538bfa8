/*
 * codec/batch.h — Kafka record batches (magic 2) and legacy message sets (magic 0/1).
 *
 * Layout (all big-endian):
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 (2)
 *   | crc uint32 (CRC-32C of attributes..end) | attributes int16 | lastOffsetDelta int32
 *   | baseTimestamp int64 | maxTimestamp int64 | producerId int64 | producerEpoch int16
 *   | baseSequence int32 | recordCount int32 | records...
 * #define KW_BATCH_HEADER_SIZE 61   (batchLength counts from partitionLeaderEpoch: len-12)
 * Record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint
 *   | keyLength varint (-1 null) | key | valueLength varint (-1 null) | value
 *   | headerCount varint | headers: keyLength varint, key, valueLength varint, value.
 * attributes: bits 0-2 codec, bit 3 timestamp type (1 = log append time),
 *   bit 4 transactional, bit 5 control batch, bit 6 has delete horizon.
 */
#ifndef KW_CODEC_BATCH_H
#define KW_CODEC_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "annot.h"
#include "buf.h"

#define KW_BATCH_HEADER_SIZE 61
#define KW_BATCH_OVERHEAD_LEN 12 /* baseOffset + batchLength: not counted by batchLength */
#define KW_BATCH_CRC_OFFSET 17   /* crc field */
#define KW_BATCH_ATTR_OFFSET 21  /* CRC covers from here to the end */

#define KW_ATTR_CODEC_MASK 0x07
#define KW_ATTR_LOG_APPEND_TIME 0x08
#define KW_ATTR_TRANSACTIONAL 0x10
#define KW_ATTR_CONTROL 0x20
#define KW_ATTR_DELETE_HORIZON 0x40

/* A record, for writing (caller fills) and reading (slices into the data). */
typedef struct kw_record {
    int64_t offset;          /* read: baseOffset + offsetDelta */
    int64_t timestamp;       /* absolute ms */
    const uint8_t *key; int32_t key_len;     /* -1: null key */
    const uint8_t *value; int32_t value_len; /* -1: null value */
    const kw_header *headers; int32_t header_count; /* write: array of header_count */
    /* read only: the raw header region, walk it with kw_record_header_next() */
    const uint8_t *hdr_data; size_t hdr_len;
    int8_t attributes;
} kw_record;

/* ---- writing ---- */
typedef struct kw_batch_opts {
    int codec;              /* KW_CODEC_* */
    int level;              /* KW_LEVEL_DEFAULT or a codec level */
    int64_t base_offset;    /* 0 for produce */
    int32_t leader_epoch;   /* -1 for produce */
    int64_t producer_id;    /* -1 unless idempotent */
    int16_t producer_epoch; /* -1 unless idempotent */
    int32_t base_sequence;  /* -1 unless idempotent */
    int transactional;
    int log_append_time;
    size_t max_bytes;       /* byte budget for the uncompressed batch; 0 = unlimited */
} kw_batch_opts;

void kw_batch_opts_default(kw_batch_opts *o);

/*
 * An open batch being appended to a kw_buf in place: the header is reserved at begin,
 * records are encoded directly into the buffer, and seal() compresses (if asked) and
 * fills in the header and CRC. No allocation per record.
 */
typedef struct kw_batch_writer {
    kw_buf *out;
    size_t start;         /* offset of baseOffset within out */
    kw_batch_opts opts;
    int64_t base_ts, max_ts;
    int32_t count;
    int sealed;
    kw_buf scratch;       /* compression output, reused across seals */
} kw_batch_writer;

/* Start a batch at the end of out. 0 or KW_ERR_NOMEM. */
int kw_batch_begin(kw_batch_writer *w, kw_buf *out, const kw_batch_opts *opts);
/*
 * Append a record. Returns 0, or KW_ERR_TOO_LARGE when the record would take the
 * batch past opts.max_bytes (the batch is unchanged; a first record is always taken),
 * or KW_ERR_NOMEM. The first record's timestamp becomes baseTimestamp.
 */
int kw_batch_append(kw_batch_writer *w, const kw_record *rec);
/* Size the batch would have (uncompressed) with rec appended. */
size_t kw_batch_size_with(const kw_batch_writer *w, const kw_record *rec);
/* Seal: compress, fill header and CRC. Returns 0 or a negative KW_ERR_*. */
int kw_batch_seal(kw_batch_writer *w);
/* Free the writer's scratch memory (not out). */
void kw_batch_writer_free(kw_batch_writer *w);
/* Rewrite producerId/epoch/baseSequence of a sealed batch in place and redo its CRC. */
void kw_batch_set_producer(uint8_t *batch, size_t len, int64_t pid, int16_t epoch, int32_t base_seq);

/* ---- reading ---- */

/* The fixed header of the entry at p: a record batch (magic 2) or a legacy message
 * (magic 0/1, whose "batch length" is its message size and which holds one record). */
typedef struct kw_batch_head {
    int64_t base_offset;
    int32_t batch_length;        /* bytes after the first KW_BATCH_OVERHEAD_LEN */
    int8_t magic;
    int16_t attributes;          /* magic 2; a legacy message's int8 attributes otherwise */
    int32_t last_offset_delta;   /* magic 2; 0 otherwise */
    int64_t producer_id;         /* magic 2; -1 otherwise */
    int16_t producer_epoch;      /* magic 2; -1 otherwise */
    int32_t base_sequence;       /* magic 2; -1 otherwise */
    int32_t record_count;        /* magic 2; 1 otherwise */
} kw_batch_head;
/*
 * Read the fixed header of the entry at p without checking its CRC or touching its
 * records (for walking a record set quickly, or a batch the caller built). 1 with *h
 * filled; 0 when len is shorter than the header (for magic 2 the whole 61 bytes,
 * otherwise the 18 bytes up to the magic and attributes); KW_ERR_CORRUPT for a negative
 * batch length, or one too short for a magic 2 header. Whether the whole entry (12 + batch_length bytes) is present is the
 * caller's to check.
 */
int kw_batch_head_read(const uint8_t *p, size_t len, kw_batch_head *h);
/* The offset of a batch's last record, base_offset + last_offset_delta, as the broker
 * computes it; a hostile header may wrap, so the sum is taken unsigned (no overflow). */
static inline int64_t kw_batch_last(int64_t base_offset, int32_t last_offset_delta)
{
    return (int64_t)((uint64_t)base_offset + (uint64_t)(int64_t)last_offset_delta);
}
/* A control record's type from its key (version int16, type int16): 0 abort, 1 commit,
 * -1 when the key is too short to say. */
int kw_control_type(const kw_record *rec);
typedef struct kw_batch {
    int64_t base_offset;
    int32_t batch_length;
    int32_t leader_epoch;
    int8_t magic;
    uint32_t crc, crc_computed;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t base_timestamp, max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t record_count;
    const uint8_t *raw; size_t raw_len;         /* the whole batch as on the wire */
    const uint8_t *records; size_t records_len; /* record bytes: in raw, or decompressed into scratch */
    int compressed;                             /* records points into the reader's scratch */
} kw_batch;

typedef struct kw_batch_reader_opts {
    int check_crc;           /* 1: a mismatch is KW_ERR_CRC */
    size_t max_decompressed; /* cap per batch; 0 = KW_DECOMPRESS_MAX_DEFAULT */
} kw_batch_reader_opts;

/*
 * Read the next batch of a record set (a Fetch partition's records, or a Produce
 * request's). Returns 1 with *b filled, 0 at the clean end, KW_ERR_INCOMPLETE when
 * the remaining bytes are a partial batch (the broker cuts the last one at max bytes:
 * skip it, it is not corruption), or an error: KW_ERR_CORRUPT (bad lengths, record
 * count, magic), KW_ERR_CRC, KW_ERR_UNSUPPORTED (codec 5-7), KW_ERR_BOMB,
 * KW_ERR_DECOMPRESS. Legacy messages (magic 0/1) are returned by kw_msgset_next().
 * A compressed batch's records are decompressed into *scratch (reused: records of the
 * previous batch become invalid). On error the cursor does not advance.
 */
int kw_batch_next(kw_rd *in, kw_batch *b, kw_buf *scratch, const kw_batch_reader_opts *o);

/* Iterate records: init, then next() returns 1 per record, 0 at the end, or an error
 * (record count disagreeing with the bytes present is KW_ERR_CORRUPT). */
typedef struct kw_record_iter {
    const kw_batch *b;
    kw_rd rd;
    int32_t seen;
} kw_record_iter;
void kw_record_iter_init(kw_record_iter *it, const kw_batch *b);
int kw_record_iter_next(kw_record_iter *it, kw_record *rec);
/* kw_record_header_next: kwire/types.h */

/* Peek at the magic byte of the next entry (2 = record batch, 0/1 = legacy), or an error. */
int kw_records_magic(const uint8_t *p, size_t len);
/* Bytes the first entry of a record set takes (a batch, or a legacy message with its
 * offset and size), from its length field: 0 when fewer than 12 bytes are there. The
 * entry itself may be cut short (a broker cuts a record set at its byte limit). */
size_t kw_records_first_len(const uint8_t *p, size_t len);

/*
 * Annotate a record set (one or more batches, or legacy message sets) field by field:
 * every batch header field, the CRC with "valid" or "MISMATCH (expected ...)",
 * attributes split into compression / timestamp type / transactional / control, then
 * each record's fields; a compressed batch shows its compressed bytes, then a new
 * region with the decompressed records. Returns 0, the callback's non-zero value, or
 * an error after emitting KW_ANN_ERROR.
 */
int kw_records_annotate(const uint8_t *p, size_t len, int depth, kw_ann_cb cb, void *ud);

/* ---- legacy message sets (magic 0 and 1) ---- */
typedef struct kw_legacy_msg {
    int64_t offset;      /* absolute (inner relative offsets of magic 1 resolved) */
    int8_t magic;
    int8_t attributes;
    int64_t timestamp;   /* -1 for magic 0 */
    const uint8_t *key; int32_t key_len;
    const uint8_t *value; int32_t value_len;
    uint32_t crc, crc_computed;
} kw_legacy_msg;

typedef struct kw_msgset_reader {
    kw_rd outer;
    kw_rd inner;          /* messages of a decompressed wrapper, in scratch */
    int in_wrapper;
    int64_t wrapper_offset; int8_t wrapper_magic; int64_t wrapper_ts; int8_t wrapper_attr;
    int64_t inner_last_rel; /* magic 1: relative offset of the last inner message */
    kw_buf scratch;
    kw_batch_reader_opts opts;
} kw_msgset_reader;

void kw_msgset_reader_init(kw_msgset_reader *r, const uint8_t *p, size_t len, const kw_batch_reader_opts *o);
/* 1 per message, 0 at end, KW_ERR_INCOMPLETE for a partial trailing message, or an error. */
int kw_msgset_next(kw_msgset_reader *r, kw_legacy_msg *m);
void kw_msgset_reader_free(kw_msgset_reader *r);
/* Write a legacy message (for tests and old-topic tools). */
int kw_msgset_append(kw_buf *out, int8_t magic, int64_t offset, int8_t attributes, int64_t ts,
                     const void *key, int32_t key_len, const void *value, int32_t value_len);

#endif
