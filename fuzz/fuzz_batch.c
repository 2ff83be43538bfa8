/*
 * fuzz/fuzz_batch.c — record batch reader and annotator on arbitrary bytes: every
 * batch is decoded (CRC computed but not enforced, so mutations reach the records;
 * decompression capped at 1 MiB), every record and header iterated with its slices
 * checked to lie inside the batch or its decompressed copy, then the annotator walks
 * the same input and every event's bytes and text are touched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/batch.h"

static volatile uint8_t sink;

static void touch(const uint8_t *p, size_t len, const uint8_t *lo, size_t lo_len)
{
    if (!len) return;
    if (p < lo || p + len > lo + lo_len) abort();
    sink ^= p[0] ^ p[len - 1];
}

static int on_event(void *ud, const kw_ann *a)
{
    (void)ud;
    if (a->bytes && a->len) sink ^= a->bytes[0] ^ a->bytes[a->len - 1];
    if (a->value) sink ^= (uint8_t)strlen(a->value);
    if (!a->name) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_rd in;
    kw_rd_init(&in, data, size);
    kw_buf scratch;
    kw_buf_init(&scratch);
    kw_batch_reader_opts o = {0, 1u << 20};
    kw_batch b;
    int rc, bomb = 0;
    while ((rc = kw_batch_next(&in, &b, &scratch, &o)) == 1) {
        if (b.raw != data + in.off - b.raw_len) abort();
        const uint8_t *lo = b.compressed ? scratch.data : b.raw;
        size_t lo_len = b.compressed ? scratch.len : b.raw_len;
        touch(b.records, b.records_len, lo, lo_len);
        kw_record_iter it;
        kw_record_iter_init(&it, &b);
        kw_record r;
        int32_t n = 0;
        int irc;
        while ((irc = kw_record_iter_next(&it, &r)) == 1) {
            n++;
            if (r.key_len > 0) touch(r.key, (size_t)r.key_len, lo, lo_len);
            if (r.value_len > 0) touch(r.value, (size_t)r.value_len, lo, lo_len);
            if ((r.key_len < 0) != (r.key == NULL) || (r.value_len < 0) != (r.value == NULL)) abort();
            touch(r.hdr_data, r.hdr_len, lo, lo_len);
            kw_rd hr;
            kw_rd_init(&hr, r.hdr_data, r.hdr_len);
            kw_header h;
            int32_t nh = 0;
            int hrc;
            while ((hrc = kw_record_header_next(&hr, &h)) == 1) {
                nh++;
                touch(h.key, (size_t)h.key_len, lo, lo_len);
                if (h.value_len > 0) touch(h.value, (size_t)h.value_len, lo, lo_len);
            }
            if (hrc != 0 || nh != r.header_count) abort(); /* the iterator validated the headers */
        }
        if (irc == 0 && n != b.record_count) abort();
    }
    if (rc == 1 || (rc == 0 && in.off != size)) abort();
    if (rc == KW_ERR_BOMB) bomb = 1;
    kw_buf_free(&scratch);
    /* the annotator decompresses with the default cap: skip inputs that are bombs */
    if (!bomb) (void)kw_records_annotate(data, size, 0, on_event, NULL);
    return 0;
}
