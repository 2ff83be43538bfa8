/*
 * fuzz/fuzz_varint.c — every varint reader of codec/buf.h on arbitrary bytes.
 *
 * Each reader walks the input until it fails. Whenever a read succeeds, the value is
 * re-encoded: the canonical encoding must be no longer than the bytes the read
 * consumed, its size must match kw_*_size(), and reading it back must give the same
 * value and consume exactly the encoding. A failed read must leave the cursor at the
 * end with a sticky error, and later reads must return zero.
 */
#include <stdint.h>
#include <stdlib.h>

#include "codec/buf.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

enum { U32, U64, S32, S64 };

static uint64_t read_one(kw_rd *r, int kind)
{
    switch (kind) {
    case U32: return kw_rd_uvarint32(r);
    case U64: return kw_rd_uvarint64(r);
    case S32: return (uint64_t)(int64_t)kw_rd_varint(r);
    default: return (uint64_t)kw_rd_varlong(r);
    }
}

static size_t encode(uint8_t *p, uint64_t v, int kind)
{
    switch (kind) {
    case U32: CHECK(v <= UINT32_MAX); return kw_uvarint_enc(p, v);
    case U64: return kw_uvarint_enc(p, v);
    case S32: CHECK((int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX);
        return kw_uvarint_enc(p, kw_zigzag32((int32_t)(int64_t)v));
    default: return kw_uvarint_enc(p, kw_zigzag64((int64_t)v));
    }
}

static size_t enc_size(uint64_t v, int kind)
{
    switch (kind) {
    case U32: case U64: return kw_uvarint_size(v);
    case S32: return kw_varint_size((int32_t)(int64_t)v);
    default: return kw_varlong_size((int64_t)v);
    }
}

static void check_kind(const uint8_t *data, size_t size, int kind)
{
    kw_rd r;
    kw_rd_init(&r, data, size);
    while (kw_rd_left(&r)) {
        size_t before = r.off;
        uint64_t v = read_one(&r, kind);
        if (r.err) {
            CHECK(v == 0);
            CHECK(r.off == r.len);
            CHECK(read_one(&r, kind) == 0 && r.err);
            return;
        }
        size_t used = r.off - before;
        CHECK(used >= 1 && used <= (kind == U32 || kind == S32 ? KW_VARINT32_MAX : KW_VARINT64_MAX));
        uint8_t enc[KW_VARINT64_MAX];
        size_t n = encode(enc, v, kind);
        CHECK(n <= used);
        CHECK(n == enc_size(v, kind));
        kw_rd back;
        kw_rd_init(&back, enc, n);
        CHECK(read_one(&back, kind) == v);
        CHECK(back.err == 0 && back.off == n);
        /* the same value through the kw_buf writers */
        kw_buf b;
        kw_buf_init(&b);
        switch (kind) {
        case U32: case U64: kw_buf_uvarint(&b, v); break;
        case S32: kw_buf_varint(&b, (int32_t)(int64_t)v); break;
        default: kw_buf_varlong(&b, (int64_t)v); break;
        }
        CHECK(b.err == 0 && b.len == n && memcmp(b.data, enc, n) == 0);
        kw_buf_free(&b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int kind = U32; kind <= S64; kind++) check_kind(data, size, kind);
    return 0;
}
