/* tests/test_crc32c.c — codec/crc32c: RFC 3720 vectors, hardware vs software path, incremental use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "codec/crc32c.h"

/* Bit-at-a-time reference straight from the definition (reflected polynomial 0x82F63B78). */
static uint32_t crc_ref(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
    }
    return ~crc;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

typedef uint32_t (*crc_fn)(uint32_t, const void *, size_t);

static void check_vectors(crc_fn f)
{
    uint8_t b[32];
    memset(b, 0, sizeof b);
    assert_int_equal(f(0, b, 32), 0x8A9136AAu);
    memset(b, 0xff, sizeof b);
    assert_int_equal(f(0, b, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++) b[i] = (uint8_t)i;
    assert_int_equal(f(0, b, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++) b[i] = (uint8_t)(31 - i);
    assert_int_equal(f(0, b, 32), 0x113FDB5Cu);
    assert_int_equal(f(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(f(0, "", 0), 0);
    assert_int_equal(f(0x12345678u, NULL, 0), 0x12345678u);
}

static void test_rfc3720_vectors(void **st)
{
    (void)st;
    check_vectors(kw_crc32c);
    check_vectors(kw__crc32c_sw);
    if (kw_crc32c_hw_available()) check_vectors(kw__crc32c_hw);
    /* the reference agrees with the vectors too, so it can judge the rest */
    assert_int_equal(crc_ref(0, (const uint8_t *)"123456789", 9), 0xE3069283u);
}

/* Every length 0..70000 is too slow bit by bit; check all lengths up to 1100 plus random
 * lengths up to 70000 (crossing both three-stream block sizes), at every offset mod 8. */
static void test_paths_agree(void **st)
{
    (void)st;
    size_t n = 70000 + 16;
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)rnd();
    int hw = kw_crc32c_hw_available();
    for (size_t len = 0; len <= 1100; len++) {
        size_t off = len % 8;
        uint32_t want = crc_ref(0, buf + off, len);
        assert_int_equal(kw__crc32c_sw(0, buf + off, len), want);
        assert_int_equal(kw_crc32c(0, buf + off, len), want);
        if (hw) assert_int_equal(kw__crc32c_hw(0, buf + off, len), want);
    }
    size_t special[] = {767, 768, 769, 3 * 8192 - 1, 3 * 8192, 3 * 8192 + 1, 3 * 8192 + 768, 49152, 65536, 70000};
    for (int i = 0; i < 200; i++) {
        size_t len = i < 10 ? special[i] : rnd() % 70001;
        size_t off = (size_t)rnd() % 16;
        uint32_t seed = rnd();
        uint32_t want = crc_ref(seed, buf + off, len);
        assert_int_equal(kw__crc32c_sw(seed, buf + off, len), want);
        assert_int_equal(kw_crc32c(seed, buf + off, len), want);
        if (hw) assert_int_equal(kw__crc32c_hw(seed, buf + off, len), want);
    }
    free(buf);
}

static void test_incremental(void **st)
{
    (void)st;
    size_t n = 70000;
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)rnd();
    uint32_t whole = crc_ref(0, buf, n);
    crc_fn fns[3] = {kw_crc32c, kw__crc32c_sw, kw__crc32c_hw};
    int nf = kw_crc32c_hw_available() ? 3 : 2;
    for (int f = 0; f < nf; f++) {
        for (int trial = 0; trial < 20; trial++) {
            uint32_t crc = 0;
            size_t pos = 0;
            while (pos < n) {
                size_t step = trial == 0 ? 1 : (size_t)rnd() % (trial * 2000u) + 1;
                if (step > n - pos) step = n - pos;
                crc = fns[f](crc, buf + pos, step);
                pos += step;
            }
            assert_int_equal(crc, whole);
        }
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3720_vectors),
        cmocka_unit_test(test_paths_agree),
        cmocka_unit_test(test_incremental),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
