/*
 * client/produce/accum.h — the producer's record accumulator: one open record batch per
 * partition, built in place (codec/batch.h writer; no allocation per record), sealed
 * when full (batch.size), when it has lingered (linger.ms) and its partition can send,
 * or on flush; sealed batches wait in a per-partition FIFO until the sender drains them.
 * Memory is bounded by buffer.memory: an append that would pass it is refused with
 * KW_ERR_QUEUE_FULL (the producer then blocks up to max.block.ms).
 *
 * Pure: no I/O and no clock of its own — every call that needs time takes now_ms.
 */
#ifndef KW_ACCUM_H
#define KW_ACCUM_H

#include <stddef.h>
#include <stdint.h>

#include "codec/batch.h"

/* Why a batch was sealed. */
enum kw_seal { KW_SEAL_NONE = 0, KW_SEAL_FULL, KW_SEAL_LINGER, KW_SEAL_FLUSH };
const char *kw_seal_name(int reason);

/* Bookkeeping per record bytes counted against buffer.memory besides its encoding. */
#define KW_ACCUM_RECORD_OVERHEAD (sizeof(void *) + sizeof(int64_t))

typedef struct kw_accum_opts {
    size_t batch_size;     /* batch.size: byte budget of an uncompressed batch */
    int64_t linger_ms;     /* linger.ms */
    size_t buffer_memory;  /* buffer.memory */
    int codec, level;      /* compression.type and its level */
} kw_accum_opts;

/* A producer batch: one sealed or open record batch for one partition. */
typedef struct kw_pbatch {
    struct kw_pbatch *next;
    int32_t partition;
    kw_buf buf;            /* exactly one record batch (valid bytes once sealed) */
    kw_batch_writer w;
    int32_t count;         /* records */
    size_t raw_bytes;      /* uncompressed batch size when sealed */
    int64_t created_ms, sealed_ms;
    int seal_reason;       /* enum kw_seal */
    void **opaque;         /* per record: the producer's delivery opaque */
    int64_t *enq_us;       /* per record: its send time in us (kw_accum_append's enq_us) */
    size_t cap_recs;
    size_t mem;            /* bytes held against buffer.memory */
    int attempts;          /* sends so far (retries + 1); a request never written (its
                              leader could not be reached) does not count */
    int last_err;          /* the error of its last failed attempt (0: none yet) */
    int32_t base_seq;      /* idempotence: -1 until assigned */
    int64_t first_send_ms; /* when first put in a request, -1 before */
} kw_pbatch;

typedef struct kw_accum {
    kw_accum_opts o;
    int32_t npart;
    kw_pbatch **open;      /* [npart] open batch or NULL */
    kw_pbatch **head, **tail; /* [npart] FIFO of sealed batches */
    size_t mem_used;
    int flushing;          /* open batches are ready regardless of linger */
    kw_pbatch *spare;      /* released batches kept for reuse (buffers kept) */
    int nspare;
    uint64_t sealed[4];    /* batches sealed per enum kw_seal */
    size_t first_recs;     /* per-record slots a new batch starts with: batch.size/64, 8..64 */
} kw_accum;

int kw_accum_init(kw_accum *a, const kw_accum_opts *o, int32_t partitions);
void kw_accum_free(kw_accum *a);
/* Grow to more partitions (metadata found new ones). 0 or KW_ERR_NOMEM. */
int kw_accum_set_partitions(kw_accum *a, int32_t partitions);

/*
 * Append a record to partition's open batch (starting one if needed). If the record
 * does not fit the open batch, that batch is sealed (FULL) first and *sealed_prev is
 * set to 1 (the sticky partitioner moves on then). A batch that cannot take another
 * record like this one is sealed at once. Returns 0, KW_ERR_QUEUE_FULL (buffer.memory
 * would be exceeded: nothing changed), KW_ERR_INVALID_ARG, or KW_ERR_NOMEM.
 * opaque and enq_us (the record's send time, us, any clock) are kept per record for
 * its delivery report; now_ms is the accumulator's clock (linger, batch times).
 */
int kw_accum_append(kw_accum *a, int32_t partition, const kw_record *rec, void *opaque, int64_t enq_us,
                    int64_t now_ms, int *sealed_prev);

/* Would appending rec to partition's open batch seal it first? (1/0) */
int kw_accum_would_seal(const kw_accum *a, int32_t partition, const kw_record *rec);

/* 1 if partition has a batch the sender may take now. */
int kw_accum_ready(const kw_accum *a, int32_t partition, int64_t now_ms);
/*
 * Take the partition's oldest sealed batch; if none and its open batch has lingered
 * (or a flush is under way), seal that one (LINGER/FLUSH) and take it. NULL if nothing
 * is ready. The batch stays counted against buffer.memory until kw_accum_release().
 */
kw_pbatch *kw_accum_drain(kw_accum *a, int32_t partition, int64_t now_ms);
/* Put a drained batch back at the front of its partition's queue (retry, order kept). */
void kw_accum_requeue(kw_accum *a, kw_pbatch *b);
/* The batch's records are done (delivered or failed): give its memory back. */
void kw_accum_release(kw_accum *a, kw_pbatch *b);

/* Make every open batch ready now (flush()); kw_accum_flush_end() when drained. */
void kw_accum_flush_begin(kw_accum *a);
void kw_accum_flush_end(kw_accum *a);
/* Earliest time after after_ms an open batch's linger expires, or INT64_MAX when none
 * does (a batch whose linger is already over is ready: the caller knows why it waits). */
int64_t kw_accum_next_linger_ms(const kw_accum *a, int64_t after_ms);
/* Records held (open + sealed, not released) — for flush() and close(). */
size_t kw_accum_pending_batches(const kw_accum *a);
/* Bytes (against buffer.memory) of the sealed batches waiting to be sent: queued, not in
 * flight and not open. O(batches queued). */
size_t kw_accum_queued_bytes(const kw_accum *a);

#endif
