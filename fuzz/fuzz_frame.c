/*
 * fuzz/fuzz_frame.c — proto/frame: arbitrary bytes, split at points taken from the
 * input itself, must give the same frames as one contiguous feed, never read outside
 * the input, and never buffer more than one frame plus its prefix.
 *
 * Input: byte 0 = split stride seed, the rest = the stream.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/frame.h"

#define MAXF 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    unsigned stride = data[0] % 13 + 1;
    data++;
    size--;

    /* reference: one contiguous feed */
    kw_framer a;
    kw_framer_init(&a, MAXF);
    const uint8_t *p = data, *fr;
    size_t n = size, fl;
    size_t ref_off[512], ref_len[512], nref = 0;
    int ref_err = 0;
    for (;;) {
        int r = kw_framer_next(&a, &p, &n, &fr, &fl);
        if (r < 0) { ref_err = r; break; }
        if (r == 0) break;
        if (fl > MAXF) abort();
        if (nref < 512) { ref_off[nref] = (size_t)(fr - data); ref_len[nref] = fl; }
        nref++;
    }
    kw_framer_free(&a);

    /* split feed: chunk sizes cycle through stride, 1, stride*3 */
    kw_framer b;
    kw_framer_init(&b, MAXF);
    size_t off = 0, got = 0, step = 0;
    int err = 0;
    while (off < size && !err) {
        size_t chunk = step % 3 == 0 ? stride : step % 3 == 1 ? 1 : (size_t)stride * 3;
        step++;
        if (chunk > size - off) chunk = size - off;
        const uint8_t *q = data + off;
        size_t m = chunk;
        for (;;) {
            int r = kw_framer_next(&b, &q, &m, &fr, &fl);
            if (kw_framer_buffered(&b) > MAXF + 4) abort();
            if (r < 0) { err = r; break; }
            if (r == 0) break;
            if (got < 512 && got < nref) {
                if (fl != ref_len[got] || memcmp(fr, data + ref_off[got], fl)) abort();
            }
            got++;
        }
        off += chunk;
    }
    if (err != ref_err || (!err && got != nref)) abort();
    kw_framer_free(&b);
    return 0;
}
