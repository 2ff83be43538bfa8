/*
 * proto/frame.c — the push framer (proto/frame.h): int32 size prefix + payload.
 *
 * States: assembling the 4-byte prefix (hdr_have < 4), then assembling `need` payload
 * bytes into buf. The fast path — nothing buffered and the input holds a whole frame —
 * returns a pointer into the input and copies nothing.
 */
#include "proto/frame.h"

#include <stdlib.h>
#include <string.h>

void kw_framer_init(kw_framer *f, size_t max_frame)
{
    memset(f, 0, sizeof *f);
    f->max = max_frame ? max_frame : KW_FRAME_MAX_DEFAULT;
    if (f->max > INT32_MAX) f->max = INT32_MAX;
}

void kw_framer_free(kw_framer *f)
{
    free(f->buf);
    f->buf = NULL;
    f->hdr_have = f->have = f->need = 0;
}

void kw_framer_reset(kw_framer *f)
{
    kw_framer_free(f);
    f->err = 0;
}

/* Validate a size prefix; 0 and f->need set, or the sticky error. */
static int take_size(kw_framer *f, const uint8_t *p)
{
    int32_t sz = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
    if (sz < 0) return f->err = KW_ERR_CORRUPT;
    if ((size_t)sz > f->max) return f->err = KW_ERR_TOO_LARGE;
    f->need = (size_t)sz;
    return 0;
}

int kw_framer_next(kw_framer *f, const uint8_t **in, size_t *inlen, const uint8_t **frame, size_t *flen)
{
    if (f->err) return f->err;
    /* A frame returned from buf last time is released now. */
    if (f->buf && f->have == f->need && f->hdr_have == 4) {
        free(f->buf);
        f->buf = NULL;
        f->hdr_have = f->have = f->need = 0;
    }
    const uint8_t *p = *in;
    size_t n = *inlen;

    if (f->hdr_have == 0 && n >= 4) {
        /* fast path: prefix at the start of the input */
        if (take_size(f, p)) return f->err;
        if (n - 4 >= f->need) {
            *frame = p + 4;
            *flen = f->need;
            *in = p + 4 + f->need;
            *inlen = n - 4 - f->need;
            f->need = 0;
            f->frames++;
            return 1;
        }
        memcpy(f->hdr, p, 4);
        f->hdr_have = 4;
        p += 4;
        n -= 4;
    } else if (f->hdr_have < 4) {
        size_t k = 4 - f->hdr_have < n ? 4 - f->hdr_have : n;
        memcpy(f->hdr + f->hdr_have, p, k);
        f->hdr_have += k;
        p += k;
        n -= k;
        if (f->hdr_have < 4) {
            *in = p;
            *inlen = n;
            return 0;
        }
        if (take_size(f, f->hdr)) return f->err;
        if (f->need <= n) {
            /* the rest of the frame is contiguous in the input */
            *frame = p;
            *flen = f->need;
            *in = p + f->need;
            *inlen = n - f->need;
            f->hdr_have = 0;
            f->need = 0;
            f->frames++;
            return 1;
        }
    }
    /* Partial payload: buffer exactly `need` bytes. */
    if (!f->buf && f->need) {
        f->buf = malloc(f->need);
        if (!f->buf) return f->err = KW_ERR_NOMEM;
        f->have = 0;
    }
    size_t k = f->need - f->have < n ? f->need - f->have : n;
    if (k) memcpy(f->buf + f->have, p, k);
    f->have += k;
    f->copied += k;
    p += k;
    n -= k;
    *in = p;
    *inlen = n;
    if (f->have < f->need) return 0;
    *frame = f->buf;
    *flen = f->need;
    f->frames++;
    if (!f->buf) f->hdr_have = f->need = 0; /* empty frame: nothing to release later */
    return 1;
}

const char *kw_frame_sniff(const uint8_t *p, size_t len)
{
    if (len >= 4 && !memcmp(p, "HTTP", 4)) return "HTTP";
    if (len >= 4 && !memcmp(p, "SSH-", 4)) return "SSH";
    /* a TLS record: content type (21 alert, 22 handshake), version 3.x */
    if (len >= 3 && (p[0] == 21 || p[0] == 22) && p[1] == 3 && p[2] <= 4) return "TLS";
    size_t n = len < 8 ? len : 8, printable = 0;
    for (size_t i = 0; i < n; i++)
        if ((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\r' || p[i] == '\n' || p[i] == '\t') printable++;
    if (n >= 4 && printable == n) return "text";
    return NULL;
}
