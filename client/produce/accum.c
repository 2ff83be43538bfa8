/*
 * client/produce/accum.c — the producer's per-partition record accumulator (see accum.h).
 */
#include <stdlib.h>
#include <string.h>

#include "accum.h"
#include "codec/grow.h"

const char *kw_seal_name(int reason)
{
    switch (reason) {
    case KW_SEAL_FULL: return "full";
    case KW_SEAL_LINGER: return "linger";
    case KW_SEAL_FLUSH: return "flush";
    default: return "open";
    }
}

int kw_accum_init(kw_accum *a, const kw_accum_opts *o, int32_t partitions)
{
    memset(a, 0, sizeof *a);
    if (!o || o->batch_size == 0 || o->linger_ms < 0 || o->buffer_memory == 0) return KW_ERR_INVALID_ARG;
    a->o = *o;
    /* room for the records a batch may first hold, so a tiny batch.size (the labs go down
     * to 1024: ~9 records) does not carry 64 slots */
    a->first_recs = o->batch_size / 64 < 8 ? 8 : o->batch_size / 64 > 64 ? 64 : o->batch_size / 64;
    return kw_accum_set_partitions(a, partitions);
}

int kw_accum_set_partitions(kw_accum *a, int32_t partitions)
{
    if (partitions <= 0) return KW_ERR_INVALID_ARG;
    if (partitions <= a->npart) return 0;
    size_t n = (size_t)partitions;
    kw_pbatch **open = realloc(a->open, n * sizeof *open);
    if (!open) return KW_ERR_NOMEM;
    a->open = open;
    kw_pbatch **head = realloc(a->head, n * sizeof *head);
    if (!head) return KW_ERR_NOMEM;
    a->head = head;
    kw_pbatch **tail = realloc(a->tail, n * sizeof *tail);
    if (!tail) return KW_ERR_NOMEM;
    a->tail = tail;
    for (int32_t i = a->npart; i < partitions; i++) a->open[i] = a->head[i] = a->tail[i] = NULL;
    a->npart = partitions;
    return 0;
}

static void batch_destroy(kw_pbatch *b)
{
    kw_buf_free(&b->buf);
    kw_batch_writer_free(&b->w);
    free(b->opaque);
    free(b->enq_us);
    free(b);
}

void kw_accum_free(kw_accum *a)
{
    for (int32_t p = 0; p < a->npart; p++) {
        if (a->open[p]) batch_destroy(a->open[p]);
        for (kw_pbatch *b = a->head[p], *n; b; b = n) { n = b->next; batch_destroy(b); }
    }
    for (kw_pbatch *b = a->spare, *n; b; b = n) { n = b->next; batch_destroy(b); }
    free(a->open);
    free(a->head);
    free(a->tail);
    memset(a, 0, sizeof *a);
}

static kw_pbatch *batch_new(kw_accum *a, int32_t partition, int64_t now_ms)
{
    kw_pbatch *b = a->spare;
    if (b) {
        a->spare = b->next;
        a->nspare--;
        b->buf.len = 0;
        kw_batch_writer_free(&b->w);
    } else {
        b = calloc(1, sizeof *b);
        if (!b) return NULL;
        kw_buf_init(&b->buf);
        /* the whole batch.size at once (pages are only resident once written): growing
         * by doubling would copy and leave freed blocks of every size behind */
        if (a->o.batch_size <= ((size_t)64 << 20)) kw_buf_reserve(&b->buf, a->o.batch_size + 64);
    }
    kw_batch_opts bo;
    kw_batch_opts_default(&bo);
    bo.codec = a->o.codec;
    bo.level = a->o.level;
    bo.max_bytes = a->o.batch_size;
    if (kw_batch_begin(&b->w, &b->buf, &bo)) {
        batch_destroy(b);
        return NULL;
    }
    b->next = NULL;
    b->partition = partition;
    b->count = 0;
    b->raw_bytes = 0;
    b->created_ms = now_ms;
    b->sealed_ms = 0;
    b->seal_reason = KW_SEAL_NONE;
    b->mem = KW_BATCH_HEADER_SIZE;
    b->attempts = 0;
    b->last_err = 0;
    b->base_seq = -1;
    b->first_send_ms = -1;
    return b;
}

/* Seal partition's open batch and queue it. 0 or the writer's error. */
static int seal_open(kw_accum *a, int32_t p, int reason, int64_t now_ms)
{
    kw_pbatch *b = a->open[p];
    if (!b) return 0;
    a->open[p] = NULL;
    b->raw_bytes = b->buf.len;
    int rc = kw_batch_seal(&b->w);
    /* the writer's compression scratch is of no use once sealed */
    kw_batch_writer_free(&b->w);
    b->seal_reason = reason;
    b->sealed_ms = now_ms;
    a->sealed[reason]++;
    b->next = NULL;
    if (a->tail[p]) a->tail[p]->next = b;
    else a->head[p] = b;
    a->tail[p] = b;
    return rc;
}

/* first_cap: the slots a batch starts with (kw_accum.first_recs) */
static int remember_record(kw_pbatch *b, void *opaque, int64_t enq_us, size_t first_cap)
{
    if ((size_t)b->count == b->cap_recs) {
        /* two arrays, one capacity (codec/grow.h) */
        size_t co = b->cap_recs, ct = b->cap_recs;
        void **o = kw__grow_sz(b->opaque, sizeof *o, (size_t)b->count + 1, &co, first_cap);
        if (!o) return KW_ERR_NOMEM;
        b->opaque = o;
        int64_t *t = kw__grow_sz(b->enq_us, sizeof *t, (size_t)b->count + 1, &ct, first_cap);
        if (!t) return KW_ERR_NOMEM;
        b->enq_us = t;
        b->cap_recs = co;
    }
    b->opaque[b->count] = opaque;
    b->enq_us[b->count] = enq_us;
    b->count++;
    return 0;
}

/* An upper bound of a record's encoding as a batch's first record (deltas 0). */
static size_t first_record_bound(const kw_record *rec)
{
    size_t n = KW_BATCH_HEADER_SIZE + 1 + 1 + 1 + 2 * KW_VARINT32_MAX + KW_VARINT32_MAX + KW_VARINT32_MAX;
    n += rec->key_len > 0 ? (size_t)rec->key_len : 0;
    n += rec->value_len > 0 ? (size_t)rec->value_len : 0;
    for (int32_t i = 0; i < rec->header_count; i++)
        n += 2 * KW_VARINT32_MAX + (size_t)rec->headers[i].key_len +
             (rec->headers[i].value_len > 0 ? (size_t)rec->headers[i].value_len : 0);
    return n;
}

int kw_accum_would_seal(const kw_accum *a, int32_t partition, const kw_record *rec)
{
    if (partition < 0 || partition >= a->npart || !a->open[partition]) return 0;
    const kw_pbatch *b = a->open[partition];
    return kw_batch_size_with(&b->w, rec) > a->o.batch_size;
}

int kw_accum_append(kw_accum *a, int32_t partition, const kw_record *rec, void *opaque, int64_t enq_us,
                    int64_t now_ms, int *sealed_prev)
{
    if (sealed_prev) *sealed_prev = 0;
    if (partition < 0 || partition >= a->npart || !rec) return KW_ERR_INVALID_ARG;
    kw_pbatch *b = a->open[partition];
    int rc;
    if (b && kw_batch_size_with(&b->w, rec) > a->o.batch_size) {
        if ((rc = seal_open(a, partition, KW_SEAL_FULL, now_ms))) return rc;
        if (sealed_prev) *sealed_prev = 1;
        b = NULL;
    }
    /* what this record will hold: its encoding (as a batch's first record if it starts one) */
    size_t before = b ? b->buf.len : KW_BATCH_HEADER_SIZE;
    size_t need = (b ? kw_batch_size_with(&b->w, rec) - before : first_record_bound(rec)) + KW_ACCUM_RECORD_OVERHEAD;
    if (a->mem_used + need > a->o.buffer_memory) return KW_ERR_QUEUE_FULL;
    if (!b) {
        if (!(b = batch_new(a, partition, now_ms))) return KW_ERR_NOMEM;
        a->open[partition] = b;
        a->mem_used += KW_BATCH_HEADER_SIZE;
    }
    if ((rc = kw_batch_append(&b->w, rec))) return rc; /* the first record always fits */
    if ((rc = remember_record(b, opaque, enq_us, a->first_recs))) return rc;
    size_t used = b->buf.len - before + KW_ACCUM_RECORD_OVERHEAD;
    b->mem += used;
    a->mem_used += used;
    /* full: another record like this one would not fit — ready now, not at linger */
    if (kw_batch_size_with(&b->w, rec) > a->o.batch_size) return seal_open(a, partition, KW_SEAL_FULL, now_ms);
    return 0;
}

int kw_accum_ready(const kw_accum *a, int32_t p, int64_t now_ms)
{
    if (p < 0 || p >= a->npart) return 0;
    if (a->head[p]) return 1;
    const kw_pbatch *b = a->open[p];
    return b && (a->flushing || now_ms - b->created_ms >= a->o.linger_ms);
}

kw_pbatch *kw_accum_drain(kw_accum *a, int32_t p, int64_t now_ms)
{
    if (!kw_accum_ready(a, p, now_ms)) return NULL;
    if (!a->head[p] && seal_open(a, p, a->flushing ? KW_SEAL_FLUSH : KW_SEAL_LINGER, now_ms)) {
        /* sealing failed (compression error, out of memory): hand it out anyway so the
         * producer reports its records failed rather than losing them */
    }
    kw_pbatch *b = a->head[p];
    if (!b) return NULL;
    a->head[p] = b->next;
    if (!a->head[p]) a->tail[p] = NULL;
    b->next = NULL;
    return b;
}

void kw_accum_requeue(kw_accum *a, kw_pbatch *b)
{
    int32_t p = b->partition;
    b->next = a->head[p];
    a->head[p] = b;
    if (!a->tail[p]) a->tail[p] = b;
}

void kw_accum_release(kw_accum *a, kw_pbatch *b)
{
    a->mem_used -= b->mem <= a->mem_used ? b->mem : a->mem_used;
    if (a->nspare < 2 && b->buf.cap <= 4 * a->o.batch_size + 4096) {
        b->next = a->spare;
        a->spare = b;
        a->nspare++;
        return;
    }
    batch_destroy(b);
}

void kw_accum_flush_begin(kw_accum *a) { a->flushing = 1; }
void kw_accum_flush_end(kw_accum *a) { a->flushing = 0; }

int64_t kw_accum_next_linger_ms(const kw_accum *a, int64_t after_ms)
{
    int64_t t = INT64_MAX;
    for (int32_t p = 0; p < a->npart; p++) {
        if (!a->open[p]) continue;
        int64_t d = a->open[p]->created_ms + a->o.linger_ms;
        if (d > after_ms && d < t) t = d;
    }
    return t;
}

size_t kw_accum_pending_batches(const kw_accum *a)
{
    size_t n = 0;
    for (int32_t p = 0; p < a->npart; p++) {
        n += a->open[p] != NULL;
        for (const kw_pbatch *b = a->head[p]; b; b = b->next) n++;
    }
    return n;
}

size_t kw_accum_queued_bytes(const kw_accum *a)
{
    size_t n = 0;
    for (int32_t p = 0; p < a->npart; p++)
        for (const kw_pbatch *b = a->head[p]; b; b = b->next) n += b->mem;
    return n;
}
