/*
 * fuzz/fuzz_hlog.c — HdrHistogram interval logs and the V2 compressed histogram
 * decoder over arbitrary bytes. Input: a mode byte (bit 0: the rest is one encoded
 * histogram for kw_hdr_decode; else the rest is log text for kw_hlog_next), then the
 * bytes. Every histogram decoded must hold the counts it claims and survive encode ->
 * decode unchanged; percentiles and the mean must stay within its values.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/hlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const kw_hdr *h)
{
    uint64_t sum = 0;
    for (int32_t i = 0; i < h->len; i++) sum += h->counts[i];
    if (sum != h->total) abort();
    int64_t p99 = kw_hdr_value_at(h, 99.0), max = kw_hdr_max(h);
    if (h->total && (p99 > max || kw_hdr_mean(h) > (double)max + 1.0)) abort();
    kw_buf b;
    kw_buf_init(&b);
    if (kw_hdr_encode(h, &b) == 0) {
        kw_hdr *back = NULL;
        if (kw_hdr_decode(b.data, b.len, &back)) abort();
        if (back->total != h->total || back->len != h->len ||
            memcmp(back->counts, h->counts, (size_t)h->len * sizeof h->counts[0]))
            abort();
        kw_hdr_free(back);
    }
    kw_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int mode = data[0];
    size_t n = size - 1;
    /* a private copy so ASan sees any read past the end */
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy) return 0;
    memcpy(copy, data + 1, n);
    if (mode & 1) {
        kw_hdr *h = NULL;
        if (kw_hdr_decode(copy, n, &h) == 0) {
            check(h);
            kw_hdr_free(h);
        } else if (h) {
            abort(); /* nothing handed out on failure */
        }
    } else {
        kw_hlog_reader r;
        kw_hlog_reader_init(&r, (const char *)copy, n);
        kw_hlog_entry e;
        int rc, lines = 0;
        while ((rc = kw_hlog_next(&r, &e)) == 1 && lines++ < 64) {
            check(e.h);
            kw_hdr_free(e.h);
        }
        if (rc == 1) kw_hdr_free(e.h);
        if (rc < 0 && !r.err[0]) abort(); /* a fault is always named */
    }
    free(copy);
    return 0;
}
