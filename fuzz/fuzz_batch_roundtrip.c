/*
 * fuzz/fuzz_batch_roundtrip.c — decode -> re-encode -> decode: every batch of the
 * input whose records all decode is written again with the writer (same codec,
 * base offset, producer fields, flags) and read back; the records (key, value,
 * timestamp, headers) and header fields must come back identical, with a valid CRC.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/batch.h"

#define MAX_RECS 4096
#define MAX_HDRS 8192

static kw_record recs[MAX_RECS];
static kw_header hdrs[MAX_HDRS];

static int same(const uint8_t *a, int32_t al, const uint8_t *b, int32_t bl)
{
    return al == bl && (al <= 0 || memcmp(a, b, (size_t)al) == 0);
}

static void roundtrip(const kw_batch *b)
{
    /* collect the records, with their headers, as writer input */
    kw_record_iter it;
    kw_record_iter_init(&it, b);
    int32_t n = 0, nh = 0;
    kw_record r;
    int rc;
    while ((rc = kw_record_iter_next(&it, &r)) == 1) {
        if (n == MAX_RECS) return;
        kw_rd hr;
        kw_rd_init(&hr, r.hdr_data, r.hdr_len);
        r.headers = hdrs + nh;
        while (kw_record_header_next(&hr, &hdrs[nh]) == 1)
            if (++nh == MAX_HDRS) return;
        recs[n++] = r;
    }
    if (rc != 0) return;

    int codec = b->attributes & KW_ATTR_CODEC_MASK;
    kw_batch_opts o;
    kw_batch_opts_default(&o);
    o.codec = codec;
    o.base_offset = b->base_offset;
    o.leader_epoch = b->leader_epoch;
    o.producer_id = b->producer_id;
    o.producer_epoch = b->producer_epoch;
    o.base_sequence = b->base_sequence;
    o.transactional = (b->attributes & KW_ATTR_TRANSACTIONAL) != 0;
    o.log_append_time = (b->attributes & KW_ATTR_LOG_APPEND_TIME) != 0;
    kw_buf out;
    kw_buf_init(&out);
    kw_batch_writer w;
    if (kw_batch_begin(&w, &out, &o)) abort();
    for (int32_t i = 0; i < n; i++)
        if (kw_batch_append(&w, &recs[i])) abort();
    if (kw_batch_seal(&w)) abort();
    kw_batch_writer_free(&w);

    kw_rd in;
    kw_rd_init(&in, out.data, out.len);
    kw_buf scratch;
    kw_buf_init(&scratch);
    kw_batch_reader_opts ro = {1, 64u << 20};
    kw_batch b2;
    if (kw_batch_next(&in, &b2, &scratch, &ro) != 1) abort();
    if (b2.record_count != n || b2.base_offset != b->base_offset || b2.producer_id != b->producer_id
        || b2.producer_epoch != b->producer_epoch || b2.base_sequence != b->base_sequence
        || b2.leader_epoch != b->leader_epoch || (b2.attributes & KW_ATTR_CODEC_MASK) != codec)
        abort();
    kw_record_iter_init(&it, &b2);
    for (int32_t i = 0; i < n; i++) {
        if (kw_record_iter_next(&it, &r) != 1) abort();
        const kw_record *a = &recs[i];
        if ((uint64_t)r.offset != (uint64_t)b->base_offset + (uint64_t)i) abort();
        if (r.timestamp != a->timestamp) abort();
        if (!same(r.key, r.key_len, a->key, a->key_len) || !same(r.value, r.value_len, a->value, a->value_len))
            abort();
        if ((r.key == NULL) != (a->key == NULL) || (r.value == NULL) != (a->value == NULL)) abort();
        if (r.header_count != a->header_count) abort();
        kw_rd hr;
        kw_rd_init(&hr, r.hdr_data, r.hdr_len);
        kw_header h;
        for (int32_t k = 0; k < a->header_count; k++) {
            if (kw_record_header_next(&hr, &h) != 1) abort();
            if (!same(h.key, h.key_len, a->headers[k].key, a->headers[k].key_len)
                || !same(h.value, h.value_len, a->headers[k].value, a->headers[k].value_len))
                abort();
        }
        if (kw_record_header_next(&hr, &h) != 0) abort();
    }
    if (kw_record_iter_next(&it, &r) != 0) abort();
    kw_buf_free(&scratch);
    kw_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_rd in;
    kw_rd_init(&in, data, size);
    kw_buf scratch;
    kw_buf_init(&scratch);
    kw_batch_reader_opts o = {0, 1u << 20};
    kw_batch b;
    while (kw_batch_next(&in, &b, &scratch, &o) == 1) roundtrip(&b);
    kw_buf_free(&scratch);
    return 0;
}
