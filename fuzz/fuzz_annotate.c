/*
 * fuzz/fuzz_annotate.c — the annotation walk over arbitrary bytes. Input: api key
 * (1 byte), version (int16 big-endian), mode (1 byte: bit 0 response, bit 1 whole
 * frame), then the bytes. Every reported field must lie inside the input and carry
 * readable text.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/desc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct span { const uint8_t *lo, *hi; size_t sum; int region; } span;

static int cb(void *ud, const kw_ann *a)
{
    span *s = ud;
    if (a->name) s->sum += strlen(a->name);
    if (a->type) s->sum += strlen(a->type);
    if (a->value) s->sum += strlen(a->value);
    if (a->kind == KW_ANN_REGION) s->region++;
    if (a->kind == KW_ANN_END_REGION) s->region--;
    /* outside decompressed regions, every field lies within the input */
    if (s->region == 0 && a->len && (a->bytes < s->lo || a->bytes + a->len > s->hi)) abort();
    for (size_t i = 0; i < a->len; i++) s->sum += a->bytes[i];
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    int key = data[0];
    int16_t v = (int16_t)kw_ld16(data + 1);
    int mode = data[3];
    const uint8_t *p = data + 4;
    size_t n = size - 4;
    /* a private copy so ASan sees any read past the end */
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy) return 0;
    memcpy(copy, p, n);
    span s = {copy, copy + n, 0, 0};
    if (mode & 2) {
        if (mode & 1) kw_response_frame_annotate(key, v, copy, n, cb, &s);
        else kw_request_frame_annotate(copy, n, cb, &s);
    } else {
        kw_msg_annotate(key, v, (mode & 1) ? KW_RESP : KW_REQ, copy, n, 0, cb, &s);
    }
    free(copy);
    return (int)(s.sum & 0);
}
