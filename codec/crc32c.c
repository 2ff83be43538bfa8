/*
 * codec/crc32c.c — CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
 *
 * Two paths compute the same function:
 *   - software: "slicing by 8" — eight 256-entry tables, eight input bytes per step;
 *   - hardware: the SSE4.2 crc32 instruction (8 bytes per instruction). The instruction
 *     has a latency of 3 cycles but can start one per cycle, so long buffers are split
 *     into three equal streams computed side by side, and the three partial CRCs are
 *     joined with a "shift over N zero bytes" operator (below).
 *
 * Conventions. The public value is the finished CRC: crc = ~raw(~crc_in, data), where
 * raw(s, data) is the bare shift register (what the tables and the instruction compute).
 * raw is linear over GF(2):  raw(s, A||B) = raw(raw(s, A), B)  and
 * raw(s, B) = raw(s, 0^|B|) ^ raw(0, B). So with three streams A, B, C of n bytes each:
 *     raw(s, A||B||C) = Z(Z(raw(s, A)) ^ raw(0, B)) ^ raw(0, C),   Z(x) = raw(x, 0^n)
 * Z is a 32x32 bit matrix over GF(2). It is built once by squaring the one-zero-byte
 * matrix (a handful of matrix products), then turned into four 256-entry tables (one
 * per byte of x), so applying Z costs four lookups.
 *
 * Tables are computed on first use (pthread_once) and never change afterwards.
 */
#include <pthread.h>
#include <string.h>

#include "crc32c.h"

#define POLY 0x82F63B78u /* reflected Castagnoli polynomial */

/* Stream lengths (bytes per stream) of the three-way hardware loop. */
#define HW_LONG 8192
#define HW_SHORT 256

static uint32_t sw_tab[8][256];        /* slicing-by-8 tables */
static uint32_t shift_long[4][256];    /* Z over HW_LONG zero bytes, by byte of x */
static uint32_t shift_short[4][256];   /* Z over HW_SHORT zero bytes */
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

/* ---- GF(2) 32x32 matrices: m[i] is the image of bit i ---- */
static uint32_t mat_apply(const uint32_t m[32], uint32_t x)
{
    uint32_t r = 0;
    for (int i = 0; x; i++, x >>= 1)
        if (x & 1) r ^= m[i];
    return r;
}

/* out = a * b (apply b first, then a). out may not alias a or b. */
static void mat_mul(uint32_t out[32], const uint32_t a[32], const uint32_t b[32])
{
    for (int i = 0; i < 32; i++) out[i] = mat_apply(a, b[i]);
}

/* m = the operator "feed n zero bytes into the register" (n >= 1). */
static void zeros_matrix(uint32_t m[32], size_t n)
{
    uint32_t base[32], acc[32], tmp[32];
    /* One zero byte: x -> (x >> 8) ^ T0[x & 0xff], i.e. eight single-bit steps. */
    for (int i = 0; i < 32; i++) {
        uint32_t x = 1u << i;
        for (int k = 0; k < 8; k++) x = (x >> 1) ^ (POLY & (0u - (x & 1)));
        base[i] = x;
    }
    for (int i = 0; i < 32; i++) acc[i] = 1u << i; /* identity */
    while (n) {                                     /* acc = base^n by square and multiply */
        if (n & 1) { mat_mul(tmp, base, acc); memcpy(acc, tmp, sizeof tmp); }
        n >>= 1;
        if (n) { mat_mul(tmp, base, base); memcpy(base, tmp, sizeof tmp); }
    }
    memcpy(m, acc, sizeof acc);
}

static void shift_tables(uint32_t t[4][256], size_t n)
{
    uint32_t m[32];
    zeros_matrix(m, n);
    for (int k = 0; k < 4; k++)
        for (uint32_t v = 0; v < 256; v++) t[k][v] = mat_apply(m, v << (8 * k));
}

static void init_tables(void)
{
    for (uint32_t v = 0; v < 256; v++) {
        uint32_t x = v;
        for (int k = 0; k < 8; k++) x = (x >> 1) ^ (POLY & (0u - (x & 1)));
        sw_tab[0][v] = x;
    }
    /* sw_tab[k][v]: the register after v followed by k zero bytes. */
    for (int k = 1; k < 8; k++)
        for (int v = 0; v < 256; v++)
            sw_tab[k][v] = (sw_tab[k - 1][v] >> 8) ^ sw_tab[0][sw_tab[k - 1][v] & 0xff];
    shift_tables(shift_long, HW_LONG);
    shift_tables(shift_short, HW_SHORT);
}

static inline void tables(void) { pthread_once(&tab_once, init_tables); }

static inline uint32_t shift(const uint32_t t[4][256], uint32_t x)
{
    return t[0][x & 0xff] ^ t[1][(x >> 8) & 0xff] ^ t[2][(x >> 16) & 0xff] ^ t[3][x >> 24];
}

static inline uint64_t ld64le(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* ---- software: slicing by 8 ---- */
static uint32_t sw_raw(uint32_t s, const uint8_t *p, size_t len)
{
    while (len && ((uintptr_t)p & 7)) { s = (s >> 8) ^ sw_tab[0][(s ^ *p++) & 0xff]; len--; }
    while (len >= 8) {
        uint64_t w = ld64le(p) ^ s;
        s = sw_tab[7][w & 0xff] ^ sw_tab[6][(w >> 8) & 0xff] ^ sw_tab[5][(w >> 16) & 0xff] ^
            sw_tab[4][(w >> 24) & 0xff] ^ sw_tab[3][(w >> 32) & 0xff] ^ sw_tab[2][(w >> 40) & 0xff] ^
            sw_tab[1][(w >> 48) & 0xff] ^ sw_tab[0][w >> 56];
        p += 8; len -= 8;
    }
    while (len--) s = (s >> 8) ^ sw_tab[0][(s ^ *p++) & 0xff];
    return s;
}

uint32_t kw__crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
    tables();
    return ~sw_raw(~crc, (const uint8_t *)buf, len);
}

/* ---- hardware: SSE4.2 ---- */
#if defined(__x86_64__)
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static inline uint32_t hw_bytes(uint32_t s, const uint8_t *p, size_t n)
{
    while (n--) s = _mm_crc32_u8(s, *p++);
    return s;
}

/* Three streams of n bytes each (n a multiple of 8) starting at p, p+n, p+2n. */
__attribute__((target("sse4.2"))) static inline uint32_t hw_three(uint32_t s, const uint8_t *p, size_t n,
                                                                   const uint32_t t[4][256])
{
    uint64_t a = s, b = 0, c = 0;
    const uint8_t *q = p + n, *r = p + 2 * n, *end = p + n;
    while (p < end) {
        a = _mm_crc32_u64(a, ld64le(p));
        b = _mm_crc32_u64(b, ld64le(q));
        c = _mm_crc32_u64(c, ld64le(r));
        p += 8; q += 8; r += 8;
    }
    return shift(t, shift(t, (uint32_t)a) ^ (uint32_t)b) ^ (uint32_t)c;
}

__attribute__((target("sse4.2"))) static uint32_t hw_raw(uint32_t s, const uint8_t *p, size_t len)
{
    size_t head = (8 - ((uintptr_t)p & 7)) & 7;
    if (head > len) head = len;
    s = hw_bytes(s, p, head);
    p += head; len -= head;
    while (len >= 3 * HW_LONG) { s = hw_three(s, p, HW_LONG, shift_long); p += 3 * HW_LONG; len -= 3 * HW_LONG; }
    while (len >= 3 * HW_SHORT) { s = hw_three(s, p, HW_SHORT, shift_short); p += 3 * HW_SHORT; len -= 3 * HW_SHORT; }
    uint64_t w = s;
    while (len >= 8) { w = _mm_crc32_u64(w, ld64le(p)); p += 8; len -= 8; }
    return hw_bytes((uint32_t)w, p, len);
}

int kw_crc32c_hw_available(void) { return __builtin_cpu_supports("sse4.2") ? 1 : 0; }

uint32_t kw__crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
    tables();
    return ~hw_raw(~crc, (const uint8_t *)buf, len);
}

uint32_t kw_crc32c(uint32_t crc, const void *buf, size_t len)
{
    tables();
    if (__builtin_cpu_supports("sse4.2")) return ~hw_raw(~crc, (const uint8_t *)buf, len);
    return ~sw_raw(~crc, (const uint8_t *)buf, len);
}
#else
/* No crc32 instruction on this architecture: the "hardware" entry is the software path. */
int kw_crc32c_hw_available(void) { return 0; }

uint32_t kw__crc32c_hw(uint32_t crc, const void *buf, size_t len) { return kw__crc32c_sw(crc, buf, len); }

uint32_t kw_crc32c(uint32_t crc, const void *buf, size_t len) { return kw__crc32c_sw(crc, buf, len); }
#endif
