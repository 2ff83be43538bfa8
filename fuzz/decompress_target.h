/*
 * fuzz/decompress_target.h — the body shared by the four decompressor targets
 * (fuzz_decompress_<codec>.c define CODEC and include this): kw_decompress(CODEC) on
 * arbitrary bytes with a 1 MiB cap. It must never crash, leak or grow the output past
 * the cap; on failure it returns a decompression error code and leaves the buffer's
 * length as it was; on success, compressing the output again and decompressing that
 * must give it back.
 */
#ifndef CODEC
#error "define CODEC before including decompress_target.h"
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/compress.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)
#define CAP (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_buf out;
    kw_buf_init(&out);
    int rc = kw_decompress(CODEC, data, size, &out, CAP);
    CHECK(out.len <= CAP && out.cap <= CAP);
    if (rc) {
        CHECK(rc == KW_ERR_DECOMPRESS || rc == KW_ERR_BOMB || rc == KW_ERR_NOMEM);
        CHECK(out.len == 0);
        kw_buf_free(&out);
        return 0;
    }
    kw_buf again, back;
    kw_buf_init(&again);
    kw_buf_init(&back);
    /* the fastest level keeps the target quick; the format is the same */
    int level = CODEC == KW_CODEC_SNAPPY ? KW_LEVEL_DEFAULT : 1;
    CHECK(kw_compress(CODEC, level, out.data, out.len, &again) == 0);
    CHECK(kw_decompress(CODEC, again.data, again.len, &back, out.len) == 0);
    CHECK(back.len == out.len && (out.len == 0 || memcmp(back.data, out.data, out.len) == 0));
    kw_buf_free(&again);
    kw_buf_free(&back);
    kw_buf_free(&out);
    return 0;
}
