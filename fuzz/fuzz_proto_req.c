/*
 * fuzz/fuzz_proto_req.c — request body decoding. Input: api key (1 byte), version
 * (int16 big-endian), then the body. A body that decodes must re-encode, and the
 * re-encoding must decode and encode to the same bytes (encode is canonical).
 */
#include <stdlib.h>
#include <string.h>

#include "proto/desc.h"

#ifndef FUZZ_DIR
#define FUZZ_DIR KW_REQ
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    int key = data[0];
    int16_t v = (int16_t)kw_ld16(data + 1);
    const kw_struct *s = kw__api_desc(key, FUZZ_DIR);
    if (!s) return 0;
    kw_arena a; kw_arena_init(&a);
    void *m = kw_arena_alloc(&a, s->size);
    kw_proto_err e;
    int rc = kw_msg_decode(key, v, FUZZ_DIR, data + 3, size - 3, m, &a, &e);
    if (rc == 0) {
        kw_buf b1, b2; kw_buf_init(&b1); kw_buf_init(&b2);
        if (kw_msg_encode(key, v, FUZZ_DIR, m, &b1)) abort();
        if (kw_msg_size(key, v, FUZZ_DIR, m) != b1.len) abort();
        void *m2 = kw_arena_alloc(&a, s->size);
        if (kw_msg_decode(key, v, FUZZ_DIR, b1.data, b1.len, m2, &a, NULL)) abort();
        if (kw_msg_encode(key, v, FUZZ_DIR, m2, &b2)) abort();
        if (b1.len != b2.len || (b1.len && memcmp(b1.data, b2.data, b1.len))) abort();
        kw_buf_free(&b1); kw_buf_free(&b2);
    } else {
        if (e.code != rc || e.off > size - 3) abort();
    }
    kw_arena_free(&a);
    return 0;
}
